import { expect } from 'chai';
import { LendQueue } from '../../../src/daemon/lend-queue.js';

describe('LendQueue', () => {
  it('releases buffers in the order lent, each once its mark is reached', () => {
    const released: Buffer[] = [];
    const queue = new LendQueue((buf) => released.push(buf));
    const [a, b, c] = [Buffer.alloc(1), Buffer.alloc(1), Buffer.alloc(1)];
    queue.lend(a, 10);
    queue.lend(b, 20);
    queue.lend(c, 30);
    queue.reclaim(9);
    expect(released).to.deep.equal([]);
    queue.reclaim(25);
    expect(released).to.have.ordered.members([a, b]);
    expect(queue.count).to.equal(1);
    queue.reclaim(30);
    expect(released).to.have.ordered.members([a, b, c]);
    expect(queue.count).to.equal(0);
  });

  it('keeps its count right across many lends released a few at a time', () => {
    let released = 0;
    const queue = new LendQueue(() => released++);
    for (let i = 1; i <= 1000; i++) {
      queue.lend(Buffer.alloc(0), i);
      if (i % 3 === 0) queue.reclaim(i - 1);
    }
    expect(released + queue.count).to.equal(1000);
    queue.reclaim(1000);
    expect(released).to.equal(1000);
    expect(queue.count).to.equal(0);
  });
});
