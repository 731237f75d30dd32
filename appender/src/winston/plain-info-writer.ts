/**
 * Writes the record line of a plain winston `info` object straight into a byte buffer: the
 * bytes `winstonRecord(info)` would give, without the event object, `JSON.stringify` or the
 * line as a string in between.
 *
 *   info ──time, level, msg, then Object.keys(info)──► per field: plain? ──no──► NOT_PLAIN
 *                                                          │yes
 *        buf[at…]: {"time":"…","level":"info","msg":"…",   ▼
 *                   "page":"/a","status":200,…}   ◄── key bytes (cached) + value bytes
 *                                                          │out of room ──► NO_ROOM
 *
 * A plain field is a string, number, boolean, null, undefined or symbol under a key that
 * `JSON.stringify` writes in place (not `msg` or `__proto__`, no possible array index): what
 * JSON writes for those is known without it. Printable ASCII is copied byte by byte; a string
 * with anything else (a quote, backslash, control character, non-ASCII) is written as
 * `JSON.stringify` writes it. An object, function or BigInt anywhere makes the info NOT_PLAIN,
 * and the caller takes `winstonRecord`'s way (which reads the info again).
 */
import { recordLevel, recordTime, takesTimestamp } from './record-head.js';

/** Not written: a field is not plain (the caller encodes the info the careful way). */
export const NOT_PLAIN = -1;
/** Not written: the line does not fit between `at` and `end`. */
export const NO_ROOM = -2;

/**
 * Writes the record line of `info` into `buf` from `at`, not past `end`; returns where the
 * line ends, or {@link NOT_PLAIN} / {@link NO_ROOM} (bytes from `at` on may have been written
 * then, nothing before). Throws only where reading `info` throws (a getter).
 *
 * @example
 * ```ts
 * const buf = Buffer.alloc(256);
 * const end = writePlainInfo({ level: 'info', message: 'hi', timestamp: 'T' }, buf, 0, 256);
 * buf.toString('utf8', 0, end); // '{"time":"T","level":"info","msg":"hi"}'
 * ```
 */
export function writePlainInfo(
  info: Record<string, unknown>,
  buf: Buffer,
  at: number,
  end: number,
): number {
  const rawLevel = recordLevel(info);
  const timeFromTimestamp = takesTimestamp(info);
  const time = recordTime(info, timeFromTimestamp);
  const message: unknown = info.message;
  // Each member is written with a leading comma; the first one's comma is overwritten by '{'.
  const first = at;
  let p = at;
  p = writeMember(buf, p, end, TIME_KEY, time);
  if (p < 0) return p;
  p = writeMember(buf, p, end, LEVEL_KEY_BYTES, rawLevel);
  if (p < 0) return p;
  p = writeMember(buf, p, end, MSG_KEY, message);
  if (p < 0) return p;
  let ownStack: unknown;
  const keys = Object.keys(info);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key === 'level' || key === 'message' || key === 'time') continue;
    if (key === 'timestamp' && timeFromTimestamp) continue;
    if (!isPlainKey(key)) return NOT_PLAIN;
    const value = info[key];
    if (key === 'stack') ownStack = value;
    p = writeMember(buf, p, end, keyBytesOf(key), value);
    if (p < 0) return p;
  }
  if (ownStack === undefined) {
    // An Error's non-enumerable (or inherited) stack, as winstonEvent keeps it.
    const stack: unknown = info.stack;
    if (typeof stack === 'string') {
      p = writeMember(buf, p, end, STACK_KEY, stack);
      if (p < 0) return p;
    }
  }
  if (p === first) return writeAscii(buf, p, end, '{}');
  if (p >= end) return NO_ROOM;
  buf[first] = OPEN_BRACE;
  buf[p++] = CLOSE_BRACE;
  return p;
}

/**
 * Writes `,"key":value` at `p` as JSON.stringify writes a plain value in an object (nothing for
 * what it leaves out: undefined, symbols); returns the new end, NOT_PLAIN or NO_ROOM.
 */
function writeMember(buf: Buffer, p: number, end: number, key: Buffer, value: unknown): number {
  switch (typeof value) {
    case 'string':
      p = copyBytes(buf, p, end, key);
      return p < 0 ? p : writeString(buf, p, end, value);
    case 'number':
      p = copyBytes(buf, p, end, key);
      // JSON writes finite numbers as String() does (-0 as 0), the others as null.
      return p < 0 ? p : writeAscii(buf, p, end, Number.isFinite(value) ? String(value) : 'null');
    case 'boolean':
      p = copyBytes(buf, p, end, key);
      return p < 0 ? p : writeAscii(buf, p, end, value ? 'true' : 'false');
    case 'undefined':
    case 'symbol':
      return p;
    case 'object':
      if (value !== null) return NOT_PLAIN;
      p = copyBytes(buf, p, end, key);
      return p < 0 ? p : writeAscii(buf, p, end, 'null');
    default:
      // A function may have a toJSON; a BigInt throws or has one: the careful path says.
      return NOT_PLAIN;
  }
}

/** A JSON string literal of `text` at `p`, byte for byte what JSON.stringify writes. */
function writeString(buf: Buffer, p: number, end: number, text: string): number {
  const length = text.length;
  // Printable ASCII takes one byte per character, plus the quotes.
  if (p + length + 2 > end) return writeEscaped(buf, p, end, text);
  const start = p;
  buf[p++] = QUOTE;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < FIRST_PRINTABLE || c > LAST_ASCII || c === QUOTE || c === BACKSLASH) {
      return writeEscaped(buf, start, end, text);
    }
    buf[p++] = c;
  }
  buf[p++] = QUOTE;
  return p;
}

/** JSON.stringify's own literal of `text` (escapes, non-ASCII as UTF-8) at `p`. */
function writeEscaped(buf: Buffer, p: number, end: number, text: string): number {
  const json = JSON.stringify(text);
  const room = end - p;
  if (json.length > room || Buffer.byteLength(json) > room) return NO_ROOM;
  return p + buf.write(json, p);
}

function writeAscii(buf: Buffer, p: number, end: number, text: string): number {
  const length = text.length;
  if (p + length > end) return NO_ROOM;
  for (let i = 0; i < length; i++) buf[p++] = text.charCodeAt(i);
  return p;
}

function copyBytes(buf: Buffer, p: number, end: number, bytes: Buffer): number {
  const length = bytes.length;
  if (p + length > end) return NO_ROOM;
  for (let i = 0; i < length; i++) buf[p++] = bytes[i]!;
  return p;
}

/**
 * Whether JSON.stringify writes the key where it is copied: `msg` would overwrite the third
 * member in place, `__proto__` sets the prototype instead of a field, and array-index keys are
 * written before all others.
 */
function isPlainKey(key: string): boolean {
  if (key === 'msg' || key === '__proto__') return false;
  const first = key.charCodeAt(0);
  return !(first >= DIGIT_0 && first <= DIGIT_9);
}

/** `,"key":` as UTF-8, from a bounded cache (field names repeat from event to event). */
function keyBytesOf(key: string): Buffer {
  let bytes = keyBytes.get(key);
  if (bytes === undefined) {
    bytes = memberKey(key);
    if (keyBytes.size < KEY_BYTES_CACHE_KEYS) keyBytes.set(key, bytes);
  }
  return bytes;
}

function memberKey(key: string): Buffer {
  return Buffer.from(`,${JSON.stringify(key)}:`);
}

/** Field names whose key bytes are kept: any app's own fields, bounded against odd ones. */
export const KEY_BYTES_CACHE_KEYS = 1024;
const keyBytes = new Map<string, Buffer>();

const TIME_KEY = memberKey('time');
const LEVEL_KEY_BYTES = memberKey('level');
const MSG_KEY = memberKey('msg');
const STACK_KEY = memberKey('stack');
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const FIRST_PRINTABLE = 0x20;
const LAST_ASCII = 0x7f;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
