/**
 * Capped exponential backoff with full jitter: a random delay in `[0, min(maxMs, baseMs·2^n))`.
 * Full jitter spreads retries of many producers apart, which is what relieves a throttled shard.
 *
 * @example
 * ```ts
 * const wait = backoffDelayMs(3, { baseMs: 100, maxMs: 5000 }); // 0..800 ms
 * ```
 */
export function backoffDelayMs(
  attempt: number,
  limits: { baseMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(limits.maxMs, limits.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
