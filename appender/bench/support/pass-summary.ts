/**
 * What interleaved passes add up to: per-variant figures over all of a variant's children, and
 * ratios taken inside each pass (both sides measured within seconds of each other) before their
 * median, so load that changes between passes cancels out of each ratio instead of entering it.
 *
 *   pass 1: A₁ B₁ → A₁/B₁ ┐
 *   pass 2: B₂ A₂ → A₂/B₂ ├─ median, min–max
 *   pass 3: A₃ B₃ → A₃/B₃ ┘
 */

/** What one bench child (one variant in one pass) reports. */
export interface VariantResult {
  /** Median over this child's measured rounds. */
  callsPerSec: number;
  /** Median over this child's measured rounds. */
  deliveredPerSec: number;
  /** Every measured round's calls/s, for medians over all of a variant's rounds. */
  callsPerSecRounds: number[];
  /** Every measured round's delivered events/s. */
  deliveredPerSecRounds: number[];
  cpuSeconds: number;
  peakRssMb: number;
  rounds: number;
  measuredEvents: number;
  expectedEntries: number;
}

/** A variant over all its children. */
export interface VariantSummary {
  /** Median over every measured round of every child. */
  callsPerSec: number;
  /** Median over every measured round of every child. */
  deliveredPerSec: number;
  /** Summed over the children (measured rounds only). */
  cpuSeconds: number;
  /** The highest of the children's. */
  peakRssMb: number;
  rounds: number;
  children: number;
  measuredEvents: number;
}

/** The metrics a ratio can compare. */
export const RatioMetrics = ['callsPerSec', 'deliveredPerSec', 'peakRssMb'] as const;
export type RatioMetric = (typeof RatioMetrics)[number];

/** One ratio, pass by pass. */
export interface PassRatios {
  /** `of` ÷ `over` in each pass where both reported (1-based pass numbers). */
  perPass: { pass: number; value: number }[];
  median: number;
  min: number;
  max: number;
}

/** The results of one pass, by variant name (a variant that failed to report is absent). */
export type PassResults = ReadonlyMap<string, VariantResult>;

/**
 * The median of `values` (the mean of the middle two for an even count).
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * One variant over all its children: rates are medians over every round, CPU and events sums,
 * peak RSS the highest any child reached; `undefined` when no child reported.
 *
 * @example
 * ```ts
 * summarizeVariant(passes.flatMap((p) => p.get('a') ?? []));
 * ```
 */
export function summarizeVariant(results: readonly VariantResult[]): VariantSummary | undefined {
  if (results.length === 0) return undefined;
  return {
    callsPerSec: median(results.flatMap((r) => r.callsPerSecRounds)),
    deliveredPerSec: median(results.flatMap((r) => r.deliveredPerSecRounds)),
    cpuSeconds: results.reduce((sum, r) => sum + r.cpuSeconds, 0),
    peakRssMb: Math.max(...results.map((r) => r.peakRssMb)),
    rounds: results.reduce((sum, r) => sum + r.rounds, 0),
    children: results.length,
    measuredEvents: results.reduce((sum, r) => sum + r.measuredEvents, 0),
  };
}

/**
 * `of` ÷ `over` on `metric`, taken inside each pass from that pass's own children, with the
 * median and spread of those ratios; `undefined` when no pass has both.
 *
 * @example
 * ```ts
 * passRatios(passes, 'kinlog', 'file', 'deliveredPerSec')?.median;
 * ```
 */
export function passRatios(
  passes: readonly PassResults[],
  of: string,
  over: string,
  metric: RatioMetric,
): PassRatios | undefined {
  const perPass: PassRatios['perPass'] = [];
  passes.forEach((results, i) => {
    const a = results.get(of);
    const b = results.get(over);
    if (a !== undefined && b !== undefined)
      perPass.push({ pass: i + 1, value: a[metric] / b[metric] });
  });
  if (perPass.length === 0) return undefined;
  const values = perPass.map((p) => p.value);
  return { perPass, median: median(values), min: Math.min(...values), max: Math.max(...values) };
}
