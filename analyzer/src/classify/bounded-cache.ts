import { detachString } from './detach-string.js';

/** How {@link BoundedCache} decides that looking up is not worth it. */
export const BoundedCacheLimits = {
  /** Lookups over which the share of hits is measured. */
  WINDOW_LOOKUPS: 1024,
  /** Calls computed without a lookup after a window with fewer than half hits. */
  BYPASS_CALLS: 7 * 1024,
  /**
   * The bypass doubles after each further window with fewer than half hits, up to this many
   * calls (messages that never repeat: a window in 8 of lookups and fingerprints of long keys
   * was most of what the memo cost them); a window with enough hits brings it back to
   * {@link BoundedCacheLimits.BYPASS_CALLS}.
   */
  MAX_BYPASS_CALLS: 56 * 1024,
} as const;

/**
 * A memo of a pure string function with a fixed bound, for the classifiers the analyzer calls
 * on every error: two generations of at most `maxEntries` each; when the young one is full it
 * becomes the old one and the previous old one is dropped whole. A hit in the old generation is
 * moved to the young one, so what keeps being asked for stays (least recently used goes first,
 * roughly) with no per-hit bookkeeping. Keys longer than `maxKeyChars` are not cached: they
 * would make the bound on memory meaningless, and long inputs rarely repeat.
 *
 * A key is stored only the second time it misses: the first miss only leaves its fingerprint
 * in a small table. Storing a key costs far more than looking one up (a copy of the key, a map
 * entry that lives on into the old generation of the heap, then dies there: measured at about
 * the cost of masking a message), and messages that carry a user id or a request id never
 * repeat. Whatever the fingerprints say, `get` returns `compute(key)`'s value: a fingerprint
 * that collides only stores a key one miss early.
 *
 * A memo that mostly misses costs more than it saves (a lookup hashes the whole key): when
 * fewer than half the lookups of a window of {@link BoundedCacheLimits.WINDOW_LOOKUPS} hit, the
 * next {@link BoundedCacheLimits.BYPASS_CALLS} calls compute without looking, then another
 * window measures again; each further such window doubles the bypass, up to
 * {@link BoundedCacheLimits.MAX_BYPASS_CALLS}. Only speed depends on this, never an answer.
 *
 * @example
 * ```ts
 * const pages = new BoundedCache(4096, 256, foldPage);
 * pages.get('/users/42?x=1'); // '/users/:id', computed
 * pages.get('/users/42?x=1'); // computed again, and now stored
 * pages.get('/users/42?x=1'); // from the cache
 * ```
 */
export class BoundedCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  /** Fingerprints of keys that missed once, by their low bits (see {@link missedBefore}). */
  private readonly missed: Int32Array;
  /** Lookups and hits of the current window; calls still to compute without looking. */
  private lookups = 0;
  private hits = 0;
  private bypassing = 0;
  /** The bypass after the next window with too few hits. */
  private nextBypass: number = BoundedCacheLimits.BYPASS_CALLS;

  constructor(
    private readonly maxEntries: number,
    private readonly maxKeyChars: number,
    private readonly compute: (key: string) => V,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${String(maxEntries)}`);
    }
    // As many fingerprints as entries held, rounded up to a power of two for masking.
    let slots = 1;
    while (slots < 2 * maxEntries && slots < MAX_FINGERPRINT_SLOTS) slots *= 2;
    this.missed = new Int32Array(slots);
  }

  get(key: string): V {
    if (key.length > this.maxKeyChars) return this.compute(key);
    if (this.bypassing > 0) {
      this.bypassing--;
      return this.compute(key);
    }
    if (++this.lookups === BoundedCacheLimits.WINDOW_LOOKUPS) this.endWindow();
    let value = this.young.get(key);
    if (value !== undefined || this.young.has(key)) {
      this.hits++;
      return value as V;
    }
    value = this.old.get(key);
    if (value !== undefined || this.old.has(key)) {
      this.hits++;
      return this.remember(key, value as V);
    }
    value = this.compute(key);
    return this.missedBefore(key) ? this.remember(key, value) : value;
  }

  /** Whether the memo is skipped for now (it hit too rarely of late). */
  get bypassed(): boolean {
    return this.bypassing > 0;
  }

  private endWindow(): void {
    // The hit of the call that ends a window counts towards the next one: a window is an estimate.
    if (this.hits * 2 < this.lookups) {
      this.bypassing = this.nextBypass;
      this.nextBypass = Math.min(2 * this.nextBypass, BoundedCacheLimits.MAX_BYPASS_CALLS);
    } else {
      this.nextBypass = BoundedCacheLimits.BYPASS_CALLS;
    }
    this.lookups = 0;
    this.hits = 0;
  }

  /** Whether `key`'s fingerprint is in the table; it is there after this call either way. */
  private missedBefore(key: string): boolean {
    const fingerprint = fingerprintOf(key);
    const slot = fingerprint & (this.missed.length - 1);
    if (this.missed[slot] === fingerprint) return true;
    this.missed[slot] = fingerprint;
    return false;
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

/** Bound of the fingerprint table: 4 bytes a slot. */
const MAX_FINGERPRINT_SLOTS = 1 << 16;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the key's UTF-16 code units, as a signed 32-bit integer. */
function fingerprintOf(key: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), FNV_PRIME);
  return h | 0;
}
