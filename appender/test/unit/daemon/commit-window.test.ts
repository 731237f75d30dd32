import { expect } from 'chai';
import { CommitWindow } from '../../../src/daemon/commit-window.js';
import { OffsetTracker } from '../../../src/daemon/offset-tracker.js';

describe('CommitWindow', () => {
  it('is full at its limit and has room again only once records are released', () => {
    const w = new CommitWindow(3);
    w.put();
    w.put();
    expect(w.full).to.equal(false);
    w.put();
    expect(w.full).to.equal(true);
    expect(w.count).to.equal(3);
    w.release(0);
    expect(w.full).to.equal(true);
    w.release(2);
    expect(w.count).to.equal(1);
    expect(w.full).to.equal(false);
  });

  it('wakes every waiter on a release that leaves room, not on one that does not', async () => {
    const w = new CommitWindow(2);
    w.put();
    w.put();
    w.put(); // a drain at release may overshoot; the window still holds reading
    const woken: number[] = [];
    const a = w.wait(60_000).then(() => woken.push(1));
    const b = w.wait(60_000).then(() => woken.push(2));
    w.release(1);
    await Promise.resolve();
    expect(woken).to.deep.equal([]);
    w.release(1);
    await Promise.all([a, b]);
    expect(woken).to.deep.equal([1, 2]);
  });

  it('a wait ends by itself after its timeout, or at wakeAll', async () => {
    const w = new CommitWindow(1);
    w.put();
    const t0 = Date.now();
    await w.wait(20);
    expect(Date.now() - t0).to.be.at.least(15);
    const stopped = w.wait(60_000);
    w.wakeAll();
    await stopped;
    expect(w.full).to.equal(true);
  });

  it('counts the committed prefix of an OffsetTracker in records, across compaction', () => {
    const t = new OffsetTracker(0);
    const tickets = Array.from({ length: 3000 }, (_, i) => t.add((i + 1) * 10));
    for (const k of tickets.slice(0, 2500)) t.ack(k);
    expect(t.committedRecords).to.equal(2500);
    t.ack(tickets[2999]!);
    expect(t.committedRecords).to.equal(2500);
  });

  it('is full once its bytes reach their limit, and one record always fits when empty', () => {
    const w = new CommitWindow(100, 1000);
    w.put(5000); // one record larger than the limit still goes out alone
    expect(w.full).to.equal(true);
    w.release(1, 5000);
    w.put(600);
    expect(w.full).to.equal(false);
    w.put(400);
    expect([w.full, w.bytes]).to.deep.equal([true, 1000]);
    w.release(1, 600);
    expect(w.full).to.equal(false);
  });

  it('asks for a commit at once only when full and a quarter of what it holds is acknowledged', () => {
    const w = new CommitWindow(8, 1_000);
    for (let i = 0; i < 7; i++) w.put(10);
    w.ack(7, 70);
    // Not full: acknowledged records wait for the timed commit.
    expect(w.commitDue).to.equal(false);
    w.put(10);
    expect(w.full).to.equal(true);
    expect(w.commitDue).to.equal(true);
    w.release(7, 70);
    expect(w.acked).to.equal(0);
    for (let i = 0; i < 7; i++) w.put(10);
    w.ack(1, 10);
    // Full, one of eight acknowledged: a commit now would free too little.
    expect(w.commitDue).to.equal(false);
    w.ack(1, 10);
    expect(w.commitDue).to.equal(true);
  });

  it('counts acknowledged bytes too: a byte-full window with a quarter of its bytes acked is due', () => {
    const w = new CommitWindow(100, 400);
    w.put(300);
    w.put(100);
    expect(w.full).to.equal(true);
    w.ack(1, 100);
    // One record of two, a quarter of the bytes: due either way.
    expect(w.commitDue).to.equal(true);
    w.release(2, 400);
    expect(w.full).to.equal(false);
    expect(w.acked).to.equal(0);
  });
});
