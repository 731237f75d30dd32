import { unparsedEvent, type LineParser, type LogEvent } from './log-event.js';
import { levelFromNumber, normalizeLevel } from './normalize-level.js';
import { resolveParserOptions, type ParserOptions } from './parser-options.js';
import { isoFromEpoch, isoFromIsoLike } from './timestamp.js';

// Where common loggers put each field, in order of preference. The first alias found is moved
// onto the kinlog name; values we cannot normalize stay where the producer put them.
const TIME_KEYS = ['time', '@timestamp', 'timestamp', 'ts'] as const;
const LEVEL_KEYS = ['level', 'severity', 'levelname'] as const;
const MSG_KEYS = ['msg', 'message'] as const;
const STATUS_KEYS = ['status', 'statusCode'] as const;
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
 * A line that is not a JSON object becomes `{ raw, msg, parseError: true }`.
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
    // JSON.parse throwing is slow; most non-JSON lines are rejected by their first character.
    let start = 0;
    while (start < line.length && isJsonSpace(line.charCodeAt(start))) start++;
    if (line.charCodeAt(start) === CHAR_BOM) start++;
    if (line.charCodeAt(start) !== CHAR_OPEN_BRACE) return unparsedEvent(line);
    let parsed: unknown;
    try {
      parsed = JSON.parse(start === 0 ? line : line.slice(start));
    } catch {
      return unparsedEvent(line);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return unparsedEvent(line);
    }
    // JSON.parse makes `__proto__` an own data property, so mutating the parsed object in place
    // is safe; copying keys into a fresh object would not be.
    const event = parsed as LogEvent;
    normalizeTime(event, assumedUtcOffsetMinutes);
    normalizeLevelField(event);
    normalizeMsg(event);
    normalizeStatus(event);
    if (event.host === undefined && typeof event['hostname'] === 'string') {
      event.host = event['hostname'];
      delete event['hostname'];
    }
    return event;
  };
}

function isJsonSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function normalizeTime(event: LogEvent, assumedOffsetMinutes: number): void {
  for (const key of TIME_KEYS) {
    const value = event[key];
    if (value === undefined) continue;
    let iso: string | undefined;
    if (typeof value === 'string') iso = isoFromIsoLike(value, assumedOffsetMinutes);
    else if (typeof value === 'number') iso = isoFromEpoch(value);
    // A `time` we cannot read is the producer's own; an alias must not overwrite it.
    if (iso === undefined) {
      if (key === 'time') return;
      continue;
    }
    if (key !== 'time') delete event[key];
    event.time = iso;
    return;
  }
}

function normalizeLevelField(event: LogEvent): void {
  for (const key of LEVEL_KEYS) {
    const value = event[key];
    let level: string | undefined;
    if (typeof value === 'string' && value.length > 0) level = normalizeLevel(value);
    else if (typeof value === 'number') level = levelFromNumber(value);
    if (level === undefined) continue;
    if (key !== 'level') {
      if (event.level !== undefined) continue; // an unusable `level` stays; do not overwrite it
      delete event[key];
    }
    event.level = level;
    return;
  }
}

function normalizeMsg(event: LogEvent): void {
  for (const key of MSG_KEYS) {
    const value = event[key];
    if (typeof value !== 'string') continue;
    if (key !== 'msg') {
      if (event.msg !== undefined) return;
      delete event[key];
      event.msg = value;
    }
    return;
  }
}

function normalizeStatus(event: LogEvent): void {
  for (const key of STATUS_KEYS) {
    const status = statusFrom(event[key]);
    if (status === undefined) continue;
    if (key !== 'status') {
      if (event.status !== undefined) return;
      delete event[key];
    }
    event.status = status;
    return;
  }
  const res = event['res'];
  if (event.status === undefined && typeof res === 'object' && res !== null) {
    const status = statusFrom((res as Record<string, unknown>)['statusCode']);
    if (status !== undefined) event.status = status;
  }
}

function statusFrom(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && NUMERIC_STATUS.test(value)) return Number(value);
  return undefined;
}
