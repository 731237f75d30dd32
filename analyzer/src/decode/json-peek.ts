/*
 *   bytes ─▶ one pass, no allocation on the way ─┬─ not a valid JSON object ........ false
 *            (structure, strings, numbers,        ├─ a watched value it cannot read .. false
 *             literals, nesting ≤ MAX_DEPTH)      ├─ stopAt(slot, value) said stop ... false
 *                                                 └─ valid ─▶ true; `values` hold the last
 *                                                    value of each watched key (undefined: absent)
 *
 * Answers, without decoding the text or building the object, the two questions a screen asks
 * of most records: would `JSON.parse(new TextDecoder().decode(bytes))` give an object, and
 * what are its values under a few keys. Validation follows JSON.parse exactly on the ASCII
 * structure; bytes ≥ 0x80 are only ever allowed inside strings, which is all that can differ
 * between the bytes and their decoded text (invalid UTF-8 decodes to U+FFFD, never to ASCII).
 * Whatever would need the decoded text to be sure (escapes or non-ASCII in a watched key or
 * value, a leading BOM, deep nesting) answers `false`: the caller then parses the line in full.
 */

/** Bounds of {@link JsonPeek}. */
export const JsonPeekLimits = {
  /** Containers nested deeper than this are left to `JSON.parse`. */
  MAX_DEPTH: 64,
  /** Longest watched string value read out; longer ones are left to `JSON.parse`. */
  MAX_VALUE_BYTES: 64,
} as const;

/** Stand-in for an object or array under a watched key: only its type is real. */
export const OPAQUE_OBJECT: Readonly<Record<string, unknown>> = Object.freeze({});
export const OPAQUE_ARRAY: readonly unknown[] = Object.freeze([]);

/** Which keys to read: top-level keys, and one key inside one top-level object. */
export interface JsonPeekFields {
  readonly keys: readonly string[];
  readonly nested?: { readonly parent: string; readonly key: string };
  /**
   * Called with each watched value as it is read (its slot in `values`, the value); `true`
   * ends the read at once, answering `false`. For callers that will parse the record in full
   * anyway once they see certain values: the rest need not be scanned.
   */
  readonly stopAt?: (slot: number, value: unknown) => boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const LOWER_U = 0x75;
const FIRST_NON_ASCII = 0x80;
const FIRST_PRINTABLE = 0x20;
const SPACE = 0x20;
const INVALID = -1;
/** Digits of an integer that are always below 2^53, so exact when summed as a double. */
const MAX_EXACT_INTEGER_DIGITS = 15;
/** Escapes JSON allows after a backslash, besides `\u`: " \ / b f n r t. */
const SIMPLE_ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);
/** What a byte means inside a string. */
const StringByteKinds = { plain: 0, quote: 1, backslash: 2, control: 3, nonAscii: 4 } as const;
/** `StringByteKinds.plain` as a plain constant: the hottest loop compares against it. */
const PLAIN = StringByteKinds.plain;
const STRING_BYTE_KINDS = Uint8Array.from({ length: 256 }, (_, b) => {
  if (b === QUOTE) return StringByteKinds.quote;
  if (b === BACKSLASH) return StringByteKinds.backslash;
  if (b < FIRST_PRINTABLE) return StringByteKinds.control;
  return b >= FIRST_NON_ASCII ? StringByteKinds.nonAscii : StringByteKinds.plain;
});
const LITERALS = [
  { bytes: [0x74, 0x72, 0x75, 0x65], value: true },
  { bytes: [0x66, 0x61, 0x6c, 0x73, 0x65], value: false },
  { bytes: [0x6e, 0x75, 0x6c, 0x6c], value: null },
] as const;
/** Bits of {@link stringFlags}. */
const ESCAPED = 1;
const NON_ASCII = 2;

/*
 * The scanner is a handful of functions over (bytes, position) that return the position after
 * what they scanned, or INVALID; the one thing they report besides is how the last string
 * scanned was written. Plain functions and one module variable, rather than methods and fields:
 * this runs once per record and is most of what a screened-out record costs.
 */
let stringFlags = 0;

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= DIGIT_0 && b <= DIGIT_9;
}

function isHex(b: number | undefined): boolean {
  return (
    b !== undefined &&
    ((b >= DIGIT_0 && b <= DIGIT_9) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66))
  );
}

function skipSpace(bytes: Uint8Array, pos: number): number {
  // Compact JSON has no whitespace between tokens: one comparison answers most calls.
  if (!((bytes[pos] ?? 0) <= SPACE)) return pos;
  while (isSpace(bytes[pos])) pos++;
  return pos;
}

/** Scans the string opening at `pos`; the position after its closing quote, or INVALID. */
function scanString(bytes: Uint8Array, pos: number): number {
  const length = bytes.length;
  let flags = 0;
  pos++;
  for (;;) {
    // Most bytes of most strings are plain ASCII: one table look-up each.
    while (pos < length && STRING_BYTE_KINDS[bytes[pos]!] === PLAIN) pos++;
    if (pos >= length) return INVALID;
    const kind = STRING_BYTE_KINDS[bytes[pos]!];
    if (kind === StringByteKinds.quote) {
      stringFlags = flags;
      return pos + 1;
    }
    if (kind === StringByteKinds.nonAscii) {
      flags |= NON_ASCII;
      pos++;
    } else if (kind === StringByteKinds.backslash) {
      flags |= ESCAPED;
      const next = bytes[pos + 1];
      if (next === LOWER_U) {
        if (!isHex(bytes[pos + 2]) || !isHex(bytes[pos + 3])) return INVALID;
        if (!isHex(bytes[pos + 4]) || !isHex(bytes[pos + 5])) return INVALID;
        pos += 6;
      } else if (next !== undefined && SIMPLE_ESCAPES.has(next)) {
        pos += 2;
      } else {
        return INVALID;
      }
    } else {
      return INVALID; // a control character: JSON strings must escape them
    }
  }
}

/** Scans a JSON number (`-? (0 | [1-9]\d*) (. \d+)? ([eE] [+-]? \d+)?`) at `pos`. */
function scanNumber(bytes: Uint8Array, pos: number): number {
  if (bytes[pos] === MINUS) pos++;
  if (bytes[pos] === DIGIT_0) pos++;
  else if (isDigit(bytes[pos])) while (isDigit(bytes[pos])) pos++;
  else return INVALID;
  if (bytes[pos] === DOT) {
    pos++;
    if (!isDigit(bytes[pos])) return INVALID;
    while (isDigit(bytes[pos])) pos++;
  }
  if (bytes[pos] === LOWER_E || bytes[pos] === UPPER_E) {
    pos++;
    if (bytes[pos] === PLUS || bytes[pos] === MINUS) pos++;
    if (!isDigit(bytes[pos])) return INVALID;
    while (isDigit(bytes[pos])) pos++;
  }
  return pos;
}

/** The literal (true, false, null) at `pos`, or undefined. */
function literalAt(bytes: Uint8Array, pos: number): (typeof LITERALS)[number] | undefined {
  for (const literal of LITERALS) {
    let i = 0;
    while (i < literal.bytes.length && bytes[pos + i] === literal.bytes[i]) i++;
    if (i === literal.bytes.length) return literal;
  }
  return undefined;
}

/** Scans any value at `pos`, reading nothing out of it. */
function skipValue(bytes: Uint8Array, pos: number, depth: number): number {
  const first = bytes[pos];
  if (first === QUOTE) return scanString(bytes, pos);
  if (first === MINUS || isDigit(first)) return scanNumber(bytes, pos);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    if (depth >= JsonPeekLimits.MAX_DEPTH) return INVALID;
    return skipContainer(bytes, pos, depth + 1);
  }
  const literal = literalAt(bytes, pos);
  return literal === undefined ? INVALID : pos + literal.bytes.length;
}

/** Scans the object or array opening at `pos`, reading nothing out of it. */
function skipContainer(bytes: Uint8Array, pos: number, depth: number): number {
  const isObject = bytes[pos] === OPEN_BRACE;
  const close = isObject ? CLOSE_BRACE : CLOSE_BRACKET;
  pos = skipSpace(bytes, pos + 1);
  if (bytes[pos] === close) return pos + 1;
  for (;;) {
    if (isObject) {
      if (bytes[pos] !== QUOTE) return INVALID;
      pos = scanString(bytes, pos);
      if (pos === INVALID) return INVALID;
      pos = skipSpace(bytes, pos);
      if (bytes[pos] !== COLON) return INVALID;
      pos = skipSpace(bytes, pos + 1);
    }
    pos = skipValue(bytes, pos, depth);
    if (pos === INVALID) return INVALID;
    pos = skipSpace(bytes, pos);
    const next = bytes[pos];
    if (next === close) return pos + 1;
    if (next !== COMMA) return INVALID;
    pos = skipSpace(bytes, pos + 1);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[start + i]) return false;
  return true;
}

function asciiBytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= FIRST_NON_ASCII || code < FIRST_PRINTABLE || code === QUOTE || code === BACKSLASH) {
      throw new RangeError(`watched JSON keys must be plain ASCII, got ${JSON.stringify(text)}`);
    }
    bytes[i] = code;
  }
  return bytes;
}

/**
 * Watched values repeat (a handful of level names and statuses): each is made into a string
 * once and found again by its bytes, instead of building a new string per record.
 */
class AsciiStringCache {
  /** Entries kept before the cache starts over; real watched values are far fewer. */
  static readonly MAX_ENTRIES = 256;
  private readonly entries = new Map<number, { bytes: Uint8Array; text: string }>();

  get(bytes: Uint8Array, start: number, end: number): string {
    let hash = end - start;
    for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + bytes[i]!) | 0;
    const entry = this.entries.get(hash);
    if (entry !== undefined && sameBytes(entry.bytes, bytes, start, end)) return entry.text;
    const copy = bytes.slice(start, end);
    const text = String.fromCharCode(...copy);
    if (this.entries.size >= AsciiStringCache.MAX_ENTRIES) this.entries.clear();
    this.entries.set(hash, { bytes: copy, text });
    return text;
  }
}

/** Marks a watched value that cannot be read from the bytes alone. */
const UNREADABLE = Symbol('unreadable');

/**
 * Validates a JSON object in UTF-8 bytes and reads a few of its values, for screens that decide
 * most records from those values alone.
 *
 * @example
 * ```ts
 * const peek = new JsonPeek({ keys: ['level', 'status'], nested: { parent: 'res', key: 'code' } });
 * peek.read(new TextEncoder().encode('{"level":"info","status":200,"res":{"code":7}}'));
 * // true; peek.values = ['info', 200, OPAQUE_OBJECT, 7]
 * ```
 */
export class JsonPeek {
  private readonly keys: readonly string[];
  private readonly keyBytes: readonly Uint8Array[];
  private readonly keysByLength: (number[] | undefined)[] = [];
  private readonly parentIndex: number;
  private readonly nestedKeyBytes: Uint8Array;
  private readonly strings = new AsciiStringCache();
  private readonly stopAt: ((slot: number, value: unknown) => boolean) | undefined;
  /**
   * After a `true` {@link read}: the last value of each watched key, in the order of
   * `fields.keys` (then the nested parent, when not among them), or `undefined`; then, at
   * {@link nestedSlot}, the nested key's value in the last nested parent when that was an
   * object. Containers are {@link OPAQUE_OBJECT} and {@link OPAQUE_ARRAY}: only their type is
   * real. Overwritten by the next read.
   */
  readonly values: unknown[];
  /** Index in {@link values} of the nested key's value (the last slot). */
  readonly nestedSlot: number;

  constructor(fields: JsonPeekFields) {
    const parent = fields.nested?.parent;
    this.keys =
      parent === undefined || fields.keys.includes(parent) ? fields.keys : [...fields.keys, parent];
    this.keyBytes = this.keys.map(asciiBytes);
    this.keyBytes.forEach((key, k) => (this.keysByLength[key.length] ??= []).push(k));
    this.parentIndex = parent === undefined ? INVALID : this.keys.indexOf(parent);
    this.nestedKeyBytes = asciiBytes(fields.nested?.key ?? '');
    this.nestedSlot = this.keys.length;
    this.stopAt = fields.stopAt;
    this.values = new Array<unknown>(this.keys.length + 1).fill(undefined);
  }

  /**
   * Whether `bytes` (trailing whitespace allowed) are exactly one valid JSON object whose watched
   * values could all be read, into {@link values} (`JSON.parse` keeps the last of duplicate
   * keys, and so does this). After `false`, {@link values} are unspecified.
   */
  read(bytes: Uint8Array): boolean {
    const values = this.values;
    // Indexed stores into one packed array: keyed stores into an object cost more than the scan.
    for (let i = 0; i < values.length; i++) values[i] = undefined;
    if (bytes[0] !== OPEN_BRACE) return false;
    let pos = skipSpace(bytes, 1);
    if (bytes[pos] !== CLOSE_BRACE) {
      for (;;) {
        if (bytes[pos] !== QUOTE) return false;
        const keyStart = pos + 1;
        pos = scanString(bytes, pos);
        if (pos === INVALID) return false;
        // Non-ASCII bytes never decode to ASCII, but an escape may spell a watched key.
        if ((stringFlags & ESCAPED) !== 0) return false;
        const watched = this.watchedKey(bytes, keyStart, pos - 1);
        // Compact JSON (what loggers write) has no space around ':' and ',': tested first.
        if (bytes[pos] !== COLON) {
          pos = skipSpace(bytes, pos);
          if (bytes[pos] !== COLON) return false;
        }
        pos = skipSpace(bytes, pos + 1);
        if (watched === INVALID) {
          // The common values scanned here directly: skipValue is recursive, so never inlined.
          const first = bytes[pos];
          if (first === QUOTE) pos = scanString(bytes, pos);
          else if (first === MINUS || isDigit(first)) pos = scanNumber(bytes, pos);
          else pos = skipValue(bytes, pos, 1);
        } else if (watched === this.parentIndex && bytes[pos] === OPEN_BRACE) {
          values[this.nestedSlot] = undefined;
          pos = this.scanParent(bytes, pos);
          values[watched] = OPAQUE_OBJECT;
        } else {
          const end = skipValue(bytes, pos, 1);
          const value = end === INVALID ? UNREADABLE : this.valueAt(bytes, pos, end);
          if (value === UNREADABLE) return false;
          values[watched] = value;
          if (this.stopAt?.(watched, value) === true) return false;
          if (watched === this.parentIndex) values[this.nestedSlot] = undefined;
          pos = end;
        }
        if (pos === INVALID) return false;
        let next = bytes[pos];
        if (next !== COMMA && next !== CLOSE_BRACE) {
          pos = skipSpace(bytes, pos);
          next = bytes[pos];
        }
        if (next === CLOSE_BRACE) break;
        if (next !== COMMA) return false;
        pos = skipSpace(bytes, pos + 1);
      }
    }
    return skipSpace(bytes, pos + 1) === bytes.length;
  }

  /** Index of the watched key spelled by bytes [start, end), or INVALID. */
  private watchedKey(bytes: Uint8Array, start: number, end: number): number {
    // Most keys of a record are not watched, and most have no watched key of their length.
    const candidates = this.keysByLength[end - start];
    if (candidates === undefined) return INVALID;
    for (const k of candidates) if (sameBytes(this.keyBytes[k]!, bytes, start, end)) return k;
    return INVALID;
  }

  /** Scans the nested parent object at `pos`, reading its nested key into its slot. */
  private scanParent(bytes: Uint8Array, pos: number): number {
    pos = skipSpace(bytes, pos + 1);
    if (bytes[pos] === CLOSE_BRACE) return pos + 1;
    for (;;) {
      if (bytes[pos] !== QUOTE) return INVALID;
      const keyStart = pos + 1;
      pos = scanString(bytes, pos);
      if (pos === INVALID || (stringFlags & ESCAPED) !== 0) return INVALID;
      const isNested = sameBytes(this.nestedKeyBytes, bytes, keyStart, pos - 1);
      pos = skipSpace(bytes, pos);
      if (bytes[pos] !== COLON) return INVALID;
      pos = skipSpace(bytes, pos + 1);
      const end = skipValue(bytes, pos, 2);
      if (end === INVALID) return INVALID;
      if (isNested) {
        const value = this.valueAt(bytes, pos, end);
        if (value === UNREADABLE) return INVALID;
        this.values[this.nestedSlot] = value;
        if (this.stopAt?.(this.nestedSlot, value) === true) return INVALID;
      }
      pos = skipSpace(bytes, end);
      const next = bytes[pos];
      if (next === CLOSE_BRACE) return pos + 1;
      if (next !== COMMA) return INVALID;
      pos = skipSpace(bytes, pos + 1);
    }
  }

  /** The value of the valid JSON value in bytes [start, end), as far as it can be read. */
  private valueAt(bytes: Uint8Array, start: number, end: number): unknown {
    const first = bytes[start];
    if (first === QUOTE) {
      // skipValue just scanned this string, so stringFlags are its own.
      const plain = stringFlags === 0 && end - start - 2 <= JsonPeekLimits.MAX_VALUE_BYTES;
      return plain ? this.strings.get(bytes, start + 1, end - 1) : UNREADABLE;
    }
    if (first === OPEN_BRACE) return OPAQUE_OBJECT;
    if (first === OPEN_BRACKET) return OPAQUE_ARRAY;
    if (first === MINUS || isDigit(first)) return numberAt(bytes, start, end);
    return literalAt(bytes, start)?.value;
  }
}

/** The value of the valid JSON number in bytes [start, end). */
function numberAt(bytes: Uint8Array, start: number, end: number): number {
  const negative = bytes[start] === MINUS;
  let pos = negative ? start + 1 : start;
  // Integers below 2^53 are summed exactly; anything else goes through Number's own rounding.
  let value = 0;
  if (end - pos <= MAX_EXACT_INTEGER_DIGITS) {
    for (; pos < end; pos++) {
      const b = bytes[pos]!;
      if (b < DIGIT_0 || b > DIGIT_9) break;
      value = value * 10 + (b - DIGIT_0);
    }
    if (pos === end) return negative ? -value : value;
  }
  return Number(String.fromCharCode(...bytes.subarray(start, end)));
}
