/*
 * One pass over an NCSA common / combined access line, as Apache httpd and nginx write it:
 *
 *   host ident user [10/Oct/2000:13:55:36 -0700] "GET /a?b=1 HTTP/1.1" 200 2326 "referrer" "agent" extra
 *   └─ \S+ fields ─┘ └──── fixed-width date ───┘ └──── quoted ───────┘ └ status, bytes ┘ └ optional ┘
 *
 * It accepts exactly the lines the grammar below accepts and reads the same fields from them
 * (a differential test holds it to the regular expression, hostile lines included). The regular
 * expression cost more than half of what shipping an access line cost; a scanner that looks at
 * each character once, with `indexOf` for the long quoted fields, costs a fraction of it.
 *
 *   ^(\S+) (\S+) (\S+) \[(\d{1,2})/([A-Za-z]{3})/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d\d:?\d\d)\]
 *   "Q" (\d{3}) (\d+|-)(?: "Q" "Q")?(?:\s(.*))?$     Q = ([^"\\]*(?:\\.[^"\\]*)*)
 *   request line: ^([A-Za-z][A-Za-z-]*) (\S+)(?: (\S+))?$
 */
import { isoFromParts } from './timestamp.js';

/**
 * The fields of one access line, as the access parser's event holds them: `-` fields and
 * empty quoted fields are `undefined`, `time` is ISO UTC (undefined when the date or zone is
 * not a real one), `extra` is the trimmed text after the combined fields.
 */
export interface AccessLine {
  clientIp: string;
  ident: string | undefined;
  user: string | undefined;
  time: string | undefined;
  /** The request line as written between its quotes (the event's `msg`). */
  request: string;
  /** Read from the request line when it is `METHOD path [protocol]`. */
  method: string | undefined;
  path: string | undefined;
  protocol: string | undefined;
  status: number;
  bytes: number;
  referrer: string | undefined;
  agent: string | undefined;
  extra: string | undefined;
  /**
   * No field holds a character JSON writes escaped (`"`, `\`, control characters, surrogates):
   * each can be written between quotes as it is.
   */
  plainJson: boolean;
}

const ABSENT = '-';
const CHAR_TAB = 0x09;
const CHAR_LF = 0x0a;
const CHAR_CR = 0x0d;
const CHAR_SPACE = 0x20;
const CHAR_QUOTE = 0x22;
const CHAR_PLUS = 0x2b;
const CHAR_MINUS = 0x2d;
const CHAR_SLASH = 0x2f;
const CHAR_0 = 0x30;
const CHAR_COLON = 0x3a;
const CHAR_OPEN_BRACKET = 0x5b;
const CHAR_BACKSLASH = 0x5c;
const CHAR_CLOSE_BRACKET = 0x5d;
const CHAR_LS = 0x2028;
const CHAR_PS = 0x2029;
const MAX_ASCII_PRINTABLE = 0x7e;
/** Zone offsets beyond ±14:59 are not real ones (the parser then leaves `time` out). */
const MAX_ZONE_HOURS = 14;
const MONTH_NAMES = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
];
/** Each month's three characters as one number, so a line's month is read without a string. */
const MONTH_KEYS = MONTH_NAMES.map((name) => monthKey(name, 0));

/**
 * What makes a line need the careful reading: control characters (tabs, line ends), `\`,
 * whitespace other than the space, surrogates. Lines without any (nearly all) are read with
 * `indexOf`: a field ends at the next space, a quoted field at the next quote.
 */
const UNUSUAL =
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  /[\u0000-\u001f\\\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ud800-\udfff\ufeff]/;
const MINUTES_PER_HOUR = 60;

/** The time of the last line read, and its parts (see readAccessLine). */
let lastTimeKey = -1;
let lastTimeOffset = 0;
let lastTime: string | undefined;

/**
 * The fields of `line` (a trailing `\r` ignored) when it is an access line, else `undefined`.
 *
 * @example
 * ```ts
 * readAccessLine('10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 503 12')?.time;
 * // '2000-10-10T20:55:36.000Z'
 * ```
 */
export function readAccessLine(line: string): AccessLine | undefined {
  const end = line.charCodeAt(line.length - 1) === CHAR_CR ? line.length - 1 : line.length;
  // The shape first (three fields, then `[`), so other lines cost a few indexOf calls only.
  const s1 = line.indexOf(' ');
  if (s1 <= 0) return undefined;
  const s2 = line.indexOf(' ', s1 + 1);
  if (s2 <= s1 + 1) return undefined;
  const s3 = line.indexOf(' ', s2 + 1);
  if (s3 <= s2 + 1 || line.charCodeAt(s3 + 1) !== CHAR_OPEN_BRACKET) return undefined;
  const unusual = line.search(UNUSUAL);
  const usual = unusual === -1 || unusual >= end;
  if (
    !usual &&
    !(noWhitespace(line, 0, s1) && noWhitespace(line, s1 + 1, s2) && noWhitespace(line, s2 + 1, s3))
  ) {
    return undefined;
  }

  // [d/Mon/yyyy:hh:mm:ss ±hh:?mm] "
  let p = s3 + 1;
  if (line.charCodeAt(p++) !== CHAR_OPEN_BRACKET) return undefined;
  let day = digit(line, p++);
  if (day < 0) return undefined;
  const d2 = digit(line, p);
  if (d2 >= 0) {
    day = day * 10 + d2;
    p++;
  }
  if (line.charCodeAt(p++) !== CHAR_SLASH) return undefined;
  if (!isLetter(line, p) || !isLetter(line, p + 1) || !isLetter(line, p + 2)) return undefined;
  const month = monthAt(line, p);
  p += 3;
  if (line.charCodeAt(p++) !== CHAR_SLASH) return undefined;
  const year = digits(line, p, 4);
  p += 4;
  if (year < 0 || line.charCodeAt(p++) !== CHAR_COLON) return undefined;
  const hour = digits(line, p, 2);
  p += 2;
  if (hour < 0 || line.charCodeAt(p++) !== CHAR_COLON) return undefined;
  const minute = digits(line, p, 2);
  p += 2;
  if (minute < 0 || line.charCodeAt(p++) !== CHAR_COLON) return undefined;
  const second = digits(line, p, 2);
  p += 2;
  if (second < 0 || line.charCodeAt(p++) !== CHAR_SPACE) return undefined;
  const sign = line.charCodeAt(p++);
  if (sign !== CHAR_PLUS && sign !== CHAR_MINUS) return undefined;
  const zoneHours = digits(line, p, 2);
  p += 2;
  if (zoneHours < 0) return undefined;
  if (line.charCodeAt(p) === CHAR_COLON) p++;
  const zoneMinutes = digits(line, p, 2);
  p += 2;
  if (zoneMinutes < 0) return undefined;
  if (
    line.charCodeAt(p++) !== CHAR_CLOSE_BRACKET ||
    line.charCodeAt(p++) !== CHAR_SPACE ||
    line.charCodeAt(p++) !== CHAR_QUOTE
  ) {
    return undefined;
  }
  const requestStart = p;
  // Every quoted field ends at the first unescaped quote; escapes only in unusual lines.
  const escapes = !usual && line.indexOf('\\', p) !== -1;

  // "request" ddd (\d+|-)
  const requestEnd = quoteEnd(line, p, end, escapes);
  if (requestEnd < 0) return undefined;
  const request = line.slice(p, requestEnd);
  p = requestEnd + 1;
  if (line.charCodeAt(p++) !== CHAR_SPACE) return undefined;
  const status = digits(line, p, 3);
  p += 3;
  if (status < 0 || line.charCodeAt(p++) !== CHAR_SPACE) return undefined;
  let bytes = 0;
  if (line.charCodeAt(p) === CHAR_MINUS) {
    p++;
  } else {
    const bytesStart = p;
    while (digit(line, p) >= 0) p++;
    if (p === bytesStart) return undefined;
    bytes = Number(line.slice(bytesStart, p));
  }
  if (p > end) return undefined;

  // (?: "referrer" "agent")?(?:\s(.*))?$ : the combined fields, if what follows them is a
  // valid end; else all of the rest is extra text.
  let referrer: string | undefined;
  let agent: string | undefined;
  let extraStart = -1;
  let matched = p === end;
  if (!matched && line.charCodeAt(p) === CHAR_SPACE && line.charCodeAt(p + 1) === CHAR_QUOTE) {
    const refEnd = quoteEnd(line, p + 2, end, escapes);
    if (
      refEnd >= 0 &&
      line.charCodeAt(refEnd + 1) === CHAR_SPACE &&
      line.charCodeAt(refEnd + 2) === CHAR_QUOTE
    ) {
      const agentEnd = quoteEnd(line, refEnd + 3, end, escapes);
      if (agentEnd >= 0) {
        const after = agentEnd + 1;
        if (
          after === end ||
          (isWhitespace(line.charCodeAt(after)) && (usual || oneLine(line, after + 1, end)))
        ) {
          referrer = line.slice(p + 2, refEnd);
          agent = line.slice(refEnd + 3, agentEnd);
          extraStart = after === end ? -1 : after + 1;
          matched = true;
        }
      }
    }
  }
  if (!matched) {
    if (!isWhitespace(line.charCodeAt(p)) || !(usual || oneLine(line, p + 1, end))) {
      return undefined;
    }
    extraStart = p + 1;
  }

  let time: string | undefined;
  if (zoneHours <= MAX_ZONE_HOURS && zoneMinutes < MINUTES_PER_HOUR) {
    const offset = (sign === CHAR_MINUS ? -1 : 1) * (zoneHours * MINUTES_PER_HOUR + zoneMinutes);
    // Busy servers write many lines a second: the last second's text is kept, keyed by its
    // parts (each below 100, the year below 10,000: the key is exact in a double).
    const key = ((((year * 100 + month) * 100 + day) * 100 + hour) * 100 + minute) * 100 + second;
    if (key !== lastTimeKey || offset !== lastTimeOffset) {
      lastTime = isoFromParts(year, month, day, hour, minute, second, 0, offset);
      lastTimeKey = key;
      lastTimeOffset = offset;
    }
    time = lastTime;
  }
  const extra = extraStart < 0 ? '' : line.slice(extraStart, end).trim();
  const out: AccessLine = {
    clientIp: line.slice(0, s1),
    ident: field(line, s1 + 1, s2),
    user: field(line, s2 + 1, s3),
    time,
    request,
    method: undefined,
    path: undefined,
    protocol: undefined,
    status,
    bytes,
    referrer: referrer === ABSENT || referrer === '' ? undefined : referrer,
    agent: agent === ABSENT || agent === '' ? undefined : agent,
    extra: extra === '' ? undefined : extra,
    // The request's opening quote is the line's first, and extra text has none.
    plainJson: usual && line.indexOf('"') === requestStart - 1 && !extra.includes('"'),
  };
  readRequestLine(request, out, usual);
  return out;
}

/** The unquoted field in [from, to), `undefined` when it is `-` (most idents and users). */
function field(line: string, from: number, to: number): string | undefined {
  return to === from + 1 && line.charCodeAt(from) === CHAR_MINUS ? undefined : line.slice(from, to);
}

/** `METHOD path [protocol]` into `out`; anything else (a scanner's bytes) sets nothing. */
function readRequestLine(request: string, out: AccessLine, usual: boolean): void {
  const n = request.length;
  const first = request.charCodeAt(0);
  if (!isAsciiLetter(first)) return;
  let i = 1;
  for (; i < n; i++) {
    const c = request.charCodeAt(i);
    if (!isAsciiLetter(c) && c !== CHAR_MINUS) break;
  }
  if (i >= n || request.charCodeAt(i) !== CHAR_SPACE) return;
  const pathStart = i + 1;
  let j = pathStart;
  if (usual) {
    j = request.indexOf(' ', pathStart);
    if (j === -1) j = n;
  } else {
    while (j < n && !isWhitespace(request.charCodeAt(j))) j++;
  }
  if (j === pathStart) return;
  let protocol: string | undefined;
  if (j < n) {
    if (request.charCodeAt(j) !== CHAR_SPACE || j + 1 === n) return;
    if (usual ? request.indexOf(' ', j + 1) !== -1 : !noWhitespace(request, j + 1, n)) return;
    protocol = request.slice(j + 1);
  }
  out.method = request.slice(0, i);
  out.path = request.slice(pathStart, j);
  out.protocol = protocol;
}

/**
 * Index of the quote that closes a quoted field opened before `from`, or -1. Without escapes it
 * is the next quote; with them a backslash takes the next character along, unless that one ends
 * a line (`.` in the grammar).
 */
function quoteEnd(line: string, from: number, end: number, escapes: boolean): number {
  if (!escapes) {
    const q = line.indexOf('"', from);
    return q < end ? q : -1;
  }
  for (let i = from; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c === CHAR_QUOTE) return i;
    if (c === CHAR_BACKSLASH) {
      if (i + 1 >= end || isLineTerminator(line.charCodeAt(i + 1))) return -1;
      i++;
    }
  }
  return -1;
}

/** `\S` for every character of `line` in [from, to). */
function noWhitespace(line: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    // Printable ASCII other than space is the usual case: one comparison.
    if ((c <= CHAR_SPACE || c > MAX_ASCII_PRINTABLE) && isWhitespace(c)) return false;
  }
  return true;
}

/** `.` for every character of `line` in [from, to): nothing that ends a line. */
function oneLine(line: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (isLineTerminator(line.charCodeAt(i))) return false;
  return true;
}

function isLineTerminator(c: number): boolean {
  return c === CHAR_LF || c === CHAR_CR || c === CHAR_LS || c === CHAR_PS;
}

/** What `\s` matches: ECMAScript WhiteSpace and LineTerminator. */
export function isWhitespace(c: number): boolean {
  if (c <= CHAR_SPACE) return c === CHAR_SPACE || (c >= CHAR_TAB && c <= CHAR_CR);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === CHAR_LS ||
    c === CHAR_PS ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

function isAsciiLetter(c: number): boolean {
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x7a;
}

function isLetter(line: string, i: number): boolean {
  return isAsciiLetter(line.charCodeAt(i));
}

/** The ASCII digit at `i` as a number, or -1 (also past the end: NaN fails both tests). */
function digit(line: string, i: number): number {
  const d = line.charCodeAt(i) - CHAR_0;
  return d >= 0 && d <= 9 ? d : -1;
}

/** `count` ASCII digits from `i` as a number, or -1. */
function digits(line: string, i: number, count: number): number {
  let value = 0;
  for (let k = 0; k < count; k++) {
    const d = digit(line, i + k);
    if (d < 0) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** Month number (1–12) of the English abbreviation at `i` as written (`Oct`; `oct` is not), or 0. */
function monthAt(line: string, i: number): number {
  return MONTH_KEYS.indexOf(monthKey(line, i)) + 1;
}

function monthKey(text: string, i: number): number {
  return (text.charCodeAt(i) << 16) | (text.charCodeAt(i + 1) << 8) | text.charCodeAt(i + 2);
}
