import type { ShardWindow } from '../stream/shard-window.js';

/** States of an iteration item. */
export const IterationStatuses = {
  /** Claimed by `owner` until `leaseExpiresAtMs`; may hold a stored report already. */
  running: 'running',
  /** Report and checkpoints written; the iteration is final. */
  committed: 'committed',
} as const;
export type IterationStatus = (typeof IterationStatuses)[keyof typeof IterationStatuses];

/**
 * What a stored report belongs to: an iteration (`PK = <name>#ITER`, checkpointed) or a
 * whole-stream run (`PK = <name>#RUN`, numbered apart, no checkpoint).
 */
export const ReportKinds = { iteration: 'iteration', run: 'run' } as const;
export type ReportKind = (typeof ReportKinds)[keyof typeof ReportKinds];

/**
 * How a name's iterations are advanced: by single `kinlog analyze` runs or by `--workers`
 * sharing shard leases. The runner item (`PK = <name>#RUNNER`) holds one of them at a time.
 */
export const RunnerModes = { single: 'single', workers: 'workers' } as const;
export type RunnerMode = (typeof RunnerModes)[keyof typeof RunnerModes];

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
