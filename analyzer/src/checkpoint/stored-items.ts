import type { DecodeStats } from '../decode/record-decoder.js';
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
 * The report item, `PK = <name>#REPORT`, `SK = n`: the top-N result and the window that
 * produced it. Everything about iteration n can be re-derived from this one item.
 */
export interface StoredReport {
  readonly formatVersion: 1;
  readonly name: string;
  readonly stream: string;
  readonly iteration: number;
  readonly window: readonly ShardWindow[];
  /** The aggregator's result, plain JSON. */
  readonly result: unknown;
  readonly decode: DecodeStats;
  readonly startedAt: string;
  readonly finishedAt: string;
}

/** The checkpoint item, `PK = <name>#<stream>#<shardId>`, `SK = n`. */
export interface CheckpointItem extends ShardWindow {
  readonly name: string;
  readonly stream: string;
  readonly iteration: number;
}
