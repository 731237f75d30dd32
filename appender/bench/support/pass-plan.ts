/**
 * When each variant of a bench runs: in passes, every pass running each variant once, forward in
 * even passes and reversed in odd ones, so that for any two variants neither always goes first
 * and a change of machine load hits both sides of a pass alike.
 *
 *   pass 1: A B C   pass 2: C B A   pass 3: A B C   …
 */

/**
 * The order variants run in during pass `pass` (0-based): as given in even passes, reversed in
 * odd ones.
 *
 * @example
 * ```ts
 * passOrder(['a', 'b'], 0); // ['a', 'b']
 * passOrder(['a', 'b'], 1); // ['b', 'a']
 * ```
 */
export function passOrder<T>(variants: readonly T[], pass: number): T[] {
  if (!Number.isInteger(pass) || pass < 0) throw new RangeError(`pass must be >= 0, got ${pass}`);
  return pass % 2 === 0 ? [...variants] : [...variants].reverse();
}

/** Where a run of passes stands, to decide whether one more starts. */
export interface PassProgress {
  /** Passes already run. */
  passesDone: number;
  /** Passes asked for. */
  passes: number;
  /** Passes that always run, whatever the budget (both orders of a pair, when asked for). */
  minPasses: number;
  /** Wall time since the first pass started. */
  elapsedMs: number;
  /** Wall time all passes may take together. */
  budgetMs: number;
}

/**
 * Whether another pass starts: always up to `minPasses`, never past `passes`, and in between
 * whenever that ends the run nearer the budget than stopping now would (a pass as long as the
 * mean one so far overruns the budget by less than what is left of it). On a busy machine a
 * bench runs fewer passes, not longer; every pass it runs is whole, so each child of it does the
 * same work.
 *
 * @example
 * ```ts
 * startsAnotherPass({ passesDone: 2, passes: 5, minPasses: 2, elapsedMs: 30_000, budgetMs: 48_000 }); // true: ends at 45 s
 * startsAnotherPass({ passesDone: 3, passes: 5, minPasses: 2, elapsedMs: 45_000, budgetMs: 48_000 }); // false: 60 s
 * ```
 */
export function startsAnotherPass(progress: PassProgress): boolean {
  const { passesDone, passes, minPasses, elapsedMs, budgetMs } = progress;
  if (passesDone >= passes) return false;
  if (passesDone < minPasses) return true;
  const meanPassMs = elapsedMs / passesDone;
  return elapsedMs + meanPassMs / 2 <= budgetMs;
}
