import { detachString } from './detach-string.js';

/**
 * A memo of a pure string function with a fixed bound, for the classifiers the analyzer calls
 * on every error: two generations of at most `maxEntries` each; when the young one is full it
 * becomes the old one and the previous old one is dropped whole. A hit in the old generation is
 * moved to the young one, so what keeps being asked for stays (least recently used goes first,
 * roughly) with no per-hit bookkeeping. Keys longer than `maxKeyChars` are not cached: they
 * would make the bound on memory meaningless, and long inputs rarely repeat.
 *
 * @example
 * ```ts
 * const pages = new BoundedCache(4096, 256, foldPage);
 * pages.get('/users/42?x=1'); // '/users/:id', computed once
 * ```
 */
export class BoundedCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxKeyChars: number,
    private readonly compute: (key: string) => V,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${String(maxEntries)}`);
    }
  }

  get(key: string): V {
    if (key.length > this.maxKeyChars) return this.compute(key);
    let value = this.young.get(key);
    if (value !== undefined || this.young.has(key)) return value as V;
    value = this.old.get(key);
    if (value === undefined && !this.old.has(key)) value = this.compute(key);
    return this.remember(key, value as V);
  }

  private remember(key: string, value: V): V {
    if (this.young.size >= this.maxEntries) {
      this.old = this.young;
      this.young = new Map();
    }
    // The key may be a view into a whole record (see detachString): keep a copy, not the record.
    this.young.set(detachString(key), value);
    return value;
  }

  /** Entries held, at most `2 * maxEntries`. */
  get size(): number {
    return this.young.size + this.old.size;
  }
}
