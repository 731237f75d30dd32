/** A source of uniform numbers in [0, 1); seeded, so a fault plan or a demo replays exactly. */
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

/**
 * One element of a non-empty list, uniformly (an empty list is a programming error: it throws).
 *
 * @example
 * ```ts
 * pick(random, ['EU', 'NA']);
 * ```
 */
export function pick<T>(random: RandomSource, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick needs at least one item');
  return items[Math.floor(random() * items.length)] as T;
}
