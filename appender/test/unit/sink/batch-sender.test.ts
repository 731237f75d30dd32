import { expect } from 'chai';
import { KinesisAccessError } from '../../../src/errors.js';
import { BatchSender } from '../../../src/sink/batch-sender.js';
import type { SettleResult, UserRecord } from '../../../src/sink/held-record.js';
import type { KinesisSinkOptions } from '../../../src/sink/sink-options.js';
import { serverError, THROTTLED } from './support/fake-put-records.js';
import { settle } from './support/fake-clock.js';
import { sinkRooms } from './support/sink-rooms.js';

function senderOf(options: Partial<KinesisSinkOptions>) {
  const rooms = sinkRooms(options);
  let urgent = false;
  const sender = new BatchSender(
    rooms.o,
    rooms.client,
    rooms.lanes,
    rooms.router,
    rooms.ledger,
    rooms.clock,
    { urgent: () => urgent, closing: () => false, released: () => undefined },
  );
  const results = new Map<number, SettleResult[]>();
  let seq = 0;
  const put = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const s = ++seq;
      const u: UserRecord = {
        data: Buffer.from(`line-${s}`),
        partitionKey: `key-${s}`,
        bytes: 10,
        hashKey: undefined,
        seq: s,
        firstPutAtMs: rooms.clock.now(),
        onSettled: (r) => results.set(s, [...(results.get(s) ?? []), r]),
      };
      rooms.ledger.accepted(u.bytes);
      rooms.router.route(u);
      sender.afterPut(rooms.clock.now());
    }
  };
  return {
    ...rooms,
    sender,
    results,
    put,
    setUrgent: (v: boolean) => (urgent = v),
  };
}

describe('BatchSender', () => {
  it('sends a full batch at once and a partial one after flushIntervalMs', async () => {
    const s = senderOf({ maxBatchRecords: 10, flushIntervalMs: 1000 });
    s.put(13);
    await settle();
    expect(s.client.requests.map((r) => r.length)).to.deep.equal([10]);
    await s.clock.advance(999);
    expect(s.client.requests).to.have.length(1);
    await s.clock.advance(1);
    expect(s.client.requests.map((r) => r.length)).to.deep.equal([10, 3]);
    expect(s.ledger.counters).to.include({ recordsSent: 13, bufferedRecords: 0 });
    expect([...s.results.values()].every((r) => r.length === 1 && r[0]!.ok)).to.equal(true);
  });

  it('keeps at most maxInFlight requests out', async () => {
    const s = senderOf({ maxBatchRecords: 5, maxInFlight: 2 });
    s.client.hold = true;
    s.put(20);
    await settle();
    expect(s.client.requests).to.have.length(2);
    expect(s.ledger.counters.inFlightRequests).to.equal(2);
    expect(s.sender.lowestSeq()).to.equal(1);
    s.client.release();
    await settle();
    expect(s.client.requests).to.have.length(4);
    s.client.release();
    await settle();
    expect(s.ledger.counters.recordsSent).to.equal(20);
  });

  it('re-sends only the entries that failed, after a backoff, once each', async () => {
    const s = senderOf({ maxBatchRecords: 10, backoffBaseMs: 100, backoffMaxMs: 100 });
    s.client.answer = (entries, request) =>
      entries.map((e, i) => (request === 0 && i % 5 === 0 ? THROTTLED : s.client.ok(e)));
    s.put(10);
    await settle();
    expect(s.ledger.counters.entriesRetried).to.equal(2);
    s.setUrgent(true);
    s.sender.pump();
    await s.clock.advance(2000);
    expect(s.client.requests.map((r) => r.map((e) => e.partitionKey))).to.deep.equal([
      Array.from({ length: 10 }, (_, i) => `key-${i + 1}`),
      ['key-1', 'key-6'],
    ]);
    expect(s.results.size).to.equal(10);
    expect([...s.results.values()].every((r) => r.length === 1 && r[0]!.ok)).to.equal(true);
  });

  it('entries failing while most of their batch went through rejoin the next batch at once, together', async () => {
    const s = senderOf({ maxBatchRecords: 100, backoffBaseMs: 1000, backoffMaxMs: 10_000 });
    s.client.answer = (entries, request) =>
      entries.map((e, i) => (request === 0 && i % 10 === 0 ? THROTTLED : s.client.ok(e)));
    s.setUrgent(true); // a flush is awaited, as the daemon awaits one when its window is full
    s.put(100);
    await settle();
    // No backoff wait: the ten failed entries went out in one request right after the answer.
    expect(s.client.requests.map((r) => r.length)).to.deep.equal([100, 10]);
    expect(s.ledger.counters.recordsSent).to.equal(100);
  });

  it('a shard refusing most of its entries backs off exponentially, within backoffMaxMs', async () => {
    const s = senderOf({ maxBatchRecords: 10, backoffBaseMs: 100, backoffMaxMs: 400 });
    s.client.answer = (entries, request) =>
      entries.map((e) => (request < 5 ? THROTTLED : s.client.ok(e)));
    // Every jittered wait drawn at the top of its range, so the waits are their ceilings.
    const random = Math.random;
    Math.random = () => 0.999;
    const sentAt: number[] = [];
    try {
      s.setUrgent(true);
      s.put(10);
      for (let t = 0; t < 3000 && s.ledger.counters.recordsSent < 10; t += 10) {
        await s.clock.advance(10);
        while (sentAt.length < s.client.requests.length) sentAt.push(s.clock.now());
      }
    } finally {
      Math.random = random;
    }
    expect(s.client.requests).to.have.length(6);
    expect(s.ledger.counters.recordsSent).to.equal(10);
    // Five waits, seen on a clock moved 10 ms at a time: ceilings 100, 200, then backoffMaxMs.
    const gaps = sentAt.slice(1).map((t, i) => t - sentAt[i]!);
    const ceilings = [100, 200, 400, 400, 400];
    expect(gaps).to.have.length(ceilings.length);
    gaps.forEach((gap, i) => expect(gap).to.be.within(ceilings[i]! - 10, ceilings[i]! + 10));
  });

  it('retries a failed request with backoff on the clock, then settles it', async () => {
    const s = senderOf({ maxBatchRecords: 3, backoffBaseMs: 50, backoffMaxMs: 50 });
    s.client.answer = (entries, request) =>
      request < 2 ? serverError() : entries.map((e) => s.client.ok(e));
    s.put(3);
    await s.clock.advance(200);
    expect(s.client.requests).to.have.length(3);
    expect(s.ledger.counters).to.include({ requestRetries: 2, recordsSent: 3 });
    expect(s.ledger.counters.requestsFailedByCode).to.deep.equal({ InternalFailure: 2 });
    expect(s.events.filter((e) => e.name === 'error')).to.have.length(1); // reported once
  });

  it('drops a batch Kinesis refuses for good (not retryable) as rejected', async () => {
    const s = senderOf({ maxBatchRecords: 2 });
    s.client.answer = () => new KinesisAccessError(s.client.target, 'denied');
    s.put(2);
    await settle();
    expect(s.client.requests).to.have.length(1);
    expect(s.ledger.counters.dropped.rejected).to.equal(2);
    expect(s.results.get(1)).to.deep.equal([{ ok: false, reason: 'rejected' }]);
  });

  it('gives up on an entry after maxRetries and on a record past recordTtlMs', async () => {
    const s = senderOf({ maxBatchRecords: 1, maxRetries: 2, backoffBaseMs: 10, backoffMaxMs: 10 });
    s.client.answer = () => [THROTTLED];
    s.setUrgent(true);
    s.put(1);
    await s.clock.advance(1000);
    expect(s.client.requests).to.have.length(3); // the first attempt and two retries
    expect(s.results.get(1)).to.deep.equal([{ ok: false, reason: 'retriesExhausted' }]);

    const t = senderOf({ maxBatchRecords: 1, recordTtlMs: 500, backoffBaseMs: 100 });
    t.client.answer = () => [THROTTLED];
    t.setUrgent(true);
    t.put(1);
    await t.clock.advance(5000);
    expect(t.results.get(1)).to.deep.equal([{ ok: false, reason: 'ttlExpired' }]);
    expect(t.ledger.counters.bufferedRecords).to.equal(0);
  });

  it('abandons requests in flight at a shutdown deadline, returning their records', async () => {
    const s = senderOf({ maxBatchRecords: 4 });
    s.client.hold = true;
    s.put(4);
    await settle();
    const held = s.sender.abandonAll();
    expect(held.map((r) => r.seq)).to.deep.equal([1, 2, 3, 4]);
    expect(s.ledger.counters.inFlightRequests).to.equal(0);
    await settle();
    expect(s.ledger.counters.recordsSent).to.equal(0); // the aborted answer settles nothing
  });
});
