/*
 * writeAccessJson (core/src/parsers/access-json-writer.ts) in AssemblyScript: the same record,
 * byte for byte, and the same -1 cases, for every input (a differential test holds the two to
 * it). Compiled by core/scripts/build-wasm.mjs into core/src/parsers/access-json-wasm-bytes.ts.
 *
 *   line in linear memory ─ all printable ASCII but `\` (SIMD)? ─ shape? ─ fields read ─►
 *        record bytes at `out` (pieces copied 16 bytes at a time)      └─ else ─► -1
 *
 * Memory is the host's (imported, never grown): it passes addresses only. Reads may run up to
 * 15 bytes past a line's end (a SIMD block, its extra bytes masked), so the host leaves 16
 * bytes of room after every line it passes; writes never pass the record's end.
 */

const SPACE: u32 = 0x20;
const QUOTE: u32 = 0x22;
const PLUS: u32 = 0x2b;
const MINUS: u32 = 0x2d;
const DOT: u32 = 0x2e;
const SLASH: u32 = 0x2f;
const ZERO: u32 = 0x30;
const COLON: u32 = 0x3a;
const LESS: u32 = 0x3c;
const OPEN_BRACKET: u32 = 0x5b;
const BACKSLASH: u32 = 0x5c;
const CLOSE_BRACKET: u32 = 0x5d;
const LETTER_T: u32 = 0x54;
const LETTER_Z: u32 = 0x5a;
const OPEN_BRACE: u32 = 0x7b;
const CLOSE_BRACE: u32 = 0x7d;

/** A byte count longer than this may not survive a double: the string path writes it. */
const MAX_EXACT_DIGITS: i32 = 15;
const MAX_ZONE_HOURS: i32 = 14;
const MINUTES_PER_HOUR: i32 = 60;
const STATUS_SERVER_ERROR: i32 = 500;
const STATUS_CLIENT_ERROR: i32 = 400;
/** Date.UTC reads the years 0-99 as 1900-1999. */
const TWO_DIGIT_YEARS: i32 = 99;
const TWO_DIGIT_YEAR_BASE: i32 = 1900;
const MAX_SECOND: i32 = 60;
const SECONDS_PER_DAY: i64 = 86_400;
const LAST_FOUR_DIGIT_YEAR: i64 = 9_999;

/** `Jan`..`Dec` as 24-bit keys (first letter highest), in month order. */
const MONTH_KEYS = memory.data<u32>([
  0x4a616e, 0x466562, 0x4d6172, 0x417072, 0x4d6179, 0x4a756e, 0x4a756c, 0x417567, 0x536570,
  0x4f6374, 0x4e6f76, 0x446563,
]);
const MONTHS: i32 = 12;

/** Each constant piece of the record: its bytes and its length. */
const LEVEL_ERROR = ascii(memory.data(32), '{"level":"error","msg":"');
const LEVEL_ERROR_BYTES: usize = 24;
const LEVEL_WARN = ascii(memory.data(32), '{"level":"warn","msg":"');
const LEVEL_WARN_BYTES: usize = 23;
const LEVEL_INFO = ascii(memory.data(32), '{"level":"info","msg":"');
const LEVEL_INFO_BYTES: usize = 23;
const CLIENT_IP = ascii(memory.data(32), '","clientIp":"');
const CLIENT_IP_BYTES: usize = 14;
const STATUS = ascii(memory.data(32), '","status":');
const STATUS_BYTES: usize = 11;
const BYTES = ascii(memory.data(32), ',"bytes":');
const BYTES_BYTES: usize = 9;
const TIME = ascii(memory.data(32), ',"time":"');
const TIME_BYTES: usize = 9;
const IDENT = ascii(memory.data(32), ',"ident":"');
const IDENT_BYTES: usize = 10;
const USER = ascii(memory.data(32), ',"user":"');
const USER_BYTES: usize = 9;
const METHOD = ascii(memory.data(32), ',"method":"');
const METHOD_BYTES: usize = 11;
const PATH = ascii(memory.data(32), '","path":"');
const PATH_BYTES: usize = 10;
const PROTOCOL = ascii(memory.data(32), '","protocol":"');
const PROTOCOL_BYTES: usize = 14;
const REFERRER = ascii(memory.data(32), ',"referrer":"');
const REFERRER_BYTES: usize = 13;
const AGENT = ascii(memory.data(32), ',"agent":"');
const AGENT_BYTES: usize = 10;
const EXTRA = ascii(memory.data(32), ',"extra":"');
const EXTRA_BYTES: usize = 10;

/** The ISO day (`YYYY-MM-DDT`, or `±YYYYYY-MM-DDT`) of the last time written: logs are in order. */
const DAY_TEXT = memory.data(16);
let dayTextBytes: usize = 0;
let lastDay: i64 = i64.MIN_VALUE;

/** Writes ASCII `text` at `at` in static memory (once, at start); answers `at`. */
function ascii(at: usize, text: string): usize {
  for (let i = 0; i < text.length; i++) store<u8>(at + <usize>i, <u8>text.charCodeAt(i));
  return at;
}

/** End of the static data: the host lays its own areas out above it. */
export function staticEnd(): usize {
  return __heap_base;
}

/**
 * Writes the JSON record of the access line at `[from, to)` to `out`, with the `moreBytes` of
 * members at `more` before the closing brace; answers where it ends, or -1 (see the module
 * comment of the TypeScript writer for which lines). `auto`: lines opening with `{`, `[` or
 * `<` are another format's.
 */
export function writeAccessJson(
  from: usize,
  to: usize,
  out: usize,
  more: usize,
  moreBytes: usize,
  auto: bool,
): isize {
  if (to <= from) return -1;
  const first = byteAt(from);
  if (auto && (first == OPEN_BRACE || first == OPEN_BRACKET || first == LESS)) return -1;
  // Any byte JSON would escape, or beyond ASCII, and the string path writes the line: each byte
  // is checked as the grammar reads it or copied, so no such byte is ever written as it is.
  if (!allPlain(from, to)) return -1;
  const s1 = indexOf(SPACE, from, to);
  if (s1 <= <isize>from) return -1;
  const s2 = indexOf(SPACE, <usize>s1 + 1, to);
  if (s2 <= s1 + 1) return -1;
  const s3 = indexOf(SPACE, <usize>s2 + 1, to);
  if (s3 <= s2 + 1 || <usize>s3 + 1 >= to || byteAt(<usize>s3 + 1) != OPEN_BRACKET) return -1;

  // [d/Mon/yyyy:hh:mm:ss ±hh:?mm] "
  let p = <usize>s3 + 2;
  if (p + 26 > to) return -1;
  let day = digit(byteAt(p++));
  if (day < 0) return -1;
  const d2 = digit(byteAt(p));
  if (d2 >= 0) {
    day = day * 10 + d2;
    p++;
  }
  if (byteAt(p++) != SLASH) return -1;
  const m0 = byteAt(p);
  const m1 = byteAt(p + 1);
  const m2 = byteAt(p + 2);
  if (!isLetter(m0) || !isLetter(m1) || !isLetter(m2)) return -1;
  const month = monthOf((m0 << 16) | (m1 << 8) | m2);
  p += 3;
  if (byteAt(p++) != SLASH) return -1;
  const year = digits(p, 4);
  p += 4;
  if (year < 0 || byteAt(p++) != COLON) return -1;
  const hour = digits(p, 2);
  p += 2;
  if (hour < 0 || byteAt(p++) != COLON) return -1;
  const minute = digits(p, 2);
  p += 2;
  if (minute < 0 || byteAt(p++) != COLON) return -1;
  const second = digits(p, 2);
  p += 2;
  if (second < 0 || byteAt(p++) != SPACE) return -1;
  const sign = byteAt(p++);
  if (sign != PLUS && sign != MINUS) return -1;
  const zoneHours = digits(p, 2);
  p += 2;
  if (zoneHours < 0) return -1;
  if (byteAt(p) == COLON) p++;
  if (p + 6 > to) return -1;
  const zoneMinutes = digits(p, 2);
  p += 2;
  if (zoneMinutes < 0) return -1;
  if (byteAt(p++) != CLOSE_BRACKET || byteAt(p++) != SPACE || byteAt(p++) != QUOTE) return -1;
  const requestStart = p;

  // "request" ddd (\d+|-)
  const requestEnd = indexOf(QUOTE, p, to);
  if (requestEnd < 0) return -1;
  p = <usize>requestEnd + 1;
  if (p + 5 > to || byteAt(p++) != SPACE) return -1;
  const status = digits(p, 3);
  p += 3;
  if (status < 0 || byteAt(p++) != SPACE) return -1;
  let bytesFrom = p;
  let bytesTo = p;
  if (p < to && byteAt(p) == MINUS) {
    p++;
  } else {
    while (p < to && digit(byteAt(p)) >= 0) p++;
    if (p == bytesFrom) return -1;
    bytesTo = p;
    while (bytesFrom < bytesTo - 1 && byteAt(bytesFrom) == ZERO) bytesFrom++;
    if (bytesTo - bytesFrom > <usize>MAX_EXACT_DIGITS) return -1;
  }

  // (?: "referrer" "agent")?(?:\s(.*))?$
  let refFrom: usize = 0;
  let refTo: usize = 0;
  let agentFrom: usize = 0;
  let agentTo: usize = 0;
  let combined = false;
  let extraFrom = to;
  let matched = p == to;
  if (!matched && byteAt(p) == SPACE && p + 1 < to && byteAt(p + 1) == QUOTE) {
    const refEnd = indexOf(QUOTE, p + 2, to);
    if (
      refEnd >= 0 &&
      <usize>refEnd + 2 < to &&
      byteAt(<usize>refEnd + 1) == SPACE &&
      byteAt(<usize>refEnd + 2) == QUOTE
    ) {
      const agentEnd = indexOf(QUOTE, <usize>refEnd + 3, to);
      if (agentEnd >= 0) {
        const after = <usize>agentEnd + 1;
        if (after == to || byteAt(after) == SPACE) {
          refFrom = p + 2;
          refTo = <usize>refEnd;
          agentFrom = <usize>refEnd + 3;
          agentTo = <usize>agentEnd;
          combined = true;
          extraFrom = after == to ? to : after + 1;
          matched = true;
        }
      }
    }
  }
  if (!matched) {
    if (byteAt(p) != SPACE) return -1;
    extraFrom = p + 1;
  }
  let extraTo = to;
  while (extraFrom < extraTo && byteAt(extraFrom) == SPACE) extraFrom++;
  while (extraTo > extraFrom && byteAt(extraTo - 1) == SPACE) extraTo--;

  // The fields copied as they are must hold no quote (the string path escapes it); the request,
  // referrer and agent end at their first quote.
  const ident = optional(<usize>s1 + 1, <usize>s2);
  const user = optional(<usize>s2 + 1, <usize>s3);
  if (
    indexOf(QUOTE, from, <usize>s1) >= 0 ||
    (ident && indexOf(QUOTE, <usize>s1 + 1, <usize>s2) >= 0) ||
    (user && indexOf(QUOTE, <usize>s2 + 1, <usize>s3) >= 0) ||
    (extraFrom < extraTo && indexOf(QUOTE, extraFrom, extraTo) >= 0)
  ) {
    return -1;
  }

  let o = out;
  if (status >= STATUS_SERVER_ERROR) o = copy(o, LEVEL_ERROR, LEVEL_ERROR_BYTES);
  else if (status >= STATUS_CLIENT_ERROR) o = copy(o, LEVEL_WARN, LEVEL_WARN_BYTES);
  else o = copy(o, LEVEL_INFO, LEVEL_INFO_BYTES);
  o = copy(o, requestStart, <usize>requestEnd - requestStart);
  o = copy(o, CLIENT_IP, CLIENT_IP_BYTES);
  o = copy(o, from, <usize>s1 - from);
  o = copy(o, STATUS, STATUS_BYTES);
  o = writeStatus(o, status);
  o = copy(o, BYTES, BYTES_BYTES);
  if (bytesTo == bytesFrom) store<u8>(o++, <u8>ZERO);
  else o = copy(o, bytesFrom, bytesTo - bytesFrom);
  if (zoneHours <= MAX_ZONE_HOURS && zoneMinutes < MINUTES_PER_HOUR) {
    const offset = (sign == MINUS ? -1 : 1) * (zoneHours * MINUTES_PER_HOUR + zoneMinutes);
    o = writeTime(o, year, month, day, hour, minute, second, offset);
  }
  if (ident) o = field(o, IDENT, IDENT_BYTES, <usize>s1 + 1, <usize>s2);
  if (user) o = field(o, USER, USER_BYTES, <usize>s2 + 1, <usize>s3);
  o = writeRequestLine(o, requestStart, <usize>requestEnd);
  if (combined) {
    if (optional(refFrom, refTo)) o = field(o, REFERRER, REFERRER_BYTES, refFrom, refTo);
    if (optional(agentFrom, agentTo)) o = field(o, AGENT, AGENT_BYTES, agentFrom, agentTo);
  }
  if (extraFrom < extraTo) o = field(o, EXTRA, EXTRA_BYTES, extraFrom, extraTo);
  o = copy(o, more, moreBytes);
  store<u8>(o++, <u8>CLOSE_BRACE);
  return <isize>o;
}

/** Whether a field's value is written: not empty, not `-` (the parser leaves those out). */
@inline
function optional(from: usize, to: usize): bool {
  return to != from && !(to == from + 1 && byteAt(from) == MINUS);
}

/** `,"name":"value"`. */
@inline
function field(o: usize, name: usize, nameBytes: usize, from: usize, to: usize): usize {
  o = copy(o, name, nameBytes);
  o = copy(o, from, to - from);
  store<u8>(o, <u8>QUOTE);
  return o + 1;
}

/** `METHOD path [protocol]` as members; anything else (a scanner's bytes) writes nothing. */
function writeRequestLine(o: usize, from: usize, to: usize): usize {
  if (from == to || !isLetter(byteAt(from))) return o;
  let i = from + 1;
  while (i < to && (isLetter(byteAt(i)) || byteAt(i) == MINUS)) i++;
  if (i >= to || byteAt(i) != SPACE) return o;
  const pathFrom = i + 1;
  let j = indexOf(SPACE, pathFrom, to);
  if (j < 0) j = <isize>to;
  if (<usize>j == pathFrom) return o;
  let protocolFrom: usize = 0;
  const withProtocol = <usize>j < to;
  if (withProtocol) {
    if (<usize>j + 1 == to || indexOf(SPACE, <usize>j + 1, to) >= 0) return o;
    protocolFrom = <usize>j + 1;
  }
  o = copy(o, METHOD, METHOD_BYTES);
  o = copy(o, from, i - from);
  o = copy(o, PATH, PATH_BYTES);
  o = copy(o, pathFrom, <usize>j - pathFrom);
  if (withProtocol) {
    o = copy(o, PROTOCOL, PROTOCOL_BYTES);
    o = copy(o, protocolFrom, to - protocolFrom);
  }
  store<u8>(o, <u8>QUOTE);
  return o + 1;
}

/** A status (below 1,000) in decimal, without leading zeros. */
function writeStatus(o: usize, value: i32): usize {
  if (value >= 100) store<u8>(o++, <u8>(ZERO + value / 100));
  if (value >= 10) store<u8>(o++, <u8>(ZERO + ((value / 10) % 10)));
  store<u8>(o++, <u8>(ZERO + (value % 10)));
  return o;
}

function daysInMonth(year: i32, month: i32): i32 {
  if (month == 2) return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28;
  return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
}

/**
 * `,"time":"…"` as `isoFromParts(…, second, 0, offset)` writes it (nothing when that is
 * undefined): Date.UTC's arithmetic (days past a month's end and a leap second roll over; years
 * 0-99 are 1900-1999), then toISOString's text (six digits and a sign beyond 0000-9999).
 */
function writeTime(
  o: usize,
  year: i32,
  month: i32,
  day: i32,
  hour: i32,
  minute: i32,
  second: i32,
  offsetMinutes: i32,
): usize {
  if (
    !(month >= 1 && month <= 12) ||
    !(day >= 1 && day <= daysInMonth(year, month)) ||
    !(hour < 24 && minute < 60 && second <= MAX_SECOND)
  ) {
    return o;
  }
  const y = year <= TWO_DIGIT_YEARS ? year + TWO_DIGIT_YEAR_BASE : year;
  const epochSeconds =
    daysFromCivil(y, month, day) * SECONDS_PER_DAY +
    <i64>(hour * 3600 + minute * 60 + second - offsetMinutes * 60);
  let days = epochSeconds / SECONDS_PER_DAY;
  if (days * SECONDS_PER_DAY > epochSeconds) days--;
  const secondOfDay = <i32>(epochSeconds - days * SECONDS_PER_DAY);
  if (days != lastDay) {
    dayTextBytes = writeDay(DAY_TEXT, days) - DAY_TEXT;
    lastDay = days;
  }
  o = copy(o, TIME, TIME_BYTES);
  o = copy(o, DAY_TEXT, dayTextBytes);
  const h = secondOfDay / 3600;
  const mi = (secondOfDay / 60) % 60;
  const s = secondOfDay % 60;
  o = twoDigits(o, h);
  store<u8>(o++, <u8>COLON);
  o = twoDigits(o, mi);
  store<u8>(o++, <u8>COLON);
  o = twoDigits(o, s);
  store<u8>(o++, <u8>DOT);
  store<u8>(o++, <u8>ZERO);
  store<u8>(o++, <u8>ZERO);
  store<u8>(o++, <u8>ZERO);
  store<u8>(o++, <u8>LETTER_Z);
  store<u8>(o++, <u8>QUOTE);
  return o;
}

/** Days from 1970-01-01 of a proleptic Gregorian date; days past the month's end roll over. */
function daysFromCivil(year: i32, month: i32, day: i32): i64 {
  const y: i64 = <i64>year - (month <= 2 ? 1 : 0);
  const era: i64 = (y >= 0 ? y : y - 399) / 400;
  const yoe: i64 = y - era * 400;
  const mp: i64 = <i64>((month + 9) % 12);
  const doy: i64 = (153 * mp + 2) / 5 + <i64>day - 1;
  const doe: i64 = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146_097 + doe - 719_468;
}

/** `YYYY-MM-DDT` (or `±YYYYYY-MM-DDT`) of a day from 1970-01-01 at `o`; where it ends. */
function writeDay(o: usize, days: i64): usize {
  const z: i64 = days + 719_468;
  const era: i64 = (z >= 0 ? z : z - 146_096) / 146_097;
  const doe: i64 = z - era * 146_097;
  const yoe: i64 = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
  const doy: i64 = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp: i64 = (5 * doy + 2) / 153;
  const d = <i32>(doy - (153 * mp + 2) / 5 + 1);
  const m = <i32>(mp < 10 ? mp + 3 : mp - 9);
  const y: i64 = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (y >= 0 && y <= LAST_FOUR_DIGIT_YEAR) {
    o = fixedDigits(o, y, 4);
  } else {
    store<u8>(o++, <u8>(y < 0 ? MINUS : PLUS));
    o = fixedDigits(o, y < 0 ? -y : y, 6);
  }
  store<u8>(o++, <u8>MINUS);
  o = twoDigits(o, m);
  store<u8>(o++, <u8>MINUS);
  o = twoDigits(o, d);
  store<u8>(o++, <u8>LETTER_T);
  return o;
}

function fixedDigits(o: usize, value: i64, count: i32): usize {
  let v = value;
  for (let k = count - 1; k >= 0; k--) {
    store<u8>(o + <usize>k, <u8>(<i64>ZERO + (v % 10)));
    v /= 10;
  }
  return o + <usize>count;
}

@inline
function twoDigits(o: usize, value: i32): usize {
  store<u8>(o, <u8>(ZERO + value / 10));
  store<u8>(o + 1, <u8>(ZERO + (value % 10)));
  return o + 2;
}

/** Month number (1-12) of a three-letter key, or 0. */
function monthOf(key: u32): i32 {
  for (let i = 0; i < MONTHS; i++)
    if (load<u32>(MONTH_KEYS + ((<usize>i) << 2)) == key) return i + 1;
  return 0;
}

@inline
function byteAt(p: usize): u32 {
  return <u32>load<u8>(p);
}

@inline
function isLetter(c: u32): bool {
  return (c | 0x20) - 0x61 < 26;
}

/** The ASCII digit `c` as a number, or -1. */
@inline
function digit(c: u32): i32 {
  const d = c - ZERO;
  return d <= 9 ? <i32>d : -1;
}

/** `count` ASCII digits from `p` as a number, or -1. */
function digits(p: usize, count: i32): i32 {
  let value = 0;
  for (let k = 0; k < count; k++) {
    const d = digit(byteAt(p + <usize>k));
    if (d < 0) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** First `byte` in `[from, to)`, or -1; reads whole 16-byte blocks (see the module comment). */
function indexOf(byte: u32, from: usize, to: usize): isize {
  const needle = i8x16.splat(<i8>byte);
  for (let i = from; i < to; i += 16) {
    const mask = i8x16.bitmask(i8x16.eq(v128.load(i), needle));
    if (mask != 0) {
      const at = i + <usize>ctz(mask);
      return at < to ? <isize>at : -1;
    }
  }
  return -1;
}

/** Whether every byte of `[from, to)` is printable ASCII other than `\`. */
function allPlain(from: usize, to: usize): bool {
  const low = i8x16.splat(<i8>SPACE);
  const span = i8x16.splat(0x7e - 0x20);
  const backslash = i8x16.splat(<i8>BACKSLASH);
  for (let i = from; i < to; i += 16) {
    const v = v128.load(i);
    const bad = v128.or(i8x16.gt_u(i8x16.sub(v, low), span), i8x16.eq(v, backslash));
    let mask = i8x16.bitmask(bad);
    const left = to - i;
    if (left < 16) mask &= (1 << (<i32>left)) - 1;
    if (mask != 0) return false;
  }
  return true;
}

/** Copies `n` bytes from `src` to `o` (apart), writing nothing past `o + n`; where it ends. */
@inline
function copy(o: usize, src: usize, n: usize): usize {
  if (n >= 16) {
    let i: usize = 0;
    for (; i + 16 < n; i += 16) v128.store(o + i, v128.load(src + i));
    v128.store(o + n - 16, v128.load(src + n - 16));
  } else if (n >= 8) {
    store<u64>(o, load<u64>(src));
    store<u64>(o + n - 8, load<u64>(src + n - 8));
  } else if (n >= 4) {
    store<u32>(o, load<u32>(src));
    store<u32>(o + n - 4, load<u32>(src + n - 4));
  } else if (n >= 2) {
    store<u16>(o, load<u16>(src));
    store<u16>(o + n - 2, load<u16>(src + n - 2));
  } else if (n == 1) {
    store<u8>(o, load<u8>(src));
  }
  return o + n;
}
