/**
 * The sink's core behaviour against a real local Kinesis. This file also runs in the
 * compatibility lane against the second Kinesis implementation (KINLOG_TEST_KINESIS), so it
 * relies on nothing but the documented API.
 */
import { expect } from 'chai';
import { createTestStream, readAllRecords } from '@kinlog/testkit';
import {
  KinesisSink,
  TRUNCATED_FIELD,
  type DropEvent,
  type SettleResult,
} from '../../src/index.js';
import type { AppenderError } from '../../src/errors.js';

/** A hang guard, not a speed bound: a test that moves megabytes may take this long under load. */
const SLOW_DELIVERY_TEST_TIMEOUT_MS = 300_000;

/** shutdownTimeoutMs of the unreachable-Kinesis test, and the slack its bound is checked with. */
const SHUTDOWN_MS = 800;
const TIMER_EARLY_MS = 100;
const BUSY_MACHINE_SLACK_MS = 5_000;

const endpoint = (): string => process.env.AWS_ENDPOINT_URL_KINESIS ?? '';

function sinkFor(
  streamName: string,
  extra: Partial<ConstructorParameters<typeof KinesisSink>[0]> = {},
) {
  return new KinesisSink({ streamName, endpoint: endpoint(), flushIntervalMs: 50, ...extra });
}

describe('KinesisSink against local Kinesis', function () {
  this.timeout(60_000);

  it('delivers every event exactly once, in batches within the request limits', async () => {
    const streamName = await createTestStream(2);
    const sink = sinkFor(streamName, { partitionKey: { field: 'user' } });
    const settled: SettleResult[] = [];
    for (let i = 0; i < 1200; i++) {
      sink.put({ id: i, user: `u${i % 7}`, level: 'info', msg: `event ${i}` }, (r) =>
        settled.push(r),
      );
    }
    await sink.close();
    const stats = sink.stats();
    expect(stats.recordsSent).to.equal(1200);
    expect(stats.droppedTotal).to.equal(0);
    expect(stats.putRecordsCalls).to.be.at.least(3); // 1200 records need ≥ 3 requests of ≤ 500
    expect(settled.filter((r) => r.ok)).to.have.length(1200);
    const records = await readAllRecords({ endpoint: endpoint(), streamName });
    const ids = records.map((r) => (JSON.parse(r.data.toString('utf8')) as { id: number }).id);
    expect(new Set(ids).size).to.equal(1200);
    expect(ids).to.have.length(1200);
    // Field-keyed events land with their key, and one key stays on one shard.
    const shardsByKey = new Map<string, Set<string>>();
    for (const r of records) {
      const set = shardsByKey.get(r.partitionKey) ?? new Set<string>();
      set.add(r.shardId);
      shardsByKey.set(r.partitionKey, set);
    }
    expect([...shardsByKey.keys()].sort()).to.deep.equal([
      'u0',
      'u1',
      'u2',
      'u3',
      'u4',
      'u5',
      'u6',
    ]);
    for (const shards of shardsByKey.values()) expect(shards.size).to.equal(1);
  });

  it('sends a partial batch after flushIntervalMs without being asked', async () => {
    const streamName = await createTestStream(1);
    const sink = sinkFor(streamName, { flushIntervalMs: 100 });
    let flushed = 0;
    sink.on('flush', (e) => (flushed += e.records));
    sink.put({ msg: 'lonely' });
    const deadline = Date.now() + 10_000;
    while (flushed === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(flushed).to.equal(1);
    await sink.close();
    const records = await readAllRecords({ endpoint: endpoint(), streamName });
    expect(records.map((r) => r.data.toString())).to.deep.equal(['{"msg":"lonely"}']);
  });

  it('keeps each request under 5 MiB with large records', async function () {
    // About 11 MB through a local Kinesis: slow on a busy machine, so this waits for delivery
    // itself (flush has no deadline) instead of racing close()'s shutdownTimeoutMs.
    this.timeout(SLOW_DELIVERY_TEST_TIMEOUT_MS);
    const streamName = await createTestStream(1);
    const sink = sinkFor(streamName);
    for (let i = 0; i < 12; i++) sink.put({ id: i, msg: 'y'.repeat(900 * 1024) });
    await sink.flush();
    await sink.close();
    const stats = sink.stats();
    expect(stats.recordsSent).to.equal(12);
    expect(stats.putRecordsCalls).to.be.at.least(3); // 12 × 900 KiB cannot fit in two 5 MiB requests
    const records = await readAllRecords({ endpoint: endpoint(), streamName });
    expect(records).to.have.length(12);
  });

  it('truncates a record over 1 MiB with a marker, or drops it when told to', async () => {
    const streamName = await createTestStream(1);
    const truncating = sinkFor(streamName);
    truncating.put({ id: 'big', level: 'error', msg: 'z'.repeat(3 * 1024 * 1024) });
    await truncating.close();
    expect(truncating.stats().truncated).to.equal(1);
    const dropping = sinkFor(streamName, { oversize: 'drop' });
    const drops: DropEvent[] = [];
    dropping.on('drop', (d) => drops.push(d));
    dropping.put({ id: 'big2', msg: 'z'.repeat(3 * 1024 * 1024) });
    dropping.put({ id: 'small' });
    await dropping.close();
    expect(dropping.stats().dropped.oversize).to.equal(1);
    expect(drops.map((d) => d.reason)).to.deep.equal(['oversize']);
    const records = await readAllRecords({ endpoint: endpoint(), streamName });
    const events = records.map(
      (r) => JSON.parse(r.data.toString('utf8')) as Record<string, unknown>,
    );
    expect(events.map((e) => e.id).sort()).to.deep.equal(['big', 'small']);
    const big = events.find((e) => e.id === 'big')!;
    expect(big.level).to.equal('error');
    expect(big[TRUNCATED_FIELD]).to.be.greaterThan(3 * 1024 * 1024);
    expect(records.find((r) => r.data.includes('"big"'))!.data.length).to.be.at.most(1024 * 1024);
  });

  it('reports a missing stream once, naming stream and endpoint, and drops without retry loops', async () => {
    const sink = sinkFor('kinlog-no-such-stream', { maxRetries: 5 });
    const errors: AppenderError[] = [];
    sink.on('error', (e) => errors.push(e));
    for (let i = 0; i < 1500; i++) sink.put({ i });
    await sink.close();
    expect(errors).to.have.length(1);
    expect(errors[0]!.message).to.contain('kinlog-no-such-stream').and.to.contain(endpoint());
    expect(errors[0]!.retryable).to.equal(false);
    const stats = sink.stats();
    expect(stats.dropped.rejected).to.equal(1500);
    expect(stats.requestRetries).to.equal(0);
    expect(stats.putRecordsCalls).to.equal(3); // one request per batch, none repeated
    expect(stats.dropped.shutdownTimeout).to.equal(0); // rejected at once, not waited out
  });

  it('closes within shutdownTimeoutMs when Kinesis is unreachable, counting what it drops', async () => {
    const sink = new KinesisSink({
      streamName: 'any',
      endpoint: 'http://127.0.0.1:9', // discard port: nothing listens
      flushIntervalMs: 20,
      shutdownTimeoutMs: SHUTDOWN_MS,
      backoffBaseMs: 20,
      backoffMaxMs: 100,
      maxRetries: Infinity,
    });
    const errors: AppenderError[] = [];
    sink.on('error', (e) => errors.push(e));
    for (let i = 0; i < 100; i++) sink.put({ i });
    const started = Date.now();
    await sink.close();
    const took = Date.now() - started;
    // The documented bound (it waits out shutdownTimeoutMs, then stops), with room for a busy
    // machine's late timers: the point is that maxRetries: Infinity does not keep it open.
    expect(took).to.be.within(SHUTDOWN_MS - TIMER_EARLY_MS, SHUTDOWN_MS + BUSY_MACHINE_SLACK_MS);
    expect(sink.stats().dropped.shutdownTimeout).to.equal(100);
    expect(errors).to.have.length(1);
    expect(errors[0]!.message).to.contain('127.0.0.1:9');
    expect(errors[0]!.retryable).to.equal(true);
    // close() is idempotent and put() after close counts a drop instead of throwing.
    await sink.close();
    expect(sink.put({ late: true })).to.equal(false);
    expect(sink.stats().dropped.closed).to.equal(1);
  });

  it('bounds the buffer: dropNewest and dropOldest count exactly, block signals backpressure', async () => {
    const outage = {
      streamName: 'any',
      endpoint: 'http://127.0.0.1:9',
      flushIntervalMs: 10_000,
      maxBufferBytes: 1024 * 1024,
    };
    const line = { msg: 'x'.repeat(10_000) };
    const newest = new KinesisSink({ ...outage, whenFull: 'dropNewest', shutdownTimeoutMs: 0 });
    const oldest = new KinesisSink({ ...outage, whenFull: 'dropOldest', shutdownTimeoutMs: 0 });
    const block = new KinesisSink({ ...outage, whenFull: 'block', shutdownTimeoutMs: 0 });
    let accepted = 0;
    let blockedAt = -1;
    for (let i = 0; i < 200; i++) {
      newest.put({ ...line, i });
      oldest.put({ ...line, i });
      if (block.put({ ...line, i })) accepted++;
      else if (blockedAt < 0) blockedAt = i;
    }
    const n = newest.stats();
    expect(n.dropped.bufferFull).to.be.greaterThan(90);
    expect(n.bufferedRecords + n.dropped.bufferFull).to.equal(200);
    expect(n.bufferedBytes).to.be.at.most(1024 * 1024);
    const o = oldest.stats();
    expect(o.bufferedRecords + o.dropped.bufferFull).to.equal(200);
    expect(o.bufferedBytes).to.be.at.most(1024 * 1024);
    expect(blockedAt).to.be.within(90, 110);
    expect(accepted).to.equal(blockedAt);
    let readyResolved = false;
    void block.ready().then(() => (readyResolved = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(readyResolved).to.equal(false);
    await Promise.all([newest.close(), oldest.close(), block.close()]);
    expect(readyResolved).to.equal(true);
    const b = block.stats();
    expect(b.recordsPut).to.equal(200);
    expect(b.dropped.shutdownTimeout).to.equal(200);
  });
});
