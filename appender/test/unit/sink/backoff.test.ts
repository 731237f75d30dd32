import { expect } from 'chai';
import { backoffDelayMs } from '../../../src/sink/backoff.js';

describe('backoffDelayMs', () => {
  const limits = { baseMs: 100, maxMs: 5000 };

  it('grows exponentially under full jitter', () => {
    expect(backoffDelayMs(0, limits, () => 0.999)).to.equal(99);
    expect(backoffDelayMs(3, limits, () => 0.999)).to.equal(799);
    expect(backoffDelayMs(3, limits, () => 0)).to.equal(0);
  });

  it('is capped', () => {
    expect(backoffDelayMs(20, limits, () => 0.999)).to.equal(4995);
    expect(backoffDelayMs(1e6, limits, () => 0.5)).to.equal(2500);
  });
});
