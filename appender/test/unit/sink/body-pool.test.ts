import { expect } from 'chai';
import {
  BODY_POOL_MAX_BUFFER_BYTES,
  BODY_POOL_ROUNDING_BYTES,
  BodyPool,
} from '../../../src/sink/body-pool.js';

describe('BodyPool', () => {
  it('lends a body of the exact size, and lends its buffer again once given back', () => {
    const pool = new BodyPool(2);
    const a = pool.take(100_000);
    expect(a.length).to.equal(100_000);
    expect(a.buffer.byteLength).to.equal(2 * BODY_POOL_ROUNDING_BYTES);
    pool.give(a);
    expect(pool.freeCount).to.equal(1);
    const b = pool.take(90_000);
    expect(b.buffer).to.equal(a.buffer);
    expect(b.length).to.equal(90_000);
    expect(pool.freeCount).to.equal(0);
  });

  it('never lends one buffer twice at once: a body given back twice counts once', () => {
    const pool = new BodyPool(4);
    const a = pool.take(1000);
    pool.give(a);
    pool.give(a);
    expect(pool.freeCount).to.equal(1);
    const b = pool.take(1000);
    const c = pool.take(1000);
    expect(c.buffer).to.not.equal(b.buffer);
  });

  it('takes back only what it lent: no buffer of the caller, no slice of a shared one', () => {
    const pool = new BodyPool(4);
    pool.give(Buffer.allocUnsafe(10)); // a slice of Node's shared pool
    pool.give(Buffer.allocUnsafeSlow(BODY_POOL_ROUNDING_BYTES));
    pool.give(new Uint8Array(16));
    expect(pool.freeCount).to.equal(0);
  });

  it('keeps at most maxFree buffers, and lets a buffer too small for the next body go', () => {
    const pool = new BodyPool(2);
    const bodies = [pool.take(10), pool.take(10), pool.take(10)];
    for (const body of bodies) pool.give(body);
    expect(pool.freeCount).to.equal(2);
    const big = pool.take(3 * BODY_POOL_ROUNDING_BYTES);
    expect(bodies.some((b) => b.buffer === big.buffer)).to.equal(false);
    expect(pool.freeCount).to.equal(0);
    pool.give(big);
    expect(pool.take(10).buffer).to.equal(big.buffer);
  });

  it('allocates a body over maxBufferBytes on its own and does not keep it', () => {
    const pool = new BodyPool(2, BODY_POOL_MAX_BUFFER_BYTES);
    const huge = pool.take(BODY_POOL_MAX_BUFFER_BYTES + 1);
    expect(huge.length).to.equal(BODY_POOL_MAX_BUFFER_BYTES + 1);
    pool.give(huge);
    expect(pool.freeCount).to.equal(0);
  });
});
