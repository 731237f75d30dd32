import type { KeyHistory } from './key-history.js';

/** Signatures tracked per (region, page); the smallest is replaced when a new one arrives. */
export const SIGNATURES_PER_KEY = 5;
/** An example line is cut to this many characters (a report row must stay small). */
export const MAX_EXAMPLE_CHARS = 320;

/**
 * The top-N result of one iteration: plain JSON data, sized to fit a DynamoDB item (≤ 400 KB)
 * at {@link TopNLimits.MAX_TOP_N} rows with every field at its maximum length.
 */
export interface TopNResult {
  readonly rows: readonly TopNRow[];
  readonly totals: TopNTotals;
  /** Whether counting switched to the bounded Space-Saving summary. */
  readonly bounded: boolean;
  /** Most any row's `count` can exceed its true count by (0 when exact; ≤ errors / maxDistinctKeys). */
  readonly errorBound: number;
  /** Version of the signature masking rules the signatures were made with. */
  readonly signatureRulesVersion: number;
  /** Every key's count, or a filter of every key seen: lets the next iteration tell a new key
   * from one below this one's cut-off. Absent in results stored before format 2. */
  readonly keyHistory?: KeyHistory;
}

export interface TopNRow {
  readonly region: string;
  readonly page: string;
  /** Errors counted for this key (an overestimate by at most `countError` in bounded mode). */
  readonly count: number;
  /** `count / totals.errors`, rounded to 6 decimals. */
  readonly share: number;
  readonly count5xx: number;
  readonly count4xx: number;
  readonly countLevel: number;
  /** This row's own overestimate: 0 when exact. */
  readonly countError: number;
  /** Most frequent signatures first (ties by text). A signature that took a replaced one's slot
   * inherits its count: `countError` is the most `count` can exceed the truth by (0 = exact). */
  readonly signatures: readonly TopNSignature[];
  /** The first line seen for this key, cut to 320 characters; `''` if none was given. */
  readonly example: string;
  /** ISO-8601 times of the earliest and latest error (by event time), `null` without times. */
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
  /** `null` when no previous result was given. */
  readonly change: TopNChange | null;
}

export interface TopNSignature {
  readonly signature: string;
  readonly count: number;
  readonly countError: number;
}

export interface TopNChange {
  /** The key's count in the previous result (0 when it certainly had none); `null` when it is
   * unknown (below the previous cut-off, and the previous key history cannot tell). */
  readonly previousCount: number | null;
  /** `count - previousCount`, `null` when that is unknown. */
  readonly delta: number | null;
  /** The key certainly had no errors in the previous iteration. */
  readonly isNew: boolean;
}

export interface TopNTotals {
  /** Records added, unparsed ones included. */
  readonly events: number;
  readonly errors: number;
  readonly errors5xx: number;
  readonly errors4xx: number;
  readonly errorsLevel: number;
  readonly unparsed: number;
  /** Distinct (region, page) keys with errors: exact, or a HyperLogLog estimate when bounded. */
  readonly distinctKeys: number;
}

/** Limits of a top-N result. */
export const TopNLimits = {
  /** Most rows a result may hold (keeps the stored report item under DynamoDB's 400 KB). */
  MAX_TOP_N: 50,
  /** Most keys the bounded summary may be told to keep (its memory is fixed up front, ≈ 3.7 KB
   * of address space per key, resident only as written). */
  MAX_DISTINCT_KEYS: 1_000_000,
  /** Most bytes of a stored result's JSON: DynamoDB's 400 KB item less room for the window. */
  MAX_RESULT_BYTES: 380_000,
} as const;
