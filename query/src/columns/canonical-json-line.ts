/*
 *   '{"time":"…","n":12,"user":{"id":7}}' ─▶ one pass over the tokens (strings skipped whole)
 *     ─┬─ every token as JSON.stringify writes it, as far as DuckDB's JSON reader can tell ─▶ keys
 *      └─ anything else (whitespace, BOM, `1.0`, `1e3`, `-0`, 16+ digits, `"1":` in a nested
 *         object, a lone surrogate, not an object) ─▶ -1
 *
 * DuckDB reads a number as an integer or a double by its text and writes it back (a VARCHAR or
 * JSON column) in that form, so `1.0` and `1` differ there though JavaScript parses both to 1;
 * integers past 15 digits may not survive a double; JavaScript lists integer-like keys first;
 * duplicate keys are dropped by JSON.parse but refused or kept by DuckDB. A line free of all
 * that, whose key count equals its parsed event's, reads in DuckDB as the event's
 * JSON.stringify text would (see the differential test of the stream rows).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const LOWER_T = 0x74;
const LOWER_F = 0x66;
const LOWER_N = 0x6e;

/**
 * Significant digits every number may have: any decimal of up to 15 significant digits comes
 * back from a double unchanged, so an integer stays exact and a fraction stays a fraction.
 */
export const MAX_EXACT_DIGITS = 15;

/**
 * The number of keys (at every depth) of a JSON object line written as `JSON.stringify`
 * writes what it parses to, as far as DuckDB's JSON reading can tell; -1 when it is not such
 * a line (or not JSON). For a line already known to parse (`JSON.parse`): it checks form, not
 * every rule of the grammar.
 *
 * @example
 * ```ts
 * canonicalJsonKeys('{"a":1,"b":{"c":"x"}}'); // 3
 * canonicalJsonKeys('{"a":1.0}'); // -1
 * canonicalJsonKeys('{"a": 1}'); // -1
 * ```
 */
export function canonicalJsonKeys(line: string): number {
  const n = line.length;
  if (n < 2 || line.charCodeAt(0) !== OPEN_BRACE || !isWellFormed(line)) return -1;
  let keys = 0;
  let depth = 0;
  let i = 0;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === QUOTE) {
      const end = closingQuote(line, i + 1);
      if (end < 0) return -1;
      if (line.charCodeAt(end + 1) === COLON) {
        // Integer-like keys of nested objects (kept as JSON text) are listed first by JavaScript.
        if (depth > 1 && mayBeIndexKey(line.charCodeAt(i + 1))) return -1;
        keys++;
        i = end + 2;
      } else {
        i = end + 1;
      }
    } else if (c === COMMA) {
      i++;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      i++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      i++;
      if (depth === 0) return i === n ? keys : -1;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      i = numberEnd(line, i);
      if (i < 0) return -1;
    } else if (c === LOWER_T && line.startsWith('true', i)) {
      i += 4;
    } else if (c === LOWER_F && line.startsWith('false', i)) {
      i += 5;
    } else if (c === LOWER_N && line.startsWith('null', i)) {
      i += 4;
    } else {
      return -1; // whitespace, a BOM, or not JSON
    }
  }
  return -1;
}

/** The index of the quote closing a string whose text starts at `from`; -1 if none. */
function closingQuote(line: string, from: number): number {
  let end = line.indexOf('"', from);
  while (end > 0 && isEscaped(line, end)) end = line.indexOf('"', end + 1);
  return end;
}

/** Whether the character at `at` follows an odd number of backslashes. */
function isEscaped(line: string, at: number): boolean {
  let backslashes = 0;
  while (line.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
  return backslashes % 2 === 1;
}

/** A key starting with a digit (or an escape, which may spell one) may be an array index. */
function mayBeIndexKey(first: number): boolean {
  return isDigit(first) || first === BACKSLASH;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/**
 * The end of the number starting at `start` when JSON.stringify would write its value the same
 * way (and DuckDB read it as the same kind), else -1: an integer of at most
 * {@link MAX_EXACT_DIGITS} digits other than `-0`, or a fraction ending in a non-zero digit
 * within as many significant digits; no exponent.
 */
function numberEnd(line: string, start: number): number {
  let i = start;
  if (line.charCodeAt(i) === MINUS) i++;
  const intStart = i;
  const first = line.charCodeAt(i);
  if (first === ZERO) i++;
  else if (isDigit(first)) {
    i++;
    while (isDigit(line.charCodeAt(i))) i++;
  } else return -1;
  let digits = i - intStart;
  let c = line.charCodeAt(i);
  if (c === DOT) {
    const fractionStart = ++i;
    while (isDigit(line.charCodeAt(i))) i++;
    const fraction = i - fractionStart;
    if (fraction === 0 || line.charCodeAt(i - 1) === ZERO) return -1;
    if (first === ZERO) digits = 0;
    if (digits + fraction > MAX_EXACT_DIGITS) return -1;
    c = line.charCodeAt(i);
  } else if (digits > MAX_EXACT_DIGITS || (first === ZERO && intStart !== start)) {
    return -1; // too long for a double, or -0 (which JSON.stringify writes as 0)
  }
  return c === LOWER_E || c === UPPER_E ? -1 : i;
}

/**
 * `String.prototype.isWellFormed` (ES2024, in every Node this package supports): no lone
 * surrogate, which JSON.stringify would escape and a UTF-8 write would replace.
 *
 * @example
 * ```ts
 * isWellFormed('a\ud800'); // false
 * ```
 */
export function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}
