import {
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  PutRecordsCommand,
  SplitShardCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { startLocalServices, type LocalServices } from '@kinlog/local';
import { expect } from 'chai';
import { setTimeout as delay } from 'node:timers/promises';
import { createTestStream, localKinesisClient, readAllRecords } from '../../src/index.js';

async function put(kinesis: KinesisClient, streamName: string, from: number, count: number) {
  await kinesis.send(
    new PutRecordsCommand({
      StreamName: streamName,
      Records: Array.from({ length: count }, (_, i) => ({
        PartitionKey: `key-${from + i}`,
        Data: Buffer.from(`record ${from + i}`),
      })),
    }),
  );
}

async function waitActive(kinesis: KinesisClient, streamName: string): Promise<void> {
  for (;;) {
    const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await delay(20);
  }
}

describe('readAllRecords and createTestStream', function () {
  // Starts servers or processes: more than the unit-test default.
  this.timeout(60_000);
  let services: LocalServices;
  let kinesis: KinesisClient;

  before(async function () {
    services = await startLocalServices({ dynamodb: false });
    kinesis = localKinesisClient(services.kinesisEndpoint);
  });

  after(async function () {
    kinesis.destroy();
    await services.stop();
  });

  it('creates distinct ACTIVE streams with the shards asked for', async function () {
    const [a, b] = await Promise.all([
      createTestStream(3, services.kinesisEndpoint),
      createTestStream(1, services.kinesisEndpoint),
    ]);
    expect(a).to.not.equal(b);
    const shards = await kinesis.send(new ListShardsCommand({ StreamName: a }));
    expect(shards.Shards).to.have.length(3);
  });

  it('reads every record of every shard, closed shards included, in order per shard', async function () {
    const streamName = await createTestStream(2, services.kinesisEndpoint);
    await put(kinesis, streamName, 0, 300);
    await kinesis.send(
      new SplitShardCommand({
        StreamName: streamName,
        ShardToSplit: 'shardId-000000000000',
        NewStartingHashKey: (2n ** 126n).toString(),
      }),
    );
    await waitActive(kinesis, streamName);
    await put(kinesis, streamName, 300, 300);

    const records = await readAllRecords({ endpoint: services.kinesisEndpoint, streamName });
    expect(records.map((r) => r.data.toString()).sort()).to.deep.equal(
      Array.from({ length: 600 }, (_, i) => `record ${i}`).sort(),
    );
    expect(new Set(records.map((r) => r.shardId)).size).to.equal(4);
    for (const record of records)
      expect(record.data.toString()).to.equal(`record ${record.partitionKey.slice(4)}`);
    for (const shardId of new Set(records.map((r) => r.shardId))) {
      const sequence = records
        .filter((r) => r.shardId === shardId)
        .map((r) => BigInt(r.sequenceNumber));
      expect(sequence).to.deep.equal([...sequence].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    }
  });

  it('returns nothing for an empty stream', async function () {
    const streamName = await createTestStream(2, services.kinesisEndpoint);
    expect(await readAllRecords({ endpoint: services.kinesisEndpoint, streamName })).to.deep.equal(
      [],
    );
  });
});
