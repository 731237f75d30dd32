import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { awsClientConfig } from '@kinlog/core';
import { LocalEnvironmentDefaults, wholeKinesaliteCborAnswers } from '@kinlog/local';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** Dummy credentials: local emulators check their presence, not their value. */
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

/** An in-memory kinesalite on a free port. */
export interface LocalKinesis {
  url: string;
  close(): Promise<void>;
}

export async function startKinesalite(): Promise<LocalKinesis> {
  // As the local services start it: CBOR requests stored and answered whole.
  wholeKinesaliteCborAnswers();
  const kinesalite = (await import('kinesalite')).default;
  const server = kinesalite({
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: 1000,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close((err) => (err ? reject(err) : resolve())),
      ),
  };
}

export function kinesisClient(endpoint: string): KinesisClient {
  return new KinesisClient(
    awsClientConfig({
      endpoint,
      region: LocalEnvironmentDefaults.REGION,
      credentials: TEST_CREDENTIALS,
    }),
  );
}

/** Creates a stream and waits until it is ACTIVE. */
export async function createActiveStream(
  kinesis: KinesisClient,
  streamName: string,
  shardCount: number,
): Promise<void> {
  await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  for (;;) {
    const { StreamDescriptionSummary } = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: streamName }),
    );
    if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every record in the stream, as UTF-8 strings, with the shard it landed on. */
export async function readAll(
  kinesis: KinesisClient,
  streamName: string,
): Promise<{ data: string; shardId: string; partitionKey: string }[]> {
  const out: { data: string; shardId: string; partitionKey: string }[] = [];
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  for (const shard of Shards) {
    const shardId = shard.ShardId!;
    let { ShardIterator: iterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (iterator !== undefined) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
      for (const record of page.Records ?? []) {
        out.push({
          data: Buffer.from(record.Data!).toString('utf8'),
          shardId,
          partitionKey: record.PartitionKey!,
        });
      }
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return out;
}
