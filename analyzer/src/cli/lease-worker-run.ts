import type { AwsConnectionOptions } from '@kinlog/core';
import type { DynamoCheckpointStore } from '../checkpoint/dynamo-checkpoint-store.js';
import { DynamoLeaseStore } from '../lease/dynamo-lease-store.js';
import { LeaseWorker } from '../lease/lease-worker.js';
import type { LeaseTick } from '../lease/lease-coordinator.js';
import { KinesisShardSource, type ShardSource } from '../stream/kinesis-shard-source.js';
import type { AnalyzeSettings } from '../window/analyze-shards.js';

/** What `kinlog analyze --workers` runs iterations with, and how it ends. */
export interface LeaseWorkerRun {
  readonly worker: LeaseWorker;
  readonly leases: DynamoLeaseStore;
  /** Hands the leases back (others take them at once) and closes the clients it made. */
  close(): Promise<void>;
}

/**
 * Builds the lease worker of `kinlog analyze --workers` over the analyzer's checkpoint store.
 *
 * @example
 * ```ts
 * const run = leaseWorkerRun({ name: 'web', stream: 'logs', store, kinesis: {}, dynamodb: {} });
 * await run.worker.runIteration();
 * await run.close();
 * ```
 */
export function leaseWorkerRun(
  options: AnalyzeSettings & {
    readonly name: string;
    readonly stream: string;
    readonly store: DynamoCheckpointStore;
    readonly kinesis: AwsConnectionOptions;
    readonly dynamodb: AwsConnectionOptions;
    readonly workerId?: string;
    readonly failoverMs?: number;
    readonly leasesTable?: string;
    readonly signal?: AbortSignal;
    /** Read through this source (not closed here) instead of one made from `kinesis`. */
    readonly source?: ShardSource;
    readonly onLeaseTick?: (tick: LeaseTick) => void;
    readonly onLeaseTickError?: (err: unknown) => void;
    readonly onCleanupError?: (err: unknown) => void;
  },
): LeaseWorkerRun {
  const ownSource = options.source === undefined;
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  // Every call of theirs ends at once when the command is stopped (Ctrl-C never waits on AWS).
  const source = options.source ?? new KinesisShardSource({ ...options.kinesis, ...signal });
  const leases = new DynamoLeaseStore({
    ...options.dynamodb,
    ...(options.leasesTable === undefined ? {} : { leasesTable: options.leasesTable }),
    ...signal,
  });
  const worker = new LeaseWorker({ ...options, source, leases });
  let closed: Promise<void> | undefined;
  return {
    worker,
    leases,
    close: () =>
      (closed ??= worker.close().finally(() => {
        if (ownSource) source.close();
        leases.close();
      })),
  };
}
