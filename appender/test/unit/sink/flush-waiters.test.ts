import { expect } from 'chai';
import { FlushWaiters } from '../../../src/sink/flush-waiters.js';
import { settle } from './support/fake-clock.js';

describe('FlushWaiters', () => {
  it('ready() resolves at once unless blocked, then when the buffer goes under its limit', async () => {
    const w = new FlushWaiters();
    let ready = false;
    await w.ready();
    w.block();
    void w.ready().then(() => (ready = true));
    expect(w.check(100, 100, () => Infinity)).to.equal(false); // still at the limit
    await settle();
    expect(ready).to.equal(false);
    expect(w.check(99, 100, () => Infinity)).to.equal(true); // drain
    await settle();
    expect(ready).to.equal(true);
    expect(w.blocked).to.equal(false);
  });

  it('a flush resolves once nothing at or below its watermark is held', async () => {
    const w = new FlushWaiters();
    const done: number[] = [];
    void w.flushUpTo(5).then(() => done.push(5));
    void w.flushUpTo(9).then(() => done.push(9));
    expect(w.flushing).to.equal(true);
    w.check(0, 100, () => 5); // seq 5 is still held
    await settle();
    expect(done).to.deep.equal([]);
    w.check(0, 100, () => 6);
    await settle();
    expect(done).to.deep.equal([5]);
    w.check(0, 100, () => Infinity);
    await settle();
    expect(done).to.deep.equal([5, 9]);
    expect(w.flushing).to.equal(false);
  });
});
