import { after, before, describe, it } from 'mocha';
import { expect } from 'chai';
import {
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  KinesisServiceException,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import type { KinesisClient, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { KinesisLimits } from '@kinlog/core';
import { NullKinesisRouting, startNullKinesis } from '../../src/null-kinesis-server.js';
import type { NullKinesis } from '../../src/null-kinesis-server.js';
import {
  evenHashKeyRanges,
  hashKeyOf,
  MAX_HASH_KEY,
  shardIdFor,
} from '../../src/kinesis-wire/hash-key-ranges.js';
import { kinesisClient } from '../support/local-kinesis.js';

describe('null Kinesis endpoint (integration)', function () {
  // Starts servers or processes: more than the unit-test default.
  this.timeout(60_000);
  let sink: NullKinesis;
  let kinesis: KinesisClient;

  before(async () => {
    sink = await startNullKinesis({ shardCount: 3 });
    kinesis = kinesisClient(sink.url);
  });
  after(async () => {
    kinesis.destroy();
    await sink.close();
    await sink.close();
  });

  it('accepts a full PutRecords batch with increasing sequence numbers', async () => {
    const count = KinesisLimits.MAX_RECORDS_PER_REQUEST;
    const records = Array.from({ length: count }, (_, i) => ({
      Data: Buffer.from(`{"msg":"line ${i}","PartitionKey":"not a key"}`),
      PartitionKey: i % 7 === 0 ? `"PartitionKey":${i}` : `key-${i}`,
    }));
    const before = sink.stats();
    const output = await kinesis.send(
      new PutRecordsCommand({ StreamName: 'bench', Records: records }),
    );

    expect(output.FailedRecordCount).to.equal(0);
    expect(output.Records).to.have.length(count);
    const sequences = output.Records!.map((r) => BigInt(r.SequenceNumber!));
    for (let i = 1; i < sequences.length; i++) {
      expect(sequences[i]! > sequences[i - 1]!).to.equal(true);
    }
    expect(new Set(output.Records!.map((r) => r.ShardId))).to.have.property('size', 3);

    const after = sink.stats();
    expect(after.entries - before.entries).to.equal(count);
    expect(after.putRequests - before.putRequests).to.equal(1);
    expect(after.bytes - before.bytes).to.be.greaterThan(count * 10);
  });

  it('describes any stream as ACTIVE with evenly split shards', async () => {
    const { StreamDescriptionSummary: summary } = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: 'bench' }),
    );
    expect(summary?.StreamStatus).to.equal('ACTIVE');
    expect(summary?.OpenShardCount).to.equal(3);
    expect(summary?.StreamARN).to.match(/:stream\/bench$/);
    expect(summary?.StreamCreationTimestamp).to.be.instanceOf(Date);

    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: 'bench' }));
    expect(Shards.map((s) => s.ShardId)).to.deep.equal([
      'shardId-000000000000',
      'shardId-000000000001',
      'shardId-000000000002',
    ]);
    expect(Shards[0]!.HashKeyRange?.StartingHashKey).to.equal('0');
    expect(Shards[2]!.HashKeyRange?.EndingHashKey).to.equal(MAX_HASH_KEY.toString());

    const { StreamDescription } = await kinesis.send(
      new DescribeStreamCommand({ StreamName: 'bench' }),
    );
    expect(StreamDescription?.Shards).to.have.length(3);
    expect(StreamDescription?.HasMoreShards).to.equal(false);
  });

  it('answers other operations with an AWS error', async () => {
    let error: unknown;
    try {
      await kinesis.send(new GetRecordsCommand({ ShardIterator: 'x' }));
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(KinesisServiceException);
    expect((error as KinesisServiceException).name).to.equal('UnknownOperationException');
    expect((error as KinesisServiceException).$metadata.httpStatusCode).to.equal(400);
  });

  it('answers each entry with the shard its hash key maps to when routing by hash key', async () => {
    const routed = await startNullKinesis({ shardCount: 4, routing: NullKinesisRouting.HASH_KEY });
    const client = kinesisClient(routed.url);
    try {
      const keys = Array.from({ length: 64 }, (_, i) => `tenant-${i}`);
      const records: PutRecordsRequestEntry[] = keys.map((key) => ({
        Data: Buffer.from('{}'),
        PartitionKey: key,
      }));
      records.push({ Data: Buffer.from('{}'), PartitionKey: 'ignored', ExplicitHashKey: '0' });
      const output = await client.send(
        new PutRecordsCommand({ StreamName: 'bench', Records: records }),
      );

      const ranges = evenHashKeyRanges(4);
      const expected = keys.map((key) => shardIdFor(hashKeyOf(key), ranges));
      expected.push('shardId-000000000000');
      expect(output.Records!.map((r) => r.ShardId)).to.deep.equal(expected);
      expect(new Set(expected)).to.have.property('size', 4);
      expect(routed.stats().entries).to.equal(records.length);
    } finally {
      client.destroy();
      await routed.close();
    }
  });

  it('rejects an impossible shard count', async () => {
    let error: unknown;
    try {
      await startNullKinesis({ shardCount: 0 });
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.match(/shardCount/);
  });
});
