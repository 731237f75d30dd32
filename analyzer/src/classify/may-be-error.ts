/*
 *   JSON.parse(line) ──▶ mayBeError ──false──▶ ok: counted, nothing else done
 *                            │ true
 *                            ▼
 *   normalizeJsonEvent (core's JSON parser on the same object: time, level, msg, status
 *   aliases) ──▶ classifyEvent
 *
 * Most records are fine, and normalizing one (time checked or rebuilt, level synonyms, aliases
 * moved) costs about as much as parsing it. The screen answers from the raw parsed object
 * whether normalization could make it an error; it may say yes too often (a record is then
 * simply normalized and classified), never too rarely.
 */
import { JsonFieldAliases } from '@kinlog/core';
import { JsonPeek } from '../decode/json-peek.js';
import { isErrorLevel, PINO_ERROR_LEVEL } from './is-error-level.js';

// Where the shared JSON parser looks for a level and a status: its own table, so an alias it
// learns is screened too (one missing here would let an error through as `ok`).
const LEVEL_KEYS = JsonFieldAliases.level;
const STATUS_KEYS = JsonFieldAliases.status;
const NESTED_STATUS_PARENT = JsonFieldAliases.nestedStatus.parent;
const NESTED_STATUS_KEY = JsonFieldAliases.nestedStatus.key;
/** Lowest status that can be an error (4xx may be counted). */
const MIN_ERROR_STATUS = 400;
/** Longest string worth treating as a level name (longer ones are neither levels nor errors). */
const MAX_LEVEL_CHARS = 32;

/**
 * Whether a record parsed from JSON could be classified as an error (or as unparsed) once the
 * shared JSON parser has normalized it. `false` means certainly `ok`, whatever `count4xx` is,
 * so the record needs no further work.
 *
 * @example
 * ```ts
 * mayBeError({ level: 'info', status: 200, msg: 'fine' }); // false
 * mayBeError({ severity: 'ERROR', msg: 'boom' }); // true
 * ```
 */
export function mayBeError(record: Readonly<Record<string, unknown>>): boolean {
  return KEYS_ARE_KNOWN ? mayBeErrorKnownKeys(record) : mayBeErrorAnyKeys(record);
}

/**
 * The same screen over a record's raw bytes, before they are decoded or parsed: `false` only for
 * a payload that is one valid JSON object line whose values {@link mayBeError} would turn down
 * (so the record is certainly `ok`); `true` for everything else, which is then decoded, parsed
 * and screened as usual. Each screen owns a scratch buffer: one per decoder, not shared.
 *
 * @example
 * ```ts
 * const screenBytes = createMayBeErrorBytes();
 * screenBytes(new TextEncoder().encode('{"level":"info","status":200}')); // false
 * screenBytes(new TextEncoder().encode('{"level":"info","status":503}')); // true
 * ```
 */
export function createMayBeErrorBytes(): (payload: Uint8Array) => boolean {
  // Slots of peek.values: parseError, then the level aliases, then the status aliases, then
  // the nested status. A value that may be an error stops the scan: such a record is parsed
  // in full anyway, and a duplicate key that would make it fine again is too rare to wait for.
  const firstStatus = 1 + LEVEL_KEYS.length;
  const peek: JsonPeek = new JsonPeek({
    keys: ['parseError', ...LEVEL_KEYS, ...STATUS_KEYS],
    nested: { parent: NESTED_STATUS_PARENT, key: NESTED_STATUS_KEY },
    stopAt: (slot, value) => {
      if (slot === 0) return true;
      if (slot < firstStatus) return mayBeErrorLevel(value);
      if (slot < firstStatus + STATUS_KEYS.length || slot === peek.nestedSlot) {
        return mayBeErrorStatus(value);
      }
      return false;
    },
  });
  // A full read stopped at nothing: every value it kept is one the screen turns down.
  return (payload) => !peek.read(payload);
}

/** Whether the parser's alias table is the one {@link mayBeErrorKnownKeys} was written for. */
const KEYS_ARE_KNOWN =
  sameKeys(LEVEL_KEYS, ['level', 'severity', 'levelname']) &&
  sameKeys(STATUS_KEYS, ['status', 'statusCode']) &&
  NESTED_STATUS_PARENT === 'res' &&
  NESTED_STATUS_KEY === 'statusCode';

function sameKeys(keys: readonly string[], expected: readonly string[]): boolean {
  return keys.length === expected.length && keys.every((key, i) => key === expected[i]);
}

/*
 * The same test as mayBeErrorAnyKeys, each key written out: a property read with a literal name
 * is cached per call site, while reading a key from a loop variable is a generic lookup (most
 * of them for keys the record does not have), and cost several times more than the whole test.
 */
function mayBeErrorKnownKeys(record: Readonly<Record<string, unknown>>): boolean {
  if (record['parseError'] !== undefined) return true;
  if (
    mayBeErrorLevel(record['level']) ||
    mayBeErrorLevel(record['severity']) ||
    mayBeErrorLevel(record['levelname'])
  ) {
    return true;
  }
  if (mayBeErrorStatus(record['status']) || mayBeErrorStatus(record['statusCode'])) return true;
  const parent = record['res'];
  return (
    typeof parent === 'object' &&
    parent !== null &&
    mayBeErrorStatus((parent as Record<string, unknown>)['statusCode'])
  );
}

function mayBeErrorAnyKeys(record: Readonly<Record<string, unknown>>): boolean {
  if (record['parseError'] !== undefined) return true;
  for (const key of LEVEL_KEYS) if (mayBeErrorLevel(record[key])) return true;
  for (const key of STATUS_KEYS) if (mayBeErrorStatus(record[key])) return true;
  const parent = record[NESTED_STATUS_PARENT];
  return (
    typeof parent === 'object' &&
    parent !== null &&
    mayBeErrorStatus((parent as Record<string, unknown>)[NESTED_STATUS_KEY])
  );
}

function mayBeErrorLevel(value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value === 'number') return !(value < PINO_ERROR_LEVEL);
  if (typeof value !== 'string') return false;
  if (value.length > MAX_LEVEL_CHARS) return true;
  // Most records spell a fine level exactly as listed: no case folding needed.
  if (KNOWN_FINE_LEVELS.has(value)) return false;
  // The parser lower-cases and folds synonyms; isErrorLevel knows every error name in any case,
  // and a numeric string is an error from "50" up. Anything unknown is checked the long way.
  return isErrorLevel(value) || !KNOWN_FINE_LEVELS.has(value.trim().toLowerCase());
}

/** Level names that are fine under every spelling the parser may fold them to. */
const KNOWN_FINE_LEVELS: ReadonlySet<string> = new Set([
  'trace',
  'silly',
  'finest',
  'finer',
  'fine',
  'debug',
  'verbose',
  'info',
  'information',
  'notice',
  'http',
  'config',
  'warn',
  'warning',
]);

function mayBeErrorStatus(value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value === 'number') return !(value < MIN_ERROR_STATUS);
  if (typeof value !== 'string') return false;
  return !(Number(value) < MIN_ERROR_STATUS);
}
