/**
 * Helpers for strings kept as UTF-16 code units in fixed-size slots of a `Uint16Array`: copying
 * in, comparing and reading back never split a surrogate pair, and only reading back (for a
 * result row) makes a string.
 */

/**
 * How many code units of `s` fit in `maxUnits` without splitting a surrogate pair.
 *
 * @example
 * ```ts
 * fittedLength('ab😀', 3); // 2
 * ```
 */
export function fittedLength(s: string, maxUnits: number): number {
  if (s.length <= maxUnits) return s.length;
  const last = s.charCodeAt(maxUnits - 1);
  return last >= 0xd800 && last <= 0xdbff ? maxUnits - 1 : maxUnits;
}

/**
 * Copies the first `length` code units of `s` to `units` at `offset`.
 *
 * @example
 * ```ts
 * writeUnits(arena, slot * SLOT_UNITS, text, fittedLength(text, SLOT_UNITS));
 * ```
 */
export function writeUnits(units: Uint16Array, offset: number, s: string, length: number): void {
  for (let i = 0; i < length; i++) units[offset + i] = s.charCodeAt(i);
}

/**
 * Whether `units[offset … offset+length)` equals the first `length` code units of `s`.
 *
 * @example
 * ```ts
 * equalUnits(arena, offset, storedLength, page);
 * ```
 */
export function equalUnits(units: Uint16Array, offset: number, s: string, length: number): boolean {
  for (let i = 0; i < length; i++) if (units[offset + i] !== s.charCodeAt(i)) return false;
  return true;
}

/**
 * Code-unit order of two stored strings (the order of `<` on strings).
 *
 * @example
 * ```ts
 * compareUnits(arena, a, lengthA, arena, b, lengthB); // -1, 0 or 1
 * ```
 */
export function compareUnits(
  units: Uint16Array,
  a: number,
  lengthA: number,
  b: number,
  lengthB: number,
): number {
  const n = Math.min(lengthA, lengthB);
  for (let i = 0; i < n; i++) {
    const d = units[a + i]! - units[b + i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return lengthA === lengthB ? 0 : lengthA < lengthB ? -1 : 1;
}

/** Chunked so `fromCharCode` never gets more arguments than an engine accepts. */
const READ_CHUNK_UNITS = 4096;

/**
 * A new string of `units[offset … offset+length)`.
 *
 * @example
 * ```ts
 * const page = readUnits(arena, offset, length);
 * ```
 */
export function readUnits(units: Uint16Array, offset: number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i += READ_CHUNK_UNITS) {
    const end = offset + Math.min(length, i + READ_CHUNK_UNITS);
    s += String.fromCharCode(...units.subarray(offset + i, end));
  }
  return s;
}
