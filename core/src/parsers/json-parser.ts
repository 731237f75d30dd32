import { unparsedEvent, type LineParser, type LogEvent } from './log-event.js';
import { levelFromNumber, normalizeLevel } from './normalize-level.js';
import { ParserOptionLimits, resolveParserOptions, type ParserOptions } from './parser-options.js';
import { isoFromEpoch, isoFromIsoLike } from './timestamp.js';
import { stampUnchanged } from './unchanged-json-event.js';

/**
 * Where common loggers put each field, in order of preference. The first alias found is moved
 * onto the kinlog name; values we cannot normalize stay where the producer put them. Consumers
 * that look at parsed records before normalizing them (the analyzer's error screen) read this
 * table, so it is the one list of aliases.
 *
 * @example
 * ```ts
 * for (const key of JsonFieldAliases.level) if (record[key] !== undefined) return record[key];
 * ```
 */
export const JsonFieldAliases = Object.freeze({
  time: Object.freeze(['time', '@timestamp', 'timestamp', 'ts'] as const),
  level: Object.freeze(['level', 'severity', 'levelname'] as const),
  msg: Object.freeze(['msg', 'message'] as const),
  status: Object.freeze(['status', 'statusCode'] as const),
  /** pino-http nests the status under `res`, as `res.statusCode`; read when no alias has one. */
  nestedStatus: Object.freeze({ parent: 'res', key: 'statusCode' } as const),
} as const);
const TIME_KEYS = JsonFieldAliases.time;
const LEVEL_KEYS = JsonFieldAliases.level;
const MSG_KEYS = JsonFieldAliases.msg;
const STATUS_KEYS = JsonFieldAliases.status;
const NESTED_STATUS = JsonFieldAliases.nestedStatus;
/** A status must look like an HTTP status to be taken from a string. */
const NUMERIC_STATUS = /^\d{3}$/;

const CHAR_OPEN_BRACE = 0x7b;
const CHAR_BOM = 0xfeff;

/**
 * Parses one JSON object per line (pino, winston, bunyan, ECS, zap...). Keeps every field and
 * normalizes the ones kinlog reads:
 * - `time` ← `time` | `@timestamp` | `timestamp` | `ts`: ISO-8601 strings of any zone and epoch
 *   numbers (ms, or s when small) become ISO UTC; anything else is left untouched.
 * - `level` ← `level` | `severity` | `levelname`: pino numbers 10..60 become names, strings are
 *   lowercased and synonyms folded (`WARNING` → `warn`).
 * - `msg` ← `msg` | `message`; `status` ← `status` | `statusCode` | `res.statusCode` (pino-http),
 *   as a number; `host` ← `hostname` (pino).
 *
 * A line that is not a JSON object becomes `{ msg, parseError: true }`.
 *
 * @example
 * ```ts
 * const parse = createJsonParser();
 * parse('{"level":50,"time":1700000000000,"msg":"boom","hostname":"web-1"}');
 * // { level: 'error', time: '2023-11-14T22:13:20.000Z', msg: 'boom', host: 'web-1' }
 * ```
 */
export function createJsonParser(options?: ParserOptions): LineParser {
  const { assumedUtcOffsetMinutes } = resolveParserOptions(options);

  return function parseJsonLine(line: string): LogEvent {
    const parsed = parseJsonObject(line);
    return parsed === undefined
      ? unparsedEvent(line)
      : normalizeParsed(parsed, assumedUtcOffsetMinutes);
  };
}

/**
 * The JSON object a line holds (leading whitespace and a BOM allowed), or `undefined` when it
 * holds anything else. Lets a caller tell "not JSON" from a JSON record that happens to carry a
 * `parseError` field (as `kinlog ship` writes for lines it could not parse).
 *
 * @example
 * ```ts
 * parseJsonObject(' {"a":1}'); // { a: 1 }
 * parseJsonObject('[1]'); // undefined
 * ```
 */
export function parseJsonObject(line: string): object | undefined {
  // JSON.parse throwing is slow; most non-JSON lines are rejected by their first character.
  let start = 0;
  while (start < line.length && isJsonSpace(line.charCodeAt(start))) start++;
  if (line.charCodeAt(start) === CHAR_BOM) start++;
  if (line.charCodeAt(start) !== CHAR_OPEN_BRACE) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(start === 0 ? line : line.slice(start));
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? parsed
    : undefined;
}

/**
 * Normalizes a value already read with `JSON.parse(line)` exactly as {@link createJsonParser}'s
 * parser would have normalized it, for callers that had to parse the line themselves (to look
 * at it first) and should not pay for parsing it twice. Anything but a JSON object becomes
 * `unparsedEvent(line)`. The object is normalized in place and returned: pass it only when it
 * is yours to change.
 *
 * @example
 * ```ts
 * const line = '{"severity":"ERROR","ts":1700000000,"message":"boom"}';
 * normalizeJsonEvent(JSON.parse(line), line);
 * // { level: 'error', time: '2023-11-14T22:13:20.000Z', msg: 'boom' }
 * ```
 */
export function normalizeJsonEvent(
  parsed: unknown,
  line: string,
  options?: ParserOptions,
): LogEvent {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return unparsedEvent(line);
  }
  const offset =
    options === undefined
      ? ParserOptionLimits.DEFAULT_ASSUMED_UTC_OFFSET_MINUTES
      : resolveParserOptions(options).assumedUtcOffsetMinutes;
  return normalizeParsed(parsed, offset);
}

/**
 * Set by the helpers below when they write to the event being normalized: a flag beside the
 * call rather than a value threaded through every helper's return (they already return
 * whether their search is over). Normalizing is synchronous, so no other event interleaves.
 */
let changed = false;

/**
 * {@link normalizeJsonEvent} for an object already known to be one, with its options resolved:
 * for parsers that hold their resolved options (the format detector). An event left exactly
 * as parsed is stamped so (see `isUnchangedJsonEvent`).
 */
export function normalizeParsed(parsed: object, assumedUtcOffsetMinutes: number): LogEvent {
  // JSON.parse makes `__proto__` an own data property, so mutating the parsed object in place
  // is safe; copying keys into a fresh object would not be.
  const event = parsed as LogEvent;
  changed = false;
  normalizeTime(event, assumedUtcOffsetMinutes);
  normalizeLevelField(event);
  normalizeMsg(event);
  normalizeStatus(event);
  if (event.host === undefined && typeof event['hostname'] === 'string') {
    event.host = event['hostname'];
    delete event['hostname'];
    changed = true;
  }
  if (!changed) stampUnchanged(event);
  return event;
}

function isJsonSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/*
 * Each field is looked for under its aliases in order, the aliases written out by name where
 * the table is the one below: a property read with a literal name is cached per call site,
 * while one keyed by a loop variable is a generic lookup (mostly for keys a record does not
 * have) and cost more than the rest of normalizing. The loops over the table are the same rules
 * for any other table.
 */
const ALIASES_ARE_KNOWN =
  sameKeys(TIME_KEYS, ['time', '@timestamp', 'timestamp', 'ts']) &&
  sameKeys(LEVEL_KEYS, ['level', 'severity', 'levelname']) &&
  sameKeys(MSG_KEYS, ['msg', 'message']) &&
  sameKeys(STATUS_KEYS, ['status', 'statusCode']);

function sameKeys(keys: readonly string[], expected: readonly string[]): boolean {
  return keys.length === expected.length && keys.every((key, i) => key === expected[i]);
}

function normalizeTime(event: LogEvent, assumedOffsetMinutes: number): void {
  if (ALIASES_ARE_KNOWN) {
    if (timeFrom(event, 'time', event['time'], assumedOffsetMinutes)) return;
    if (timeFrom(event, '@timestamp', event['@timestamp'], assumedOffsetMinutes)) return;
    if (timeFrom(event, 'timestamp', event['timestamp'], assumedOffsetMinutes)) return;
    timeFrom(event, 'ts', event['ts'], assumedOffsetMinutes);
    return;
  }
  for (const key of TIME_KEYS) {
    if (timeFrom(event, key, event[key], assumedOffsetMinutes)) return;
  }
}

/** Takes `value`, read from `key`, as the time if it can; whether the search is over. */
function timeFrom(
  event: LogEvent,
  key: string,
  value: unknown,
  assumedOffsetMinutes: number,
): boolean {
  if (value === undefined) return false;
  let iso: string | undefined;
  if (typeof value === 'string') iso = isoFromIsoLike(value, assumedOffsetMinutes);
  else if (typeof value === 'number') iso = isoFromEpoch(value);
  // A `time` we cannot read is the producer's own; an alias must not overwrite it.
  if (iso === undefined) return key === 'time';
  if (key !== 'time') delete event[key];
  if (key !== 'time' || iso !== value) changed = true;
  event.time = iso;
  return true;
}

function normalizeLevelField(event: LogEvent): void {
  if (ALIASES_ARE_KNOWN) {
    if (levelFrom(event, 'level', event['level'])) return;
    if (levelFrom(event, 'severity', event['severity'])) return;
    levelFrom(event, 'levelname', event['levelname']);
    return;
  }
  for (const key of LEVEL_KEYS) if (levelFrom(event, key, event[key])) return;
}

/** Takes `value`, read from `key`, as the level if it can; whether the search is over. */
function levelFrom(event: LogEvent, key: string, value: unknown): boolean {
  let level: string | undefined;
  if (typeof value === 'string' && value.length > 0) level = normalizeLevel(value);
  else if (typeof value === 'number') level = levelFromNumber(value);
  if (level === undefined) return false;
  if (key !== 'level') {
    if (event.level !== undefined) return false; // an unusable `level` stays; do not overwrite it
    delete event[key];
  }
  if (key !== 'level' || level !== value) changed = true;
  event.level = level;
  return true;
}

function normalizeMsg(event: LogEvent): void {
  if (ALIASES_ARE_KNOWN) {
    if (msgFrom(event, 'msg', event['msg'])) return;
    msgFrom(event, 'message', event['message']);
    return;
  }
  for (const key of MSG_KEYS) if (msgFrom(event, key, event[key])) return;
}

/** Takes `value`, read from `key`, as the message if it can; whether the search is over. */
function msgFrom(event: LogEvent, key: string, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (key !== 'msg') {
    if (event.msg !== undefined) return true;
    delete event[key];
    event.msg = value;
    changed = true;
  }
  return true;
}

function normalizeStatus(event: LogEvent): void {
  if (ALIASES_ARE_KNOWN) {
    if (statusFromAlias(event, 'status', event['status'])) return;
    if (statusFromAlias(event, 'statusCode', event['statusCode'])) return;
  } else {
    for (const key of STATUS_KEYS) if (statusFromAlias(event, key, event[key])) return;
  }
  const res = event[NESTED_STATUS.parent];
  if (event.status === undefined && typeof res === 'object' && res !== null) {
    const status = statusFrom((res as Record<string, unknown>)[NESTED_STATUS.key]);
    if (status !== undefined) {
      event.status = status;
      changed = true;
    }
  }
}

/** Takes `value`, read from `key`, as the status if it can; whether the search is over. */
function statusFromAlias(event: LogEvent, key: string, value: unknown): boolean {
  const status = statusFrom(value);
  if (status === undefined) return false;
  if (key !== 'status') {
    if (event.status !== undefined) return true;
    delete event[key];
  }
  if (key !== 'status' || status !== value) changed = true;
  event.status = status;
  return true;
}

function statusFrom(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && NUMERIC_STATUS.test(value)) return Number(value);
  return undefined;
}
