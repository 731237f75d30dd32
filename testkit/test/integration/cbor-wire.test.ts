/**
 * The test servers in CBOR (`application/x-amz-cbor-1.1`): the null endpoint and the fault proxy
 * (kinesalite upstream) read CBOR requests and answer in CBOR, counting, verifying, failing and
 * throttling as they do for JSON.
 */
import { after, afterEach, before, describe, it } from 'mocha';
import { expect } from 'chai';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { KplAggregateBuilder } from '@kinlog/core';
import { startNullKinesis, NullKinesisRouting } from '../../src/null-kinesis-server.js';
import { startFaultProxy, type FaultProxy } from '../../src/fault-proxy.js';
import { decodeCborValue, encodeCborValue } from '../../src/kinesis-wire/aws-cbor.js';
import { KinesisWire } from '../../src/kinesis-wire/aws-json.js';
import {
  createActiveStream,
  kinesisClient,
  readAll,
  startKinesalite,
  type LocalKinesis,
} from '../support/local-kinesis.js';
import type { KinesisClient } from '@aws-sdk/client-kinesis';

interface Answer {
  status: number;
  contentType: string | undefined;
  body: Record<string, unknown>;
}

/** One CBOR request of `operation`, signed as far as emulators check (the header's shape). */
function cborCall(url: string, operation: string, input: unknown): Promise<Answer> {
  const body = encodeCborValue(input);
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/`,
      {
        method: 'POST',
        headers: {
          'content-type': KinesisWire.CBOR_CONTENT_TYPE,
          'content-length': body.length,
          'x-amz-target': `${KinesisWire.TARGET_PREFIX}${operation}`,
          'x-amz-date': '20260101T000000Z',
          authorization:
            'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'],
            body: decodeCborValue(Buffer.concat(chunks)) as Record<string, unknown>,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

type ResultEntry = { SequenceNumber?: string; ShardId?: string; ErrorCode?: string };

const recordsOf = (answer: Answer): ResultEntry[] => answer.body.Records as ResultEntry[];

describe('null Kinesis endpoint in CBOR', function () {
  this.timeout(30_000);

  it('counts a CBOR PutRecords batch and answers in CBOR', async () => {
    const sink = await startNullKinesis({ shardCount: 3 });
    try {
      const Records = Array.from({ length: 500 }, (_, i) => ({
        // Data that looks like CBOR member names must not be counted as entries.
        Data: Buffer.from(`lPartitionKey ${i} \u00e9`),
        PartitionKey: `key-${i}`,
      }));
      const answer = await cborCall(sink.url, 'PutRecords', { StreamName: 'bench', Records });
      expect(answer.status).to.equal(200);
      expect(answer.contentType).to.equal(KinesisWire.CBOR_CONTENT_TYPE);
      expect(answer.body.FailedRecordCount).to.equal(0);
      expect(recordsOf(answer)).to.have.length(500);
      expect(new Set(recordsOf(answer).map((r) => r.ShardId)).size).to.equal(3);
      expect(sink.stats().entries).to.equal(500);
      const described = await cborCall(sink.url, 'ListShards', { StreamName: 'bench' });
      expect((described.body.Shards as unknown[]).length).to.equal(3);
    } finally {
      await sink.close();
    }
  });

  it('fails a fraction of entries, verifies payloads inside aggregates and gzip, routes by key', async () => {
    const sink = await startNullKinesis({
      failFraction: 0.25,
      routing: NullKinesisRouting.HASH_KEY,
      verifyKey: (payload) => /^line (\d+)$/.exec(payload.toString())?.[1],
    });
    try {
      const agg = new KplAggregateBuilder();
      agg.add('a', Buffer.from('line 1'));
      agg.add('b', gzipSync('line 2'));
      const Records = [
        { Data: agg.build(), PartitionKey: 'a' },
        { Data: Buffer.from('line 3'), PartitionKey: 'c' },
        { Data: gzipSync('line 1'), PartitionKey: 'd' },
        { Data: Buffer.from('line 9'), PartitionKey: 'e' }, // the failed quarter
      ];
      const answer = await cborCall(sink.url, 'PutRecords', { StreamName: 'bench', Records });
      expect(recordsOf(answer).map((r) => r.ErrorCode ?? 'ok')).to.deep.equal([
        'ok',
        'ok',
        'ok',
        'ProvisionedThroughputExceededException',
      ]);
      expect(answer.body.FailedRecordCount).to.equal(1);
      const { payloads, byKey } = sink.received();
      expect(payloads).to.equal(4);
      expect([...byKey].sort()).to.deep.equal([
        ['1', 2],
        ['2', 1],
        ['3', 1],
      ]);
    } finally {
      await sink.close();
    }
  });

  it('answers an unknown operation with a CBOR error', async () => {
    const sink = await startNullKinesis();
    try {
      const answer = await cborCall(sink.url, 'MergeShards', {});
      expect(answer.status).to.equal(400);
      expect(answer.contentType).to.equal(KinesisWire.CBOR_CONTENT_TYPE);
      expect(answer.body.__type).to.equal('UnknownOperationException');
    } finally {
      await sink.close();
    }
  });
});

describe('fault proxy in CBOR (kinesalite upstream)', function () {
  this.timeout(60_000);
  let local: LocalKinesis;
  let direct: KinesisClient;
  const proxies: FaultProxy[] = [];
  let counter = 0;

  before(async () => {
    local = await startKinesalite();
    direct = kinesisClient(local.url);
  });
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });
  after(async () => {
    direct.destroy();
    await local.close();
  });

  async function fresh(): Promise<string> {
    const name = `cbor-proxy-${++counter}`;
    await createActiveStream(direct, name, 2);
    return name;
  }

  it('fails single entries, forwards the others in CBOR, merges the answers in order', async () => {
    const stream = await fresh();
    const proxy = await startFaultProxy({
      upstream: local.url,
      faults: { entryFailureRate: 0.3 },
      seed: 3,
    });
    proxies.push(proxy);
    const Records = Array.from({ length: 300 }, (_, i) => ({
      Data: Buffer.from([i & 0xff, 0, 0xff, ...Buffer.from(` entry ${i}`)]),
      PartitionKey: `key-${i}`,
    }));
    const answer = await cborCall(proxy.url, 'PutRecords', { StreamName: stream, Records });
    expect(answer.status).to.equal(200);
    expect(answer.contentType).to.equal(KinesisWire.CBOR_CONTENT_TYPE);
    const results = recordsOf(answer);
    const failed = results.filter((r) => r.ErrorCode !== undefined).length;
    expect(failed).to.be.greaterThan(0);
    expect(answer.body.FailedRecordCount).to.equal(failed);
    expect(proxy.stats().entriesFailed).to.equal(failed);
    const stored = await readAll(direct, stream);
    const expected = Records.filter((_, i) => results[i]!.ErrorCode === undefined);
    expect(stored.map((r) => r.data).sort()).to.deep.equal(
      expected.map((r) => r.Data.toString()).sort(),
    );
  });

  it('throttles whole requests and a shard over budget, in CBOR', async () => {
    const stream = await fresh();
    const proxy = await startFaultProxy({ upstream: local.url, faults: { throttleRate: 1 } });
    proxies.push(proxy);
    const input = { StreamName: stream, Records: [{ Data: Buffer.from('x'), PartitionKey: 'k' }] };
    const throttled = await cborCall(proxy.url, 'PutRecords', input);
    expect(throttled.status).to.equal(400);
    expect(throttled.contentType).to.equal(KinesisWire.CBOR_CONTENT_TYPE);
    expect(throttled.body.__type).to.equal('ProvisionedThroughputExceededException');
    proxy.setFaults({ throttleRate: 0, shardRecordsPerSecond: 2 });
    const Records = Array.from({ length: 10 }, () => ({
      Data: Buffer.from('y'),
      PartitionKey: 'k',
    }));
    const budgeted = await cborCall(proxy.url, 'PutRecords', { StreamName: stream, Records });
    expect(
      recordsOf(budgeted)
        .map((r) => (r.ErrorCode === undefined ? '.' : 'T'))
        .join(''),
    ).to.equal('..TTTTTTTT');
    expect(proxy.stats().entriesShardThrottled).to.equal(8);
  });
});
