import { expect } from 'chai';
import { RecordBuffers } from '../../../src/daemon/record-buffers.js';

describe('RecordBuffers', () => {
  it('hands its fixed buffers out in turn, again only once the records passed reach its mark', () => {
    const fixed = [Buffer.alloc(32), Buffer.alloc(32)];
    const buffers = new RecordBuffers(fixed, 32);
    const a = buffers.take();
    const b = buffers.take();
    expect([a, b]).to.deep.equal(fixed);
    expect(a).to.equal(fixed[0]);
    buffers.lend(a, 10);
    buffers.lend(b, 25);
    buffers.reclaim(9);
    expect(buffers.lentCount).to.equal(2);
    // None free: a fresh one, not one whose ranges are still held.
    const c = buffers.take();
    expect(fixed).to.not.include(c);
    expect(c.length).to.equal(32);
    buffers.reclaim(10);
    expect(buffers.lentCount).to.equal(1);
    expect(buffers.take()).to.equal(a);
    buffers.reclaim(100);
    expect(buffers.lentCount).to.equal(0);
    expect(buffers.take()).to.equal(b);
  });

  it('lets a fresh buffer go: only the fixed ones are handed out again', () => {
    const fixed = [Buffer.alloc(8)];
    const buffers = new RecordBuffers(fixed, 8);
    const a = buffers.take();
    const fresh = buffers.take();
    buffers.lend(fresh, 1);
    buffers.lend(a, 2);
    expect(buffers.lentCount).to.equal(1);
    buffers.reclaim(2);
    expect(buffers.take()).to.equal(a);
    expect(buffers.take()).to.not.equal(fresh);
    // Without fixed buffers, every one is fresh (the JS writer's way).
    const none = new RecordBuffers([], 16);
    expect(none.take()).to.not.equal(none.take());
  });
});
