/** A deterministic source of numbers in [0, 1), so every demo run tells the same story. */
export type RandomSource = () => number;

/**
 * mulberry32: tiny, fast and good enough to pick pages and statuses.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * random(); // 0.6011037519201636, every time
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
 * One element of a non-empty list, uniformly.
 *
 * @example
 * ```ts
 * pick(random, ['EU', 'NA']);
 * ```
 */
export function pick<T>(random: RandomSource, items: readonly [T, ...T[]]): T {
  return items[Math.floor(random() * items.length)] ?? items[0];
}
