import { expect } from 'chai';
import { OffsetTracker } from '../../../src/daemon/offset-tracker.js';

describe('OffsetTracker', () => {
  it('commits only over a gap-free prefix of acknowledged records', () => {
    const t = new OffsetTracker(50);
    const a = t.add(100);
    const b = t.add(180);
    const c = t.add(260);
    t.ack(c);
    expect(t.committed).to.equal(50);
    t.ack(a);
    expect(t.committed).to.equal(100);
    t.ack(b);
    expect(t.committed).to.equal(260);
    expect(t.pending).to.equal(0);
  });

  it('ignores unknown or repeated tickets and stays right across compaction', () => {
    const t = new OffsetTracker(0);
    const tickets = Array.from({ length: 5000 }, (_, i) => t.add((i + 1) * 10));
    for (const k of tickets.slice(0, 3000)) t.ack(k);
    t.ack(tickets[0]!);
    t.ack(999_999);
    expect(t.committed).to.equal(30_000);
    for (const k of tickets.slice(3000).reverse()) t.ack(k);
    expect(t.committed).to.equal(50_000);
  });

  it('advanceIdle moves only when nothing is outstanding', () => {
    const t = new OffsetTracker(0);
    const a = t.add(10);
    t.advanceIdle(20);
    expect(t.committed).to.equal(0);
    t.ack(a);
    t.advanceIdle(20);
    expect(t.committed).to.equal(20);
  });

  it('counts records of batches: a batch commits whole, an empty one at once', () => {
    const t = new OffsetTracker(0);
    const a = t.add(100, 3);
    const empty = t.add(120, 0);
    const b = t.add(300, 5);
    expect(t.pending).to.equal(8);
    t.ack(b);
    t.ack(empty);
    expect([t.committed, t.committedRecords]).to.deep.equal([0, 0]);
    t.ack(a);
    expect([t.committed, t.committedRecords, t.pending]).to.deep.equal([300, 8, 0]);
  });
});
