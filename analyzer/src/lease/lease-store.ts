/*
 *   worker item  (name, workerId)        beat (raised every tick: who is live, before it holds any)
 *   lease item   (name, stream#shardId)  owner?, counter, partial? ─┐ every change is conditional
 *   cut item     (name, iteration)       IterationCut (first put wins) │ on the counter read before:
 *   partial data (name, iteration, stream#shardId, attempt) chunks ◀──┘ a stale owner's write fails
 *   swept mark   (name)                  highest iteration whose partial data is deleted
 *
 * A partial is made visible by the same conditional write that moves the lease counter, so only
 * the lease's current owner can publish one; chunks of a failed attempt are never referenced
 * (and their writer deletes them). Partial data lives only until its iteration is committed (or
 * its replay finished): then every attempt's chunks are deleted and the swept mark raised.
 */
import type { ShardWindow } from '../stream/shard-window.js';

/** One shard's lease under a logical name, keyed by (stream, shard). */
export interface Lease {
  /** `<stream>#<shardId>`. */
  readonly leaseKey: string;
  readonly stream: string;
  readonly shardId: string;
  /** Absent while nobody holds the lease. */
  readonly owner?: string;
  /** Raised by every renewal, every change of owner and every partial stored. */
  readonly counter: number;
  /** The last partial this shard published. */
  readonly partial?: PartialRef;
}

/** Where a shard's partial result for one iteration is stored. */
export interface PartialRef {
  readonly iteration: number;
  /** Unique per write (`owner#counter`), so a retried or stale write never mixes chunks. */
  readonly attempt: string;
  readonly chunks: number;
  readonly bytes: number;
}

/** One shard of an iteration's cut: read `(startAfterSeq, endSeq]`, or carry `carried` as is. */
export interface CutShard {
  readonly stream: string;
  readonly shardId: string;
  readonly parentShardIds: readonly string[];
  readonly startAfterSeq?: string;
  /** Known end (a replayed cut); absent for a new cut, whose end is `cutoffArrivalMs`. */
  readonly endSeq?: string;
  /** A closed shard finished in an earlier iteration: nothing to read. */
  readonly carried?: ShardWindow;
}

/**
 * Iteration k's cut over every shard of every stream under a name, stored before any read.
 * A new cut ends every shard at the last record that arrived by `cutoffArrivalMs` (or where the
 * shard closed), so every worker that reads a shard for k stops at the same record; the partial
 * records the resolved `endSeq`.
 */
export interface IterationCut {
  readonly formatVersion: 1;
  readonly name: string;
  readonly iteration: number;
  readonly createdBy: string;
  readonly createdAtMs: number;
  readonly cutoffArrivalMs: number;
  /** Reads of this cut stop here (stop reason `timeout`). */
  readonly deadlineMs: number;
  /** Parents before children, then by shard id: the merge order. */
  readonly shards: readonly CutShard[];
}

/** A worker registered under a name, and its heartbeat counter. */
export interface WorkerBeat {
  readonly workerId: string;
  /** Raised by every tick of the worker: unchanged for the failover time = gone. */
  readonly beat: number;
}

/**
 * Persistence of shard leases, iteration cuts and per-shard partials. Implementations:
 * {@link MemoryLeaseStore} (tests, one process) and `DynamoLeaseStore`.
 *
 * @example
 * ```ts
 * const store: LeaseStore = new MemoryLeaseStore();
 * await store.ensureLeases('web', [{ stream: 'logs', shardId: 'shardId-000000000000' }]);
 * const [lease] = await store.listLeases('web');
 * const mine = await store.takeLease('web', lease!, 'host-a:42');
 * ```
 */
export interface LeaseStore {
  /** Creates missing leases (unowned, counter 0); existing ones are left as they are. */
  ensureLeases(
    name: string,
    shards: readonly { readonly stream: string; readonly shardId: string }[],
  ): Promise<void>;
  /** Every lease of the name, sorted by lease key. */
  listLeases(name: string): Promise<Lease[]>;
  /**
   * Raises the counter of a lease its owner still holds at `lease.counter`.
   * @throws {LeaseLostError} when the counter or owner moved.
   */
  renewLease(name: string, lease: Lease): Promise<Lease>;
  /**
   * Makes `owner` the holder of a lease still at `lease.counter` (expired, free or stolen).
   * @throws {LeaseLostError} when the counter moved (another worker renewed or took it first).
   */
  takeLease(name: string, lease: Lease, owner: string): Promise<Lease>;
  /** Gives a held lease up (owner removed, counter raised); a lease already lost is ignored. */
  releaseLease(name: string, lease: Lease): Promise<void>;
  /**
   * Removes a lease whatever its owner and counter: only for a shard that is closed and read to
   * its end in a committed iteration, which no worker reads again. Missing: nothing happens.
   */
  deleteLease(name: string, leaseKey: string): Promise<void>;
  /** Raises `workerId`'s heartbeat, registering it first (beat 1) if new. */
  beat(name: string, workerId: string): Promise<void>;
  /** Every worker registered under the name. */
  listWorkers(name: string): Promise<WorkerBeat[]>;
  /**
   * Removes a worker's registration: its own when it stops (no `beat`), or another's still at
   * `beat` (long gone); a registration whose beat moved is kept.
   */
  forgetWorker(name: string, workerId: string, beat?: number): Promise<void>;
  /** Stores iteration k's cut unless one exists; returns the stored one (first put wins). */
  putCut(cut: IterationCut): Promise<IterationCut>;
  getCut(name: string, iteration: number): Promise<IterationCut | undefined>;
  /** The cut with the highest iteration stored under the name, if any. */
  latestCut(name: string): Promise<IterationCut | undefined>;
  /**
   * Stores a shard's partial bytes for iteration k and publishes them on the lease.
   * @throws {LeaseLostError} when `lease` is no longer held at its counter.
   */
  putPartial(name: string, lease: Lease, iteration: number, bytes: Uint8Array): Promise<Lease>;
  /** The partial a shard published for iteration k, if it did. */
  getPartial(name: string, leaseKey: string, iteration: number): Promise<Uint8Array | undefined>;
  /**
   * Deletes every stored chunk of iteration k's partials for these lease keys, whatever attempt
   * wrote it: only for an iteration that is committed (or a replay that finished), whose
   * partials nobody reads again. Chunks already gone are skipped, so a repeat does nothing.
   *
   * @returns how many items were deleted.
   */
  deletePartials(name: string, iteration: number, leaseKeys: readonly string[]): Promise<number>;
  /** Removes these leases whatever their owner and counter (a finished replay's); missing ones are skipped. */
  deleteLeases(name: string, leaseKeys: readonly string[]): Promise<void>;
  /** Removes iteration k's cut: only a finished replay's (an iteration's cut is kept for reruns). */
  deleteCut(name: string, iteration: number): Promise<void>;
  /** The highest iteration whose partials are known deleted; 0 when none is. */
  sweptThrough(name: string): Promise<number>;
  /** Records that partials up to `iteration` are deleted; a lower mark than the stored one is ignored. */
  markSwept(name: string, iteration: number): Promise<void>;
  close(): void;
}

/** Lease key of a shard: `<stream>#<shardId>`. */
export function leaseKeyOf(stream: string, shardId: string): string {
  return `${stream}#${shardId}`;
}
