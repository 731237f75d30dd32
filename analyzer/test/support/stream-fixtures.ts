import {
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListShardsCommand,
  MergeShardsCommand,
  PutRecordsCommand,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis';
import { setTimeout as delay } from 'node:timers/promises';
import { awsClientConfig } from '@kinlog/core';
import { KinesisShardSource } from '../../src/stream/kinesis-shard-source.js';
import { readShard } from '../../src/stream/shard-reader.js';
import { type ShardWindow } from '../../src/stream/shard-window.js';

/** Numbered JSON events: every one an error, so totals.errors counts them. */
export function numberedEvent(id: number): string {
  return JSON.stringify({
    time: new Date(1_700_000_000_000 + id * 1000).toISOString(),
    level: 'error',
    msg: `failure ${id}`,
    region: ['eu', 'us', 'ap'][id % 3],
    page: `/p/${id % 5}`,
    id,
  });
}

export function kinesis(): KinesisClient {
  return new KinesisClient(awsClientConfig());
}

/** Puts events `from..to-1` with partition keys spread over the hash space. */
export async function putNumbered(
  client: KinesisClient,
  stream: string,
  from: number,
  to: number,
): Promise<void> {
  for (let start = from; start < to; start += 500) {
    const end = Math.min(to, start + 500);
    const entries = [];
    for (let id = start; id < end; id++) {
      entries.push({ PartitionKey: `key-${id}`, Data: Buffer.from(numberedEvent(id)) });
    }
    const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: entries }));
    if ((out.FailedRecordCount ?? 0) > 0) throw new Error('put failed');
  }
}

/** The `id`s of the events inside the stored windows, read straight from the stream. */
export async function idsInWindows(
  stream: string,
  windows: readonly ShardWindow[],
): Promise<number[]> {
  const source = new KinesisShardSource();
  const ids: number[] = [];
  try {
    for (const w of windows) {
      if (w.endSeq === undefined || w.endSeq === w.startAfterSeq) continue;
      const plan = {
        shardId: w.shardId,
        endSeq: w.endSeq,
        ...(w.startAfterSeq === undefined ? {} : { startAfterSeq: w.startAfterSeq }),
      };
      for await (const step of readShard(source, plan, { stream, minCallIntervalMs: 0 })) {
        if (step.type !== 'page') continue;
        for (const r of step.records)
          ids.push((JSON.parse(Buffer.from(r.data).toString()) as { id: number }).id);
      }
    }
  } finally {
    source.close();
  }
  return ids;
}

export async function waitActive(client: KinesisClient, stream: string): Promise<void> {
  for (;;) {
    const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await delay(20);
  }
}

async function openShards(client: KinesisClient, stream: string) {
  const out = await client.send(new ListShardsCommand({ StreamName: stream }));
  return (out.Shards ?? []).filter(
    (s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined,
  );
}

/** Splits the first open shard in the middle of its hash range. */
export async function splitFirst(client: KinesisClient, stream: string): Promise<void> {
  await waitActive(client, stream);
  const shard = (await openShards(client, stream))[0]!;
  const lo = BigInt(shard.HashKeyRange!.StartingHashKey!);
  const hi = BigInt(shard.HashKeyRange!.EndingHashKey!);
  await client.send(
    new SplitShardCommand({
      StreamName: stream,
      ShardToSplit: shard.ShardId,
      NewStartingHashKey: String((lo + hi) / 2n),
    }),
  );
  await waitActive(client, stream);
}

/** Merges the first two adjacent open shards. */
export async function mergeFirstAdjacent(client: KinesisClient, stream: string): Promise<void> {
  await waitActive(client, stream);
  const shards = (await openShards(client, stream)).sort((a, b) =>
    BigInt(a.HashKeyRange!.StartingHashKey!) < BigInt(b.HashKeyRange!.StartingHashKey!) ? -1 : 1,
  );
  for (let i = 0; i + 1 < shards.length; i++) {
    const a = shards[i]!;
    const b = shards[i + 1]!;
    if (BigInt(a.HashKeyRange!.EndingHashKey!) + 1n === BigInt(b.HashKeyRange!.StartingHashKey!)) {
      await client.send(
        new MergeShardsCommand({
          StreamName: stream,
          ShardToMerge: a.ShardId,
          AdjacentShardToMerge: b.ShardId,
        }),
      );
      await waitActive(client, stream);
      return;
    }
  }
  throw new Error('no adjacent open shards');
}

let tables = 0;
/** Fresh table names per test, so tests never see each other's iterations. */
export function freshTables(): { checkpointsTable: string; iterationsTable: string } {
  tables++;
  const suffix = `${process.pid}-${Date.now().toString(36)}-${tables}`;
  return { checkpointsTable: `cp-${suffix}`, iterationsTable: `it-${suffix}` };
}
