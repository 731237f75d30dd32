import type { DecodeFormatCounts, DecodeStats } from '../decode/record-decoder.js';
import type { ShardWindow } from '../window/shard-window.js';

/** States of an iteration item. */
export const IterationStatuses = {
  /** Claimed by `owner` until `leaseExpiresAtMs`; may hold a stored report already. */
  running: 'running',
  /** Report and checkpoints written; the iteration is final. */
  committed: 'committed',
} as const;
export type IterationStatus = (typeof IterationStatuses)[keyof typeof IterationStatuses];

/** The iteration item, `PK = <name>#ITER`, `SK = n`. */
export interface IterationItem {
  readonly name: string;
  readonly iteration: number;
  readonly stream: string;
  readonly status: IterationStatus;
  readonly owner: string;
  readonly leaseExpiresAtMs: number;
  /** `PK/SK` of the report item, once stored. */
  readonly reportKey?: string;
  readonly emailSentAt?: string;
}

/**
 * Versions of the stored report item, oldest first; every one stays readable.
 * - 1: rows, totals, bound, signature rules version.
 * - 2: signature counts carry `countError`; `keyHistory` (counts or filter of every key seen);
 *   rows stored up to `TopNDefaults.storedRows` whatever `--top` showed.
 * - 3: `formats`: records per format read, and the format detector's version.
 * - 4: `streams`: one cut per stream of a name that analyzes several streams (written only for
 *   those; a single stream's report stays format 3).
 */
export const StoredReportFormats = { v1: 1, v2: 2, v3: 3, v4: 4 } as const;
export type StoredReportFormat = (typeof StoredReportFormats)[keyof typeof StoredReportFormats];
/** The version this kinlog writes for a name over one stream. */
export const STORED_REPORT_FORMAT: StoredReportFormat = StoredReportFormats.v3;
/** The version this kinlog writes for a name over several streams (with `streams`). */
export const MULTI_STREAM_REPORT_FORMAT: StoredReportFormat = StoredReportFormats.v4;

/** One stream's part of an iteration's cut. */
export interface StoredStreamCut {
  readonly stream: string;
  readonly window: readonly ShardWindow[];
}

/**
 * Every stream's cut of a stored report, in the order the streams were given: the one stream
 * of a report before format 4, else its `streams`.
 *
 * @example
 * ```ts
 * for (const cut of streamCutsOf(report)) console.log(cut.stream, cut.window.length);
 * ```
 */
export function streamCutsOf(report: StoredReport): readonly StoredStreamCut[] {
  return report.streams ?? [{ stream: report.stream, window: report.window }];
}

/** How an iteration's records were read: which formats they were in, told by which rules. */
export interface StoredFormats {
  /** `FORMAT_DETECTOR_VERSION` of the detector that counted them. */
  readonly detectorVersion: number;
  /** The analyzer's parser: `auto` (the detector) or a named one. */
  readonly parser: string;
  /** Events per format; they add up to the result's `totals.events`. */
  readonly counts: DecodeFormatCounts;
}

/**
 * The report item, `PK = <name>#REPORT`, `SK = n`: the top-N result and the window that
 * produced it. Everything about iteration n can be re-derived from this one item.
 */
export interface StoredReport {
  readonly formatVersion: StoredReportFormat;
  readonly name: string;
  readonly stream: string;
  readonly iteration: number;
  readonly window: readonly ShardWindow[];
  /** The aggregator's result, plain JSON. */
  readonly result: unknown;
  readonly decode: DecodeStats;
  /** Since format 3 (`StoredReportFormats.v3`); absent in older reports. */
  readonly formats?: StoredFormats;
  readonly startedAt: string;
  readonly finishedAt: string;
  /**
   * Since format 4, for a name over several streams: every stream's cut, the first being
   * `stream` and `window`. The top-N counts the records of all of them.
   */
  readonly streams?: readonly StoredStreamCut[];
  /** Set when workers sharing shard leases made the report from per-shard partials. */
  readonly leased?: LeasedReportInfo;
}

/** How a report made from per-shard partials was made. */
export interface LeasedReportInfo {
  /** Worker that stored the iteration's cut. */
  readonly cutBy: string;
  /** Worker that merged the partials. */
  readonly mergedBy: string;
  /** Shards whose partial passed the size bound and became a bounded summary. */
  readonly boundedShards: readonly string[];
}

/** The checkpoint item, `PK = <name>#<stream>#<shardId>`, `SK = n`. */
export interface CheckpointItem extends ShardWindow {
  readonly name: string;
  readonly stream: string;
  readonly iteration: number;
}

/** Bounds of a saved query's stored result. */
export const SavedQueryLimits = {
  /** Rows a saved query may return; more is an error (aggregate further or add a LIMIT). */
  MAX_ROWS: 1_000,
  /** Saved queries one iteration may run (`--query`, repeated). */
  MAX_QUERIES: 16,
} as const;

/** Versions of the stored saved-query item; every one stays readable. */
export const StoredQueryResultFormats = { v1: 1 } as const;

/**
 * The result of one saved query over iteration n's window: item `PK = <name>#QUERY#<n>`,
 * `SK = i` (its place among the iteration's `--query` options). Kept out of the report item so
 * the report's format and size stay its own.
 */
export interface StoredQueryResult {
  readonly formatVersion: (typeof StoredQueryResultFormats)[keyof typeof StoredQueryResultFormats];
  readonly name: string;
  readonly iteration: number;
  /** The saved query's name (`--query <name>=file.sql`). */
  readonly query: string;
  readonly sql: string;
  /** Column names and DuckDB types. */
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  /** Rows as JSON values, at most {@link SavedQueryLimits.MAX_ROWS}. */
  readonly rows: readonly (readonly unknown[])[];
  readonly ranAt: string;
  /**
   * How many saved queries the run that stored this ran: a resumed iteration run with fewer
   * leaves items past them, which readers skip.
   */
  readonly ofQueries: number;
}
