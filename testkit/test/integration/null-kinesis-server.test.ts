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
import { KinesisClient } from '@aws-sdk/client-kinesis';
import type { PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import { Agent } from 'node:https';
import { gzipSync } from 'node:zlib';
import { KinesisLimits, KplAggregateBuilder, awsClientConfig } from '@kinlog/core';
import { LocalEnvironmentDefaults } from '@kinlog/local';
import { NullKinesisRouting, startNullKinesis } from '../../src/null-kinesis-server.js';
import type { NullKinesis } from '../../src/null-kinesis-server.js';
import { decodeCborValue, encodeCborValue } from '../../src/kinesis-wire/aws-cbor.js';
import { KinesisWire, WireProtocols, type WireProtocol } from '../../src/kinesis-wire/aws-json.js';
import {
  evenHashKeyRanges,
  hashKeyOf,
  MAX_HASH_KEY,
  shardIdFor,
} from '../../src/kinesis-wire/hash-key-ranges.js';
import { TEST_CREDENTIALS, kinesisClient } from '../support/local-kinesis.js';

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

  it('counts a body that arrives in pieces smaller than an entry marker', async () => {
    for (const protocol of [WireProtocols.JSON, WireProtocols.CBOR]) {
      const records = Array.from({ length: 40 }, (_, i) => ({
        Data: Buffer.from(`line ${i}`),
        PartitionKey: `key-${i}`,
      }));
      const body =
        protocol === WireProtocols.JSON
          ? Buffer.from(
              JSON.stringify({
                StreamName: 'bench',
                Records: records.map((r) => ({ ...r, Data: r.Data.toString('base64') })),
              }),
            )
          : encodeCborValue({ StreamName: 'bench', Records: records });
      const before = sink.stats();
      const answer = await putInPieces(sink.url, protocol, body, 7);
      expect(answer.FailedRecordCount).to.equal(0);
      expect(answer.Records).to.have.length(40);
      expect(sink.stats().entries - before.entries).to.equal(40);
      expect(sink.stats().bytes - before.bytes).to.equal(body.length);
    }
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
  it('serves HTTPS with a certificate that a client trusting its ca accepts', async () => {
    const secure = await startNullKinesis({ tls: true });
    const connection = {
      endpoint: secure.url,
      region: LocalEnvironmentDefaults.REGION,
      credentials: TEST_CREDENTIALS,
    };
    const trustingConfig = awsClientConfig(connection);
    trustingConfig.requestHandler.updateHttpClientConfig(
      'httpsAgent',
      new Agent({ keepAlive: true, ca: secure.ca }),
    );
    const trusting = new KinesisClient(trustingConfig);
    const untrusting = new KinesisClient(awsClientConfig(connection));
    try {
      expect(secure.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
      const output = await trusting.send(
        new PutRecordsCommand({
          StreamName: 'bench',
          Records: [{ Data: Buffer.from('a'), PartitionKey: 'k' }],
        }),
      );
      expect(output.FailedRecordCount).to.equal(0);
      expect(secure.stats().entries).to.equal(1);

      let error: unknown;
      try {
        await untrusting.send(new ListShardsCommand({ StreamName: 'bench' }));
      } catch (err) {
        error = err;
      }
      expect(String((error as { code?: string }).code ?? error)).to.match(/SELF_SIGNED|CERT/);
    } finally {
      trusting.destroy();
      untrusting.destroy();
      await secure.close();
    }
  });

  it('fails the asked fraction of entries as throttled, evenly spread', async () => {
    const throttled = await startNullKinesis({ failFraction: 0.1 });
    const client = kinesisClient(throttled.url);
    try {
      const records = Array.from({ length: 500 }, (_, i) => ({
        Data: Buffer.from(`line ${i}`),
        PartitionKey: `k${i}`,
      }));
      const output = await client.send(
        new PutRecordsCommand({ StreamName: 'bench', Records: records }),
      );

      expect(output.FailedRecordCount).to.equal(50);
      const failed = output.Records!.flatMap((r, i) => (r.ErrorCode === undefined ? [] : [i]));
      expect(failed).to.have.length(50);
      expect(failed.every((i) => i % 10 === 9)).to.equal(true);
      expect(output.Records![9]!.ErrorCode).to.equal('ProvisionedThroughputExceededException');
      // As Kinesis words it: the message names the shard, which per-shard counters read.
      expect(output.Records![9]!.ErrorMessage).to.match(/^Rate exceeded for shard shardId-\d{12} /);
      expect(output.Records![0]!.SequenceNumber).to.be.a('string');
      expect(throttled.stats()).to.include({ entries: 450, failedEntries: 50 });
      await expectRejected(startNullKinesis({ failFraction: 1 }), /failFraction/);
    } finally {
      client.destroy();
      await throttled.close();
    }
  });

  it('in verifying mode counts every payload inside aggregates and gzip, except failed entries', async () => {
    const verifying = await startNullKinesis({
      failFraction: 0.25,
      verifyKey: (payload) => /^line (\d+)$/.exec(payload.toString())?.[1],
    });
    const client = kinesisClient(verifying.url);
    try {
      const agg = new KplAggregateBuilder();
      agg.add('a', Buffer.from('line 1'));
      agg.add('b', gzipSync('line 2'));
      const records: PutRecordsRequestEntry[] = [
        { Data: agg.build(), PartitionKey: 'a' },
        { Data: Buffer.from('line 3'), PartitionKey: 'c' },
        { Data: gzipSync('line 1'), PartitionKey: 'd' },
        { Data: Buffer.from('line 9'), PartitionKey: 'e' }, // the failed quarter
        { Data: Buffer.from('not a line'), PartitionKey: 'f' },
      ];
      const output = await client.send(
        new PutRecordsCommand({ StreamName: 'bench', Records: records }),
      );

      expect(output.Records!.map((r) => r.ErrorCode !== undefined)).to.deep.equal([
        false,
        false,
        false,
        true,
        false,
      ]);
      const { payloads, byKey, unkeyed } = verifying.received();
      expect(payloads).to.equal(5);
      expect(unkeyed).to.equal(1);
      expect([...byKey].sort()).to.deep.equal([
        ['1', 2],
        ['2', 1],
        ['3', 1],
      ]);
      expect(sink.received().byKey.size).to.equal(0);
    } finally {
      client.destroy();
      await verifying.close();
    }
  });
});

/** A PutRecords request whose body is written `piece` bytes at a time, each in its own turn. */
async function putInPieces(
  url: string,
  protocol: WireProtocol,
  body: Buffer,
  piece: number,
): Promise<{ FailedRecordCount: number; Records: unknown[] }> {
  const cbor = protocol === WireProtocols.CBOR;
  const req = request(`${url}/`, {
    method: 'POST',
    headers: {
      'content-type': cbor ? KinesisWire.CBOR_CONTENT_TYPE : KinesisWire.CONTENT_TYPE,
      'content-length': body.length,
      'x-amz-target': `${KinesisWire.TARGET_PREFIX}${KinesisWire.OPERATIONS.PUT_RECORDS}`,
    },
  });
  const answered = once(req, 'response') as Promise<[IncomingMessage]>;
  req.flushHeaders();
  for (let at = 0; at < body.length; at += piece) {
    req.write(body.subarray(at, at + piece));
    await new Promise((resolve) => setImmediate(resolve));
  }
  req.end();
  const [res] = await answered;
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const answer = Buffer.concat(chunks);
  return (cbor ? decodeCborValue(answer) : JSON.parse(answer.toString())) as {
    FailedRecordCount: number;
    Records: unknown[];
  };
}

async function expectRejected(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  let error: unknown;
  try {
    await promise;
  } catch (err) {
    error = err;
  }
  expect(String(error)).to.match(pattern);
}
