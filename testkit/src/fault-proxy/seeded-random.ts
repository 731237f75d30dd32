/** A source of uniform numbers in [0, 1). */
export type RandomSource = () => number;

/**
 * Mulberry32: a tiny, fast 32-bit PRNG. Good enough to pick faults reproducibly; not for
 * anything cryptographic.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * const fail = random() < 0.1;
 * ```
 */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Picks one element uniformly. */
export function pick<T>(random: RandomSource, items: readonly [T, ...T[]] | readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}
