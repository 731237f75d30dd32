/*
 * What an iteration keeps about ALL its (region, page) keys, not only its top rows, so the next
 * iteration can tell a new key from one that was merely below the cut-off:
 *
 *   distinct keys ≤ MAX_COUNTED_KEYS and their list fits MAX_BYTES ─▶ { kind: 'counts' }
 *       every key with its count: "new" and every delta are exact
 *   otherwise ─▶ { kind: 'filter' }  a Bloom filter of every key seen (7 hashes), folded to the
 *       largest power-of-two size that fits the byte budget; its false-positive rate is stored.
 *       A key not in it is certainly new; a key in it may be a false positive, so its earlier
 *       count is shown as unknown (`?`), never as a wrong "new".
 */
import { hashKey } from './key-hash.js';

/** Bounds of {@link KeyHistory}. */
export const KeyHistoryLimits = {
  /** Every key's count is stored while there are at most this many distinct keys… */
  MAX_COUNTED_KEYS: 2_000,
  /** …and their JSON fits this many bytes (also the most a stored filter may take). */
  MAX_BYTES: 48 * 1024,
  /** Bits of the in-memory filter of keys seen (32 KiB); stored folded down to fit. */
  FILTER_BITS: 1 << 18,
  /** Smallest filter worth storing (below it, almost every key would read as "maybe seen"). */
  MIN_FILTER_BITS: 1 << 10,
  /** Hash functions of the filter: the optimum for about 13 bits per key. */
  FILTER_HASHES: 7,
} as const;

/** Every key of an iteration with its count: `[region, page, count]`. */
export interface KeyCounts {
  readonly kind: 'counts';
  readonly keys: readonly (readonly [string, string, number])[];
}

/** A Bloom filter of every key of an iteration. */
export interface KeyFilter {
  readonly kind: 'filter';
  /** Filter bits, little-endian 32-bit words, base64. */
  readonly bits: string;
  /** Size in bits, a power of two. */
  readonly bitCount: number;
  readonly hashes: number;
  /** Chance that a key never seen reads as seen: (share of bits set) ^ hashes. */
  readonly falsePositiveRate: number;
}

export type KeyHistory = KeyCounts | KeyFilter;

/**
 * Sets the filter bits of the key whose {@link hashKey} is `hash`. Positions are taken modulo a
 * power of two, so a filter folded to half its size (OR of both halves) stays valid.
 *
 * @example
 * ```ts
 * const bits = new Uint32Array(KeyHistoryLimits.FILTER_BITS / 32);
 * addToFilter(bits, hashKey('EU', '/cart'));
 * ```
 */
export function addToFilter(bits: Uint32Array, hash: number): void {
  const mask = bits.length * 32 - 1;
  const step = secondHash(hash);
  for (let i = 0; i < KeyHistoryLimits.FILTER_HASHES; i++) {
    const p = ((hash + Math.imul(i, step)) >>> 0) & mask;
    bits[p >>> 5]! |= 1 << (p & 31);
  }
}

function secondHash(hash: number): number {
  let h = Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return (h | 1) >>> 0;
}

/**
 * The history to store: every key's count when there are few, else the filter folded to fit
 * `budgetBytes` (absent when even the smallest filter does not fit).
 *
 * @example
 * ```ts
 * keyHistoryOf([['EU', '/cart', 3]], undefined, 40_000); // { kind: 'counts', keys: [['EU', '/cart', 3]] }
 * ```
 */
export function keyHistoryOf(
  keys: readonly (readonly [string, string, number])[] | undefined,
  filter: Uint32Array | undefined,
  budgetBytes: number,
): KeyHistory | undefined {
  const budget = Math.min(budgetBytes, KeyHistoryLimits.MAX_BYTES);
  if (keys !== undefined && keys.length <= KeyHistoryLimits.MAX_COUNTED_KEYS) {
    const counts: KeyCounts = { kind: 'counts', keys };
    if (Buffer.byteLength(JSON.stringify(counts)) <= budget) return counts;
  }
  let bits = filter;
  if (bits === undefined) {
    bits = new Uint32Array(KeyHistoryLimits.FILTER_BITS / 32);
    for (const [region, page] of keys ?? []) addToFilter(bits, hashKey(region, page));
  }
  // base64 of n bytes takes 4n/3 characters; the other fields take < 200 bytes.
  while (
    bits.length * 4 * (4 / 3) + 200 > budget &&
    bits.length * 32 > KeyHistoryLimits.MIN_FILTER_BITS
  ) {
    bits = foldFilter(bits);
  }
  if (bits.length * 4 * (4 / 3) + 200 > budget) return undefined;
  let set = 0;
  for (const word of bits) set += popCount(word);
  const bitCount = bits.length * 32;
  return {
    kind: 'filter',
    bits: wordsToBase64(bits),
    bitCount,
    hashes: KeyHistoryLimits.FILTER_HASHES,
    falsePositiveRate: Number(((set / bitCount) ** KeyHistoryLimits.FILTER_HASHES).toPrecision(3)),
  };
}

function wordsToBase64(words: Uint32Array): string {
  const bytes = Buffer.alloc(words.length * 4);
  for (let i = 0; i < words.length; i++) bytes.writeUInt32LE(words[i]!, i * 4);
  return bytes.toString('base64');
}

/** Decoded filters, so looking up many keys in one stored history decodes it once. */
const decoded = new WeakMap<KeyFilter, Uint32Array | null>();

function filterWords(history: KeyFilter): Uint32Array | null {
  let bits = decoded.get(history);
  if (bits !== undefined) return bits;
  const bytes = Buffer.from(history.bits, 'base64');
  const words = bytes.length >>> 2;
  const valid =
    words > 0 &&
    words * 32 === history.bitCount &&
    (history.bitCount & (history.bitCount - 1)) === 0;
  bits = valid ? new Uint32Array(words) : null;
  if (bits !== null) for (let i = 0; i < words; i++) bits[i] = bytes.readUInt32LE(i * 4);
  decoded.set(history, bits);
  return bits;
}

function foldFilter(bits: Uint32Array): Uint32Array {
  const half = bits.length >>> 1;
  const out = new Uint32Array(half);
  for (let i = 0; i < half; i++) out[i] = bits[i]! | bits[i + half]!;
  return out;
}

function popCount(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/**
 * What a stored history says of a key: its count (0 = certainly absent), or `null` when it
 * cannot tell (the filter holds the key's bits, which may be a false positive).
 *
 * @example
 * ```ts
 * countInHistory(history, 'EU', '/cart'); // 3, 0 or null
 * ```
 */
export function countInHistory(history: KeyHistory, region: string, page: string): number | null {
  if (history.kind === 'counts') {
    for (const [r, p, count] of history.keys) if (r === region && p === page) return count;
    return 0;
  }
  const bits = filterWords(history);
  if (bits === null) return null;
  const hash = hashKey(region, page);
  const mask = history.bitCount - 1;
  const step = secondHash(hash);
  for (let i = 0; i < history.hashes; i++) {
    const p = ((hash + Math.imul(i, step)) >>> 0) & mask;
    if ((bits[p >>> 5]! & (1 << (p & 31))) === 0) return 0;
  }
  return null;
}
