/*
 *   shards listed now ──┐
 *                       ├─▶ per shard: in previous window & closed ──▶ carried, not read
 *   previous window ────┘             in previous window          ──▶ read after its end
 *                                     not in previous window      ──▶ new (first iteration,
 *                                                                      or born by resharding):
 *                                                                      read from its beginning
 * Shards in the previous window but no longer listed have left the stream's retention.
 */
import type { ShardInfo } from '../stream/shard-info.js';
import { StopReasons } from '../stream/shard-reader.js';
import { nextStartAfter, type ShardWindow } from '../stream/shard-window.js';

/** One shard of an iteration's plan: read it from `startAfterSeq`, or carry `carried` as is. */
export interface PlannedShard {
  readonly shardId: string;
  readonly parentShardIds: readonly string[];
  readonly startAfterSeq?: string;
  /** Set for a closed shard finished earlier: its window in this iteration, with 0 records. */
  readonly carried?: ShardWindow;
}

/**
 * Plans the next iteration from the shards listed now and the previous iteration's windows.
 * Shards come out sorted by id, so every run of a plan consumes them in the same order.
 *
 * @example
 * ```ts
 * planWindow(await source.listShards('logs'), previousReport?.window ?? []);
 * ```
 */
export function planWindow(
  shards: readonly ShardInfo[],
  previous: readonly ShardWindow[],
): PlannedShard[] {
  const before = new Map(previous.map((w) => [w.shardId, w]));
  const sorted = [...shards].sort((a, b) => compareShardIds(a.shardId, b.shardId));
  return sorted.map((shard): PlannedShard => {
    const prior = before.get(shard.shardId);
    if (prior === undefined)
      return { shardId: shard.shardId, parentShardIds: shard.parentShardIds };
    const startAfterSeq = nextStartAfter(prior);
    const base = {
      shardId: shard.shardId,
      parentShardIds: shard.parentShardIds,
      ...(startAfterSeq === undefined ? {} : { startAfterSeq }),
    };
    if (!prior.closed) return base;
    const carried: ShardWindow = {
      ...base,
      ...(startAfterSeq === undefined ? {} : { endSeq: startAfterSeq }),
      records: 0,
      closed: true,
      stopReason: StopReasons.notRead,
    };
    return { ...base, carried };
  });
}

/** Shard ids sort by length first so `shardId-10` follows `shardId-9` in any naming scheme. */
export function compareShardIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
