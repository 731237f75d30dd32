/**
 * PutRecords in both wire protocols (CBOR, the default, and JSON) against a real local Kinesis
 * (this file also runs in the compatibility lane against the second implementation), directly
 * and through the fault proxy: records are stored byte for byte, a partial failure is re-sent
 * by the sink until everything is stored once, and an error answer is classified alike.
 */
import { expect } from 'chai';
import type { KinlogError } from '@kinlog/core';
import { createTestStream, readAllRecords, startFaultProxy } from '@kinlog/testkit';
import { KinesisRequestError, StreamNotFoundError } from '../../src/errors.js';
import { KinesisSink } from '../../src/sink/kinesis-sink.js';
import { PutRecordsClient, type PutEntry } from '../../src/sink/put-records-client.js';
import { WireProtocol } from '../../src/sink/wire-protocol.js';
import { rangesOf } from '../unit/sink/support/line-ranges.js';

const endpoint = (): string => process.env.AWS_ENDPOINT_URL_KINESIS ?? '';

/** Data of many shapes: empty, binary, non-ASCII, long; keys non-ASCII and of every length. */
function entries(n: number): PutEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    data:
      i % 50 === 0
        ? Buffer.alloc(0)
        : i % 7 === 0
          ? Buffer.from(Array.from({ length: 300 }, (_, b) => (b * 31 + i) & 0xff))
          : Buffer.from(`{"n":${i},"msg":"caf\u00e9 \u{1f4a5} ${'x'.repeat(i % 40)}"}`),
    partitionKey: i % 3 === 0 ? `k\u00e9y-${i}` : `p-${'z'.repeat(i % 30)}`,
  }));
}

for (const wireProtocol of Object.values(WireProtocol)) {
  describe(`PutRecords over ${wireProtocol}`, function () {
    this.timeout(60_000);

    it('stores every record byte for byte, 500 in one request, and reads where each went', async () => {
      const streamName = await createTestStream(2);
      const client = new PutRecordsClient({ streamName, endpoint: endpoint(), wireProtocol });
      try {
        const sent = entries(500);
        const results = await client.send(sent);
        expect(client.sendsLean).to.equal(true);
        expect(client.wireProtocol).to.equal(wireProtocol);
        expect(results.every((r) => r.ok)).to.equal(true);
        const stored = await readAllRecords({ streamName, endpoint: endpoint() });
        const bySequence = new Map(stored.map((r) => [r.sequenceNumber, r]));
        results.forEach((r, i) => {
          if (!r.ok) throw new Error('not stored');
          const record = bySequence.get(r.sequenceNumber);
          expect(record?.shardId).to.equal(r.shardId);
          expect(record?.data.equals(sent[i]!.data), `record ${i}`).to.equal(true);
          expect(record?.partitionKey).to.equal(sent[i]!.partitionKey);
        });
      } finally {
        client.destroy();
      }
    });

    it('stores a record of 1 MiB minus its key', async () => {
      const streamName = await createTestStream(1);
      const client = new PutRecordsClient({ streamName, endpoint: endpoint(), wireProtocol });
      try {
        const data = Buffer.alloc(1024 * 1024 - 1, 0xab);
        const [result] = await client.send([{ data, partitionKey: 'k' }]);
        expect(result?.ok).to.equal(true);
        const stored = await readAllRecords({ streamName, endpoint: endpoint() });
        expect(stored.map((r) => r.data.equals(data))).to.deep.equal([true]);
      } finally {
        client.destroy();
      }
    });

    it('classifies an error answer as the JSON one is classified: a missing stream', async () => {
      const client = new PutRecordsClient({
        streamName: 'no-such-stream-wire',
        endpoint: endpoint(),
        wireProtocol,
      });
      try {
        const err = await client.send(entries(2)).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).to.be.instanceOf(StreamNotFoundError);
        expect((err as KinlogError).retryable).to.equal(false);
      } finally {
        client.destroy();
      }
    });

    it('classifies a throttled request behind the fault proxy as retryable', async () => {
      const streamName = await createTestStream(1);
      const proxy = await startFaultProxy({ upstream: endpoint(), faults: { throttleRate: 1 } });
      const client = new PutRecordsClient({ streamName, endpoint: proxy.url, wireProtocol });
      try {
        const err = await client.send(entries(3)).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).to.be.instanceOf(KinesisRequestError);
        expect((err as KinesisRequestError).awsCode).to.match(/Exceeded/);
        expect((err as KinesisRequestError).retryable).to.equal(true);
      } finally {
        client.destroy();
        await proxy.close();
      }
    });

    it('re-sends entries the fault proxy failed until every one is stored once', async () => {
      const streamName = await createTestStream(2);
      const proxy = await startFaultProxy({
        upstream: endpoint(),
        faults: { entryFailureRate: 0.3 },
        seed: 4,
      });
      const sink = new KinesisSink({
        streamName,
        endpoint: proxy.url,
        wireProtocol,
        backoffBaseMs: 10,
        backoffMaxMs: 50,
        maxRetries: Infinity,
      });
      try {
        const lines = Array.from({ length: 400 }, (_, i) => `{"line":${i},"w":"\u00e9"}`);
        // Half one by one, half as lines put together (plain runs written from their block).
        for (const line of lines.slice(0, 200)) sink.putEncoded(line);
        sink.putLines(rangesOf(lines.slice(200)));
        await sink.close();
        expect(proxy.stats().entriesFailed).to.be.greaterThan(0);
        const stored = await readAllRecords({ streamName, endpoint: endpoint() });
        expect(stored.map((r) => r.data.toString()).sort()).to.deep.equal([...lines].sort());
        expect(sink.stats().droppedTotal).to.equal(0);
      } finally {
        await proxy.close();
      }
    });
  });
}
