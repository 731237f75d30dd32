/*
 * An access line's JSON record written from its bytes into a caller's buffer, for the lines
 * that need no care: printable ASCII only (no control character, no `\`, nothing beyond 0x7e),
 * with no quote outside the quoted fields. Those are nearly all the lines a web server writes,
 * and for them the text is exactly `accessEventJson(readAccessLine(line), more)` (a differential
 * test holds the two to it, hostile lines included): no string, no fields object, no JSON text
 * made per line.
 *
 *   line bytes ─ shape (3 fields, `[`)? ─ all plain ASCII? ─ fields read ─► JSON bytes at `at`
 *        └────────────── anything else ─────────────────────► -1: the caller takes the string path
 */
import { isoFromParts } from './timestamp.js';

/** Most bytes a record holds beyond twice its line and `more`: keys, time, status, count. */
const MAX_RECORD_OVERHEAD_BYTES = 256;

/**
 * Room {@link writeAccessJson} needs from where it writes, for a line of `lineBytes` and
 * `moreBytes` of members: at most twice the line (`method`, `path` and `protocol` repeat the
 * request), `more`, and the constant parts.
 *
 * @example
 * ```ts
 * const out = Buffer.alloc(accessJsonRoomBytes(line.length, more.length));
 * ```
 */
export function accessJsonRoomBytes(lineBytes: number, moreBytes: number): number {
  return 2 * lineBytes + moreBytes + MAX_RECORD_OVERHEAD_BYTES;
}

/** A byte count longer than this may not survive a double: the string path writes it. */
const MAX_EXACT_DIGITS = 15;
const MINUTES_PER_HOUR = 60;
/** Zone offsets beyond ±14:59 are not real ones (the record then has no `time`). */
const MAX_ZONE_HOURS = 14;
const STATUS_SERVER_ERROR = 500;
const STATUS_CLIENT_ERROR = 400;

const SPACE = 0x20;
const QUOTE = 0x22;
const PLUS = 0x2b;
const MINUS = 0x2d;
const SLASH = 0x2f;
const ZERO = 0x30;
const COLON = 0x3a;
const LESS = 0x3c;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const LAST_PRINTABLE = 0x7e;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH_KEYS = MONTHS.map(
  (m) => (m.charCodeAt(0) << 16) | (m.charCodeAt(1) << 8) | m.charCodeAt(2),
);

const LEVEL_ERROR = Buffer.from('{"level":"error","msg":"', 'latin1');
const LEVEL_WARN = Buffer.from('{"level":"warn","msg":"', 'latin1');
const LEVEL_INFO = Buffer.from('{"level":"info","msg":"', 'latin1');
const CLIENT_IP = Buffer.from('","clientIp":"', 'latin1');
const STATUS = Buffer.from('","status":', 'latin1');
const BYTES = Buffer.from(',"bytes":', 'latin1');
const TIME = Buffer.from(',"time":"', 'latin1');
const IDENT = Buffer.from(',"ident":"', 'latin1');
const USER = Buffer.from(',"user":"', 'latin1');
const METHOD = Buffer.from(',"method":"', 'latin1');
const PATH = Buffer.from('","path":"', 'latin1');
const PROTOCOL = Buffer.from('","protocol":"', 'latin1');
const REFERRER = Buffer.from(',"referrer":"', 'latin1');
const AGENT = Buffer.from(',"agent":"', 'latin1');
const EXTRA = Buffer.from(',"extra":"', 'latin1');

/** ISO text of the minute of the last line written (its seconds are patched per line). */
let lastMinuteKey = -1;
let lastMinuteReal = false;
let lastIso: Uint8Array | undefined;
/** `YYYY-MM-DDTHH:MM:SS.sssZ`: where its seconds are. */
const ISO_CHARS = 24;
const ISO_SECONDS_AT = 17;
const MAX_PLAIN_SECOND = 59;

/**
 * Writes the JSON record of the access line `src[from, to)` (no line end) into `out` from
 * `at`, with `more` (members, each opening with a comma) before the closing brace, and answers
 * where it ends; answers -1, having written nothing that counts, when the line is not one it
 * writes: not an access line as the parser reads it, or one needing care (see the module
 * comment). `out` must hold {@link accessJsonRoomBytes} from `at`.
 *
 * @param auto - read as the `auto` parser does: lines opening like another format (`{`, `[`,
 *   `<`, whitespace) are not access lines
 *
 * @example
 * ```ts
 * const line = Buffer.from('10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 503 12');
 * const out = Buffer.alloc(accessJsonRoomBytes(line.length, 0));
 * const end = writeAccessJson(line, 0, line.length, out, 0, Buffer.alloc(0), true);
 * out.toString('utf8', 0, end) === accessEventJson(readAccessLine(line.toString())!); // true
 * ```
 */
export function writeAccessJson(
  src: Uint8Array,
  from: number,
  to: number,
  out: Uint8Array,
  at: number,
  more: Uint8Array,
  auto: boolean,
): number {
  if (to <= from) return -1;
  const first = src[from]!;
  if (auto && (first === OPEN_BRACE || first === OPEN_BRACKET || first === LESS)) return -1;
  // The shape first (three fields, then `[`), so other lines cost a few indexOf calls only.
  const s1 = indexOf(src, SPACE, from, to);
  if (s1 <= from) return -1;
  const s2 = indexOf(src, SPACE, s1 + 1, to);
  if (s2 <= s1 + 1) return -1;
  const s3 = indexOf(src, SPACE, s2 + 1, to);
  if (s3 <= s2 + 1 || s3 + 1 >= to || src[s3 + 1] !== OPEN_BRACKET) return -1;
  // Every byte of the line is either checked below as the grammar reads it or copied by
  // copyPlain, which gives up on any byte that would need care: the line is known plain once
  // the record is written.

  // [d/Mon/yyyy:hh:mm:ss ±hh:?mm] "   (every read below is before `to`: checked or counted)
  let p = s3 + 2;
  if (p + 26 > to) return -1; // the shortest date, the `] "` after it, and the closing quote
  let day = digit(src[p++]!);
  if (day < 0) return -1;
  const d2 = digit(src[p]!);
  if (d2 >= 0) {
    day = day * 10 + d2;
    p++;
  }
  if (src[p++] !== SLASH) return -1;
  if (!isLetter(src[p]!) || !isLetter(src[p + 1]!) || !isLetter(src[p + 2]!)) return -1;
  const month = MONTH_KEYS.indexOf((src[p]! << 16) | (src[p + 1]! << 8) | src[p + 2]!) + 1;
  p += 3;
  if (src[p++] !== SLASH) return -1;
  const year = digits(src, p, 4);
  p += 4;
  if (year < 0 || src[p++] !== COLON) return -1;
  const hour = digits(src, p, 2);
  p += 2;
  if (hour < 0 || src[p++] !== COLON) return -1;
  const minute = digits(src, p, 2);
  p += 2;
  if (minute < 0 || src[p++] !== COLON) return -1;
  const second = digits(src, p, 2);
  p += 2;
  if (second < 0 || src[p++] !== SPACE) return -1;
  const sign = src[p++];
  if (sign !== PLUS && sign !== MINUS) return -1;
  const zoneHours = digits(src, p, 2);
  p += 2;
  if (zoneHours < 0) return -1;
  if (src[p] === COLON) p++;
  if (p + 6 > to) return -1;
  const zoneMinutes = digits(src, p, 2);
  p += 2;
  if (zoneMinutes < 0) return -1;
  if (src[p++] !== CLOSE_BRACKET || src[p++] !== SPACE || src[p++] !== QUOTE) return -1;
  const requestStart = p;

  // "request" ddd (\d+|-)
  const requestEnd = indexOf(src, QUOTE, p, to);
  if (requestEnd < 0) return -1;
  p = requestEnd + 1;
  if (p + 5 > to || src[p++] !== SPACE) return -1;
  const status = digits(src, p, 3);
  p += 3;
  if (status < 0 || src[p++] !== SPACE) return -1;
  let bytesFrom = p;
  let bytesTo = p;
  if (p < to && src[p] === MINUS) {
    p++;
  } else {
    while (p < to && digit(src[p]!) >= 0) p++;
    if (p === bytesFrom) return -1;
    bytesTo = p;
    // Number() drops leading zeros; a count that long would be rounded (or null).
    while (bytesFrom < bytesTo - 1 && src[bytesFrom] === ZERO) bytesFrom++;
    if (bytesTo - bytesFrom > MAX_EXACT_DIGITS) return -1;
  }

  // (?: "referrer" "agent")?(?:\s(.*))?$ : the combined fields, if what follows them is a
  // valid end; else all of the rest is extra text. In plain ASCII, whitespace is the space.
  let refFrom = -1;
  let refTo = -1;
  let agentFrom = -1;
  let agentTo = -1;
  let extraFrom = to;
  let matched = p === to;
  if (!matched && src[p] === SPACE && p + 1 < to && src[p + 1] === QUOTE) {
    const refEnd = indexOf(src, QUOTE, p + 2, to);
    if (refEnd >= 0 && refEnd + 2 < to && src[refEnd + 1] === SPACE && src[refEnd + 2] === QUOTE) {
      const agentEnd = indexOf(src, QUOTE, refEnd + 3, to);
      if (agentEnd >= 0) {
        const after = agentEnd + 1;
        if (after === to || src[after] === SPACE) {
          refFrom = p + 2;
          refTo = refEnd;
          agentFrom = refEnd + 3;
          agentTo = agentEnd;
          extraFrom = after === to ? to : after + 1;
          matched = true;
        }
      }
    }
  }
  if (!matched) {
    if (src[p] !== SPACE) return -1;
    extraFrom = p + 1;
  }
  // The extra text, trimmed.
  let extraTo = to;
  while (extraFrom < extraTo && src[extraFrom] === SPACE) extraFrom++;
  while (extraTo > extraFrom && src[extraTo - 1] === SPACE) extraTo--;

  let time: Uint8Array | undefined;
  if (zoneHours <= MAX_ZONE_HOURS && zoneMinutes < MINUTES_PER_HOUR) {
    time = isoBytes(year, month, day, hour, minute, second, sign === MINUS, zoneHours, zoneMinutes);
  }

  let o = at;
  o = put(
    status >= STATUS_SERVER_ERROR
      ? LEVEL_ERROR
      : status >= STATUS_CLIENT_ERROR
        ? LEVEL_WARN
        : LEVEL_INFO,
    out,
    o,
  );
  o = copyPlain(src, requestStart, requestEnd, out, o);
  if (o < 0) return -1;
  o = put(CLIENT_IP, out, o);
  o = copyPlain(src, from, s1, out, o);
  if (o < 0) return -1;
  o = put(STATUS, out, o);
  o = writeInt(status, out, o);
  o = put(BYTES, out, o);
  if (bytesTo === bytesFrom) out[o++] = ZERO;
  else o = copy(src, bytesFrom, bytesTo, out, o); // digits, checked
  if (time !== undefined) {
    o = put(TIME, out, o);
    o = put(time, out, o);
    out[o++] = QUOTE;
  }
  o = optionalField(IDENT, src, s1 + 1, s2, out, o);
  o = optionalField(USER, src, s2 + 1, s3, out, o);
  if (o < 0) return -1;
  // The request's bytes were checked as its msg was copied.
  o = writeRequestLine(src, requestStart, requestEnd, out, o);
  if (refFrom >= 0) {
    o = optionalField(REFERRER, src, refFrom, refTo, out, o);
    o = optionalField(AGENT, src, agentFrom, agentTo, out, o);
    if (o < 0) return -1;
  }
  if (extraFrom < extraTo) {
    o = put(EXTRA, out, o);
    o = copyPlain(src, extraFrom, extraTo, out, o);
    if (o < 0) return -1;
    out[o++] = QUOTE;
  }
  o = put(more, out, o);
  out[o++] = CLOSE_BRACE;
  return o;
}

/**
 * `isoFromParts(…, second, 0, offset)` as bytes, undefined when it is. Busy servers write many
 * lines a minute: the minute's text is kept, keyed by its parts and zone (each below 100, the
 * year below 10,000: the key is exact in a double), and only the seconds written per line; a
 * leap second (60, which rolls the minute over) is computed in full.
 */
function isoBytes(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  west: boolean,
  zoneHours: number,
  zoneMinutes: number,
): Uint8Array | undefined {
  const offset = (west ? -1 : 1) * (zoneHours * MINUTES_PER_HOUR + zoneMinutes);
  const key =
    (((((year * 100 + month) * 100 + day) * 100 + hour) * 100 + minute) * 2 + (west ? 1 : 0)) *
      10_000 +
    zoneHours * 100 +
    zoneMinutes;
  if (key !== lastMinuteKey) {
    const iso = isoFromParts(year, month, day, hour, minute, 0, 0, offset);
    // Years beyond 0000-9999 in UTC are written in the six-digit form: never patched.
    lastIso = iso?.length === ISO_CHARS ? Buffer.from(iso, 'latin1') : undefined;
    lastMinuteKey = key;
    lastMinuteReal = iso !== undefined;
  }
  if (second > MAX_PLAIN_SECOND || (lastIso === undefined && lastMinuteReal)) {
    const iso = isoFromParts(year, month, day, hour, minute, second, 0, offset);
    return iso === undefined ? undefined : Buffer.from(iso, 'latin1');
  }
  const iso = lastIso;
  if (iso === undefined) return undefined;
  iso[ISO_SECONDS_AT] = ZERO + Math.floor(second / 10);
  iso[ISO_SECONDS_AT + 1] = ZERO + (second % 10);
  return iso;
}

/**
 * `,"name":"value"` unless the value is empty or `-` (the parser leaves those out); -1 (also
 * when `o` is) when the value needs care.
 */
function optionalField(
  name: Uint8Array,
  src: Uint8Array,
  from: number,
  to: number,
  out: Uint8Array,
  o: number,
): number {
  if (o < 0 || to === from || (to === from + 1 && src[from] === MINUS)) return o;
  o = copyPlain(src, from, to, out, put(name, out, o));
  if (o >= 0) out[o++] = QUOTE;
  return o;
}

/** `METHOD path [protocol]` as members; anything else (a scanner's bytes) writes nothing. */
function writeRequestLine(
  src: Uint8Array,
  from: number,
  to: number,
  out: Uint8Array,
  o: number,
): number {
  if (from === to || !isLetter(src[from]!)) return o;
  let i = from + 1;
  while (i < to && (isLetter(src[i]!) || src[i] === MINUS)) i++;
  if (i >= to || src[i] !== SPACE) return o;
  const pathFrom = i + 1;
  let j = indexOf(src, SPACE, pathFrom, to);
  if (j === -1) j = to;
  if (j === pathFrom) return o;
  let protocolFrom = -1;
  if (j < to) {
    if (j + 1 === to || indexOf(src, SPACE, j + 1, to) !== -1) return o;
    protocolFrom = j + 1;
  }
  o = put(METHOD, out, o);
  o = copy(src, from, i, out, o);
  o = put(PATH, out, o);
  o = copy(src, pathFrom, j, out, o);
  if (protocolFrom >= 0) {
    o = put(PROTOCOL, out, o);
    o = copy(src, protocolFrom, to, out, o);
  }
  out[o++] = QUOTE;
  return o;
}

/**
 * Copies `src[from, to)` when each byte is printable ASCII JSON writes as it is (not `"` or
 * `\`), answering where it ends; else -1. A quote in a field is one before the request's (or
 * in the extra text): the string path escapes it.
 */
function copyPlain(src: Uint8Array, from: number, to: number, out: Uint8Array, o: number): number {
  for (let i = from; i < to; i++) {
    const c = src[i]!;
    if (c < SPACE || c > LAST_PRINTABLE || c === BACKSLASH || c === QUOTE) return -1;
    out[o++] = c;
  }
  return o;
}

/** First `byte` in `src[from, to)`, or -1. */
function indexOf(src: Uint8Array, byte: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (src[i] === byte) return i;
  return -1;
}

/**
 * Bytes already checked. Copied by hand: for pieces this short a loop costs less than the
 * builtins (copyWithin, set) or a native copy, measured.
 */
function copy(src: Uint8Array, from: number, to: number, out: Uint8Array, o: number): number {
  for (let i = from; i < to; i++) out[o++] = src[i]!;
  return o;
}

function put(piece: Uint8Array, out: Uint8Array, o: number): number {
  for (let i = 0; i < piece.length; i++) out[o++] = piece[i]!;
  return o;
}

/** A non-negative integer below 1,000 in decimal. */
function writeInt(value: number, out: Uint8Array, o: number): number {
  if (value >= 100) out[o++] = ZERO + Math.floor(value / 100);
  if (value >= 10) out[o++] = ZERO + (Math.floor(value / 10) % 10);
  out[o++] = ZERO + (value % 10);
  return o;
}

function isLetter(c: number): boolean {
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x7a;
}

/** The ASCII digit `c` as a number, or -1 (also for undefined: NaN fails both tests). */
function digit(c: number): number {
  const d = c - ZERO;
  return d >= 0 && d <= 9 ? d : -1;
}

/** `count` ASCII digits from `i` as a number, or -1. */
function digits(src: Uint8Array, i: number, count: number): number {
  let value = 0;
  for (let k = 0; k < count; k++) {
    const d = digit(src[i + k]!);
    if (d < 0) return -1;
    value = value * 10 + d;
  }
  return value;
}
