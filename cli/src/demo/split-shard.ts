import {
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  SplitShardCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { setTimeout as delay } from 'node:timers/promises';
import { KinlogError } from '@kinlog/core';

/** Bounds of {@link splitShard}. */
export const SplitShardDefaults = {
  POLL_INTERVAL_MS: 50,
  TIMEOUT_MS: 30_000,
} as const;

/** What a split did. */
export interface SplitOutcome {
  readonly parent: string;
  readonly openShards: number;
}

/**
 * Splits the first open shard of a stream at the middle of its hash-key range and waits until
 * the stream is ACTIVE again: the parent closes, two children take its keys.
 *
 * @throws {KinlogError} code `SPLIT_SHARD_FAILED` when Kinesis refuses or does not finish in time.
 * @example
 * ```ts
 * const { parent } = await splitShard(kinesis, 'kinlog-demo');
 * ```
 */
export async function splitShard(
  kinesis: KinesisClient,
  streamName: string,
): Promise<SplitOutcome> {
  try {
    const open = await openShards(kinesis, streamName);
    const shard = open[0];
    if (shard === undefined) throw new Error('no open shard');
    const start = BigInt(shard.HashKeyRange?.StartingHashKey ?? '0');
    const end = BigInt(shard.HashKeyRange?.EndingHashKey ?? '0');
    await kinesis.send(
      new SplitShardCommand({
        StreamName: streamName,
        ShardToSplit: shard.ShardId,
        NewStartingHashKey: ((start + end + 1n) / 2n).toString(),
      }),
    );
    const deadline = Date.now() + SplitShardDefaults.TIMEOUT_MS;
    for (;;) {
      const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
      if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      if (Date.now() >= deadline)
        throw new Error(`stream not ACTIVE after ${SplitShardDefaults.TIMEOUT_MS} ms`);
      await delay(SplitShardDefaults.POLL_INTERVAL_MS);
    }
    return {
      parent: shard.ShardId ?? '?',
      openShards: (await openShards(kinesis, streamName)).length,
    };
  } catch (err) {
    throw new KinlogError(
      `cannot split a shard of ${streamName}: ${err instanceof Error ? err.message : String(err)}`,
      { code: 'SPLIT_SHARD_FAILED', cause: err },
    );
  }
}

async function openShards(kinesis: KinesisClient, streamName: string) {
  const out = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  return (out.Shards ?? []).filter(
    (s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined,
  );
}
