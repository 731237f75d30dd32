import type { StopReason } from './shard-reader.js';

/**
 * What one iteration read of one shard: the records with sequence numbers in
 * `(startAfterSeq, endSeq]`. Absent `startAfterSeq` = the shard's beginning; absent `endSeq` =
 * nothing read (the next iteration starts where this one would have).
 */
export interface ShardWindow {
  readonly shardId: string;
  readonly parentShardIds: readonly string[];
  readonly startAfterSeq?: string;
  readonly endSeq?: string;
  readonly records: number;
  /** The shard is closed and read to its end: later iterations skip it. */
  readonly closed: boolean;
  readonly stopReason: StopReason;
}

/**
 * Where the next iteration starts reading a shard: after this window's end, or where this
 * window started when it read nothing.
 *
 * @example
 * ```ts
 * nextStartAfter({ startAfterSeq: '10', endSeq: '42', ... }); // '42'
 * ```
 */
export function nextStartAfter(window: ShardWindow): string | undefined {
  return window.endSeq ?? window.startAfterSeq;
}
