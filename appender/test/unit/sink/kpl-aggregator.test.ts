/**
 * One-key aggregate buffers are reused once their aggregate is acknowledged: never while it
 * waits, is in flight or is sent again after a failure, so every acknowledged record is what
 * was put.
 */
import { expect } from 'chai';
import { KplAggregateFormat } from '@kinlog/core';
import { KinesisSink, type SettleResult } from '../../../src/sink/kinesis-sink.js';
import type { PutEntry } from '../../../src/sink/put-records-client.js';
import { KplAggregator, SPARE_AGGREGATE_BYTES } from '../../../src/sink/kpl-aggregator.js';
import type { HeldRecord } from '../../../src/sink/held-record.js';
import { FakeClock, settle } from './support/fake-clock.js';
import { evenShards, FakePutRecords, THROTTLED } from './support/fake-put-records.js';
import { deaggregate } from '../../support/kpl-deaggregate.js';
import { rangesOf, resultPerRecord } from './support/line-ranges.js';

const AGGREGATE_BYTES = 1024;
const MAGIC = Buffer.from(KplAggregateFormat.MAGIC);

describe('KplAggregator', () => {
  it('writes new aggregates into the buffers of acknowledged ones, never of those still held', async () => {
    const clock = new FakeClock();
    const client = new FakePutRecords();
    client.shards = evenShards(2);
    // Every third entry of every other request is throttled: it is sent again later, from the
    // same bytes, while later aggregates are made.
    client.answer = (entries, request) =>
      entries.map((e, i) => (request % 2 === 0 && i % 3 === 0 ? THROTTLED : client.ok(e)));
    const acknowledged: string[] = [];
    const buffers = new Set<ArrayBufferLike>();
    let aggregates = 0;
    const put = client.put.bind(client);
    client.put = async (entries: readonly PutEntry[], signal?: AbortSignal) => {
      const sent = entries.map((e) => ({ ...e, data: Buffer.from(e.data) }));
      for (const e of entries) {
        if (!Buffer.from(e.data.subarray(0, 4)).equals(MAGIC)) continue;
        aggregates++;
        buffers.add(e.data.buffer);
      }
      const results = await put(entries, signal);
      sent.forEach((e, i) => {
        if (!results.ok(i)) return;
        for (const u of deaggregate(e.data, e.partitionKey))
          acknowledged.push(Buffer.from(u.data, 'base64').toString());
      });
      return results;
    };
    const sink = new KinesisSink(
      {
        streamName: 'logs',
        aggregation: true,
        maxAggregateBytes: AGGREGATE_BYTES,
        maxBatchRecords: 8,
        backoffBaseMs: 1,
        backoffMaxMs: 1,
      },
      { client, clock },
    );
    const results: SettleResult[] = [];
    const onSettled = resultPerRecord(results);
    sink.putEncoded('warm-up', undefined, onSettled);
    await settle();
    const lines = Array.from({ length: 3000 }, (_, i) => `line ${i} ${'x'.repeat((i * 37) % 90)}`);
    for (let from = 0; from < lines.length; from += 100) {
      const chunk = lines.slice(from, from + 100);
      if ((from / 100) % 2 === 0) {
        const ranges = rangesOf(chunk);
        sink.putLines(ranges, onSettled);
        ranges.buf.fill(0x21); // the caller's buffer is its own again
      } else for (const line of chunk) sink.putEncoded(Buffer.from(line), undefined, onSettled);
      await clock.advance(1);
      await settle();
    }
    await sink.flush();
    await sink.close();
    expect(results.filter((r) => r.ok)).to.have.length(lines.length + 1);
    expect(acknowledged.filter((l) => l !== 'warm-up').sort()).to.deep.equal([...lines].sort());
    expect(aggregates).to.be.above(100);
    // Buffers went round: far fewer of them than aggregates sent.
    expect(buffers.size).to.be.below(aggregates / 4);
  });

  it('keeps only buffers of its own of the aggregate size, up to SPARE_AGGREGATE_BYTES', () => {
    const aggregator = new KplAggregator(AGGREGATE_BYTES);
    const held = (pooled: Buffer): HeldRecord =>
      ({ data: pooled.subarray(0, 10), pooled }) as unknown as HeldRecord;
    aggregator.recycle(held(Buffer.allocUnsafe(AGGREGATE_BYTES))); // a slice of Node's pool
    aggregator.recycle(held(Buffer.allocUnsafeSlow(AGGREGATE_BYTES * 2)));
    expect(aggregator.spareCount).to.equal(0);
    const record = held(Buffer.allocUnsafeSlow(AGGREGATE_BYTES));
    aggregator.recycle(record);
    aggregator.recycle(record); // given back once only
    expect(aggregator.spareCount).to.equal(1);
    expect(record.data.length).to.equal(0);
    for (let i = 0; i < SPARE_AGGREGATE_BYTES / AGGREGATE_BYTES + 10; i++)
      aggregator.recycle(held(Buffer.allocUnsafeSlow(AGGREGATE_BYTES)));
    expect(aggregator.spareCount).to.equal(SPARE_AGGREGATE_BYTES / AGGREGATE_BYTES);
  });
});
