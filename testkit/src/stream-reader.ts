import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { awsClientConfig } from '@kinlog/core';
import { LocalEnvironmentDefaults } from '@kinlog/local';

/** One record read back from a stream. */
export interface StreamRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly data: Buffer;
}

/** Bounds of {@link readAllRecords}. */
export const StreamReaderDefaults = {
  RECORDS_PER_CALL: 10_000,
  /** Per shard; a stream needing more is not a test fixture. */
  MAX_CALLS_PER_SHARD: 10_000,
} as const;

/**
 * Reads every record of a stream on a local server: every shard, closed ones included, from
 * TRIM_HORIZON until caught up. Records come grouped by shard (in ListShards order), in sequence
 * order within a shard.
 *
 * @param options.endpoint Defaults to `AWS_ENDPOINT_URL_KINESIS` (set by the mocha fixture).
 * @example
 * ```ts
 * const records = await readAllRecords({ streamName });
 * expect(records.map((r) => r.data.toString())).to.deep.equal(['{"msg":"hi"}']);
 * ```
 */
export async function readAllRecords(options: {
  endpoint?: string;
  streamName: string;
}): Promise<StreamRecord[]> {
  const kinesis = localKinesisClient(options.endpoint);
  try {
    const records: StreamRecord[] = [];
    for (const shard of await listAllShards(kinesis, options.streamName)) {
      // A loop, not a spread: a shard may hold more records than a call may take arguments.
      for (const r of await readShard(kinesis, options.streamName, shard.ShardId ?? ''))
        records.push(r);
    }
    return records;
  } finally {
    kinesis.destroy();
  }
}

/**
 * A Kinesis client for the local servers: `endpoint`, else `AWS_ENDPOINT_URL_KINESIS`, with the
 * dummy credentials they accept.
 *
 * @example
 * ```ts
 * const kinesis = localKinesisClient();
 * ```
 */
export function localKinesisClient(endpoint?: string): KinesisClient {
  const resolved = endpoint ?? process.env.AWS_ENDPOINT_URL_KINESIS;
  if (resolved === undefined) {
    throw new Error(
      'no Kinesis endpoint: pass one, or load @kinlog/testkit/local-services-fixture in mocha',
    );
  }
  return new KinesisClient(
    awsClientConfig({
      endpoint: resolved,
      region: LocalEnvironmentDefaults.REGION,
      credentials: {
        accessKeyId: LocalEnvironmentDefaults.ACCESS_KEY_ID,
        secretAccessKey: LocalEnvironmentDefaults.SECRET_ACCESS_KEY,
      },
    }),
  );
}

async function listAllShards(kinesis: KinesisClient, streamName: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    // ListShards takes either the stream name or a continuation token, never both.
    const page = await kinesis.send(
      new ListShardsCommand(
        nextToken === undefined ? { StreamName: streamName } : { NextToken: nextToken },
      ),
    );
    shards.push(...(page.Shards ?? []));
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return shards;
}

async function readShard(
  kinesis: KinesisClient,
  streamName: string,
  shardId: string,
): Promise<StreamRecord[]> {
  const records: StreamRecord[] = [];
  let iterator = (
    await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    )
  ).ShardIterator;
  for (let call = 0; iterator !== undefined; call++) {
    if (call >= StreamReaderDefaults.MAX_CALLS_PER_SHARD) {
      throw new Error(
        `shard ${shardId} of ${streamName} not read after ${StreamReaderDefaults.MAX_CALLS_PER_SHARD} GetRecords calls`,
      );
    }
    const page = await kinesis.send(
      new GetRecordsCommand({
        ShardIterator: iterator,
        Limit: StreamReaderDefaults.RECORDS_PER_CALL,
      }),
    );
    for (const record of page.Records ?? []) {
      const data = record.Data ?? new Uint8Array();
      records.push({
        shardId,
        sequenceNumber: record.SequenceNumber ?? '',
        partitionKey: record.PartitionKey ?? '',
        data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      });
    }
    // A closed shard ends with no next iterator; an open one is caught up on an empty page.
    const caughtUp = (page.Records ?? []).length === 0 && (page.MillisBehindLatest ?? 0) === 0;
    iterator = caughtUp ? undefined : page.NextShardIterator;
  }
  return records;
}
