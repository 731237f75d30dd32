const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Mixed in between region and page, so ("ab", "c") and ("a", "bc") hash apart. */
const KEY_SEPARATOR = 0xffff;

/**
 * FNV-1a over the UTF-16 code units of both strings, then murmur3's finalizer for well-mixed
 * bits. No string is built: this runs once per counted error.
 *
 * @example
 * ```ts
 * hashKey('EU', '/cart') === hashKey('EU', '/cart'); // true
 * ```
 */
export function hashKey(region: string, page: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < region.length; i++) h = Math.imul(h ^ region.charCodeAt(i), FNV_PRIME);
  h = Math.imul(h ^ KEY_SEPARATOR, FNV_PRIME);
  for (let i = 0; i < page.length; i++) h = Math.imul(h ^ page.charCodeAt(i), FNV_PRIME);
  return finalizeHash(h);
}

/**
 * The same hash over the first `length` code units of `s`.
 *
 * @example
 * ```ts
 * hashText('timeout', 7);
 * ```
 */
export function hashText(s: string, length: number): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return finalizeHash(h);
}

function finalizeHash(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * {@link hashKey} in two steps, for keys held as code units rather than strings: the state
 * after the region (and separator), then {@link hashKeyPage} over the page's code units.
 *
 * @example
 * ```ts
 * hashKeyPage(hashKeyRegion('EU'), Buffer.from('/cart', 'latin1'), 0, 5) === hashKey('EU', '/cart'); // true
 * ```
 */
export function hashKeyRegion(region: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < region.length; i++) h = Math.imul(h ^ region.charCodeAt(i), FNV_PRIME);
  return Math.imul(h ^ KEY_SEPARATOR, FNV_PRIME);
}

/** Finishes {@link hashKeyRegion}'s state over `units[start, end)` (see there). */
export function hashKeyPage(
  state: number,
  units: Uint8Array | Uint16Array,
  start: number,
  end: number,
): number {
  let h = state;
  for (let i = start; i < end; i++) h = Math.imul(h ^ units[i]!, FNV_PRIME);
  return finalizeHash(h);
}
