import { expect } from 'chai';
import { ReadBuffers } from '../../../src/daemon/read-buffers.js';

describe('ReadBuffers', () => {
  it('hands a lent buffer out again only once the records passed reach its mark, oldest first', () => {
    const buffers = new ReadBuffers(16);
    const a = buffers.take();
    const b = buffers.take();
    expect(a.length).to.equal(16);
    expect(a).to.not.equal(b);
    buffers.lend(a, 10);
    buffers.lend(b, 25);
    buffers.reclaim(9);
    expect(buffers.freeCount).to.equal(0);
    expect(buffers.lentCount).to.equal(2);
    // A new buffer, not one whose ranges are still held.
    const c = buffers.take();
    expect(c).to.not.equal(a);
    expect(c).to.not.equal(b);
    buffers.reclaim(10);
    expect(buffers.lentCount).to.equal(1);
    expect(buffers.take()).to.equal(a);
    buffers.reclaim(100);
    expect(buffers.lentCount).to.equal(0);
    expect(buffers.take()).to.equal(b);
  });

  it('a buffer given back unused is free at once; at most eight free buffers are kept', () => {
    const buffers = new ReadBuffers(8);
    const taken = Array.from({ length: 12 }, () => buffers.take());
    for (const buf of taken) buffers.giveBack(buf);
    expect(buffers.freeCount).to.equal(8);
    const again = Array.from({ length: 8 }, () => buffers.take());
    for (const buf of again) expect(taken).to.include(buf);
    expect(taken).to.not.include(buffers.take());
  });

  it('many buffers lent and reclaimed in turn stay in order', () => {
    const buffers = new ReadBuffers(4);
    const lent: Buffer[] = [];
    let mark = 0;
    for (let i = 0; i < 300; i++) {
      const buf = Buffer.alloc(4, i);
      lent.push(buf);
      buffers.lend(buf, (mark += 3));
      // Reclaim lags two buffers behind: the oldest are freed, the newest two kept.
      buffers.reclaim(mark - 6);
      expect(buffers.lentCount).to.equal(Math.min(i + 1, 2));
    }
    buffers.reclaim(mark);
    expect(buffers.lentCount).to.equal(0);
    // Nothing was taken meanwhile: the first eight freed are kept, the rest left to the GC.
    expect(buffers.freeCount).to.equal(8);
    expect(buffers.take()).to.equal(lent[7]);
  });
});
