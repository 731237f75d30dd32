import { expect } from 'chai';
import type { HeldRecord } from '../../../src/sink/held-record.js';
import { ShardLanes } from '../../../src/sink/shard-lanes.js';
import { TokenBucket } from '../../../src/sink/token-bucket.js';

let seq = 0;
function record(shardId: string | undefined, bytes = 10, atMs = 0): HeldRecord {
  seq++;
  return {
    data: Buffer.alloc(bytes),
    partitionKey: 'k',
    bytes,
    heldBytes: bytes,
    attempts: 0,
    firstPutAtMs: atMs,
    notBeforeMs: 0,
    seq,
    shardId,
    users: undefined,
    onSettled: undefined,
    hashKey: undefined,
  };
}

describe('ShardLanes', () => {
  const limits = { maxBatchRecords: 4, maxBatchBytes: 100, flushIntervalMs: 1000 };

  it('holds a partial batch until the flush interval, unless forced', () => {
    const lanes = new ShardLanes(limits);
    lanes.enqueue(record(undefined, 10, 0));
    expect(lanes.takeBatch(999, false)).to.equal(undefined);
    expect(lanes.takeBatch(1000, false)).to.have.length(1);
    lanes.enqueue(record(undefined, 10, 0));
    expect(lanes.takeBatch(1, true)).to.have.length(1);
  });

  it('closes batches at the record and byte limits', () => {
    const lanes = new ShardLanes(limits);
    for (let i = 0; i < 6; i++) lanes.enqueue(record(undefined, 10));
    expect(lanes.batchFull).to.equal(true);
    expect(lanes.takeBatch(0, false)).to.have.length(4);
    const big = new ShardLanes(limits);
    for (let i = 0; i < 3; i++) big.enqueue(record(undefined, 40));
    expect(big.takeBatch(0, true)).to.have.length(2); // 3 × 40 bytes > 100
  });

  it('shares a batch between shards instead of letting one fill it', () => {
    const lanes = new ShardLanes(limits);
    for (let i = 0; i < 10; i++) lanes.enqueue(record('hot'));
    lanes.enqueue(record('cold'));
    const batch = lanes.takeBatch(0, true)!;
    expect(batch.map((r) => r.shardId)).to.include('cold');
  });

  it('skips a lane whose bucket is empty and says when to come back', () => {
    const lanes = new ShardLanes(
      limits,
      () => new TokenBucket({ recordsPerSecond: 10, bytesPerSecond: 1e6 }, 0),
    );
    for (let i = 0; i < 4; i++) lanes.enqueue(record('s', 10, 0));
    expect(lanes.takeBatch(0, true)).to.have.length(2); // burst of 10/s × 0.2 s
    expect(lanes.takeBatch(0, true)).to.equal(undefined);
    expect(lanes.nextWakeMs(0)).to.equal(100);
    expect(lanes.takeBatch(100, true)).to.have.length(1);
  });

  it('sends a lone retry a flush interval after its backoff ended, and evicts the oldest first', () => {
    const lanes = new ShardLanes(limits);
    const r = record(undefined);
    r.notBeforeMs = 500;
    lanes.retryLater(r);
    expect(lanes.takeBatch(100, false)).to.equal(undefined);
    expect(lanes.takeBatch(500, false)).to.equal(undefined);
    expect(lanes.nextWakeMs(100)).to.equal(1500);
    // While a flush is awaited, the retry is due when its backoff ends.
    expect(lanes.nextWakeMs(100, true)).to.equal(500);
    expect(lanes.takeBatch(1500, false)).to.deep.equal([r]);
    const older = record('x');
    const newer = record('y');
    lanes.enqueue(newer);
    lanes.enqueue(older);
    expect(lanes.evictOldest()).to.equal(older);
    expect(lanes.lowestSeq()).to.equal(newer.seq);
  });

  it('lets failed entries rejoin a full batch of fresh records instead of a small request', () => {
    const lanes = new ShardLanes(limits);
    const failed = [record('a'), record('b')];
    for (const r of failed) {
      r.notBeforeMs = 100;
      lanes.retryLater(r);
    }
    lanes.enqueue(record('a', 10, 90));
    // Backoff over, but two retries and one fresh record do not fill a batch of 4: they wait.
    expect(lanes.takeBatch(150, false)).to.equal(undefined);
    expect(lanes.batchFull).to.equal(false);
    lanes.enqueue(record('b', 10, 150));
    expect(lanes.batchFull).to.equal(true);
    expect(lanes.nextWakeMs(150)).to.equal(100);
    const batch = lanes.takeBatch(150, false)!;
    expect(batch).to.have.length(4);
    expect(batch.filter((r) => failed.includes(r))).to.have.length(2);
    expect(lanes.retryCount).to.equal(0);
  });

  it('sends retries at once when forced (flush, close)', () => {
    const lanes = new ShardLanes(limits);
    const r = record('a');
    r.notBeforeMs = 100;
    lanes.retryLater(r);
    expect(lanes.takeBatch(100, true)).to.deep.equal([r]);
  });
});
