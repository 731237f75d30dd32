import { normalizePartitionKey } from '../sink/partition-key.js';

/**
 * Reads one top-level field of a JSON line without parsing the whole line into objects: the
 * pino worker needs only the partition key field of each line pino already serialized.
 *
 *   line ─► scan compact JSON (pino's own output: no whitespace between tokens), checking every
 *           token as JSON.parse would, member by member; the last member named `field` wins
 *           (as in JSON.parse)
 *         ─► its value text ─► JSON.parse of that text alone (a string, number, true, false, null)
 *         ─► normalizePartitionKey
 *   anything else (whitespace, a key with escapes, a syntax error, an object or array value)
 *         ─► JSON.parse(line)[field], the careful path: the answer is always the careful path's
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const SPACE = 0x20;
/** Escapes JSON allows after a backslash, besides `u`: " \ / b f n r t. */
const SIMPLE_ESCAPE = new Uint8Array(128);
for (const c of [0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]) SIMPLE_ESCAPE[c] = 1;
const LOWER_U = 0x75;
const HEX = /^[0-9a-fA-F]{4}$/;
/** A run of string characters that need no escape (sticky: matched from `lastIndex`). */
// eslint-disable-next-line no-control-regex -- JSON strings hold exactly these unescaped
const PLAIN_RUN = /[^"\\\u0000-\u001f]*/y;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
/** Nesting the scan follows; deeper lines take the careful path. */
const MAX_SCAN_DEPTH = 64;

/** @internal What {@link scanField} answers when it gives up: take the careful path. */
export const GIVE_UP = Symbol('give up');
/** Index form of {@link GIVE_UP}. */
const NO_INDEX = -1;

/**
 * The partition key of a JSON line under a `{ field }` policy, exactly as
 * {@link carefulLineKey} gives it, without building the line's objects in the usual case.
 *
 * @example
 * ```ts
 * lineKey('{"level":30,"reqId":"r-1","msg":"hi"}', 'reqId'); // 'r-1'
 * ```
 */
export function lineKey(line: string, field: string): string | undefined {
  const fast = scanField(line, field);
  if (fast === GIVE_UP) return carefulLineKey(line, field);
  return normalizePartitionKey(fast);
}

/**
 * The careful path, which {@link lineKey} always agrees with: the line parsed whole, its
 * `field` made a key by {@link normalizePartitionKey}; undefined when the line is not JSON.
 *
 * @example
 * ```ts
 * carefulLineKey('{"reqId":42}', 'reqId'); // '42'
 * ```
 */
export function carefulLineKey(line: string, field: string): string | undefined {
  try {
    const event = JSON.parse(line) as unknown;
    if (event === null || typeof event !== 'object') return undefined;
    return normalizePartitionKey((event as Record<string, unknown>)[field]);
  } catch {
    return undefined;
  }
}

/** @internal The field's raw value by the fast scan, or {@link GIVE_UP}. */
export function scanField(line: string, field: string): unknown {
  const n = line.length;
  if (n < 2 || line.charCodeAt(0) !== OPEN_BRACE) return GIVE_UP;
  let i = 1;
  let valueStart = -1;
  let valueEnd = -1;
  if (line.charCodeAt(i) === CLOSE_BRACE) return i + 1 === n ? undefined : GIVE_UP;
  for (;;) {
    // A key without escapes.
    if (line.charCodeAt(i) !== QUOTE) return GIVE_UP;
    const keyEnd = line.indexOf('"', i + 1);
    if (keyEnd === -1 || !plainText(line, i + 1, keyEnd)) return GIVE_UP;
    const isField = keyEnd - i - 1 === field.length && line.startsWith(field, i + 1);
    i = keyEnd + 1;
    if (line.charCodeAt(i) !== COLON) return GIVE_UP;
    const start = i + 1;
    const end = skipValue(line, start, 1);
    if (end === NO_INDEX) return GIVE_UP;
    if (isField) {
      valueStart = start;
      valueEnd = end;
    }
    i = end;
    const c = line.charCodeAt(i);
    if (c === COMMA) {
      i++;
      continue;
    }
    if (c === CLOSE_BRACE && i + 1 === n) break;
    return GIVE_UP;
  }
  if (valueStart === -1) return undefined;
  const first = line.charCodeAt(valueStart);
  // An object or array (checked above) makes no key.
  if (first === OPEN_BRACE || first === OPEN_BRACKET) return undefined;
  const text = line.slice(valueStart, valueEnd);
  if (first === QUOTE && !text.includes('\\')) return text.slice(1, -1);
  return JSON.parse(text) as unknown;
}

/** True when `line[from, to)` is text JSON takes as it is: no escapes, no control characters. */
function plainText(line: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = line.charCodeAt(k);
    if (c < SPACE || c === BACKSLASH) return false;
  }
  return true;
}

/** Index just past the valid compact JSON value starting at `i`, or NO_INDEX. */
function skipValue(line: string, i: number, depth: number): number {
  const c = line.charCodeAt(i);
  if (c === QUOTE) return skipString(line, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    if (depth >= MAX_SCAN_DEPTH) return NO_INDEX;
    return skipContainer(line, i, c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET, depth + 1);
  }
  if (line.startsWith('true', i)) return i + 4;
  if (line.startsWith('null', i)) return i + 4;
  if (line.startsWith('false', i)) return i + 5;
  return skipNumber(line, i);
}

/** Index just past the JSON number starting at `i`, or NO_INDEX. */
function skipNumber(line: string, i: number): number {
  let k = i;
  if (line.charCodeAt(k) === MINUS) k++;
  if (line.charCodeAt(k) === DIGIT_0) k++;
  else if (isDigit(line.charCodeAt(k))) while (isDigit(line.charCodeAt(k))) k++;
  else return NO_INDEX;
  if (line.charCodeAt(k) === DOT) {
    if (!isDigit(line.charCodeAt(++k))) return NO_INDEX;
    while (isDigit(line.charCodeAt(k))) k++;
  }
  const e = line.charCodeAt(k);
  if (e === LOWER_E || e === UPPER_E) {
    const sign = line.charCodeAt(++k);
    if (sign === PLUS || sign === MINUS) k++;
    if (!isDigit(line.charCodeAt(k))) return NO_INDEX;
    while (isDigit(line.charCodeAt(k))) k++;
  }
  return k;
}

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_0 + 9;
}

/** Index just past the string starting at `i` (a quote), checking its escapes, or NO_INDEX. */
function skipString(line: string, i: number): number {
  let k = i + 1;
  for (;;) {
    // Plain characters in one native step; then a quote, a backslash or something invalid.
    PLAIN_RUN.lastIndex = k;
    PLAIN_RUN.test(line);
    k = PLAIN_RUN.lastIndex;
    const c = line.charCodeAt(k);
    if (c === QUOTE) return k + 1;
    if (c !== BACKSLASH) return NO_INDEX;
    const e = line.charCodeAt(k + 1);
    if (SIMPLE_ESCAPE[e] === 1) k += 2;
    else if (e === LOWER_U && HEX.test(line.slice(k + 2, k + 6))) k += 6;
    else return NO_INDEX;
  }
}

/** Index just past the object or array starting at `i`, checking what it holds, or NO_INDEX. */
function skipContainer(line: string, i: number, close: number, depth: number): number {
  let k = i + 1;
  if (line.charCodeAt(k) === close) return k + 1;
  for (;;) {
    if (close === CLOSE_BRACE) {
      if (line.charCodeAt(k) !== QUOTE) return NO_INDEX;
      k = skipString(line, k);
      if (k === NO_INDEX || line.charCodeAt(k) !== COLON) return NO_INDEX;
      k++;
    }
    k = skipValue(line, k, depth);
    if (k === NO_INDEX) return NO_INDEX;
    const c = line.charCodeAt(k);
    if (c === close) return k + 1;
    if (c !== COMMA) return NO_INDEX;
    k++;
  }
}
