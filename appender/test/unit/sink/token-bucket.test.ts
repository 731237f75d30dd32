import { expect } from 'chai';
import { TOKEN_BUCKET_BURST_SECONDS, TokenBucket } from '../../../src/sink/token-bucket.js';

describe('TokenBucket', () => {
  it('banks only a small burst, then refills at the rate', () => {
    const bucket = new TokenBucket({ recordsPerSecond: 1000, bytesPerSecond: 1_000_000 }, 0);
    const burst = 1000 * TOKEN_BUCKET_BURST_SECONDS;
    let taken = 0;
    while (bucket.tryTake(1, 10, 0)) taken++;
    expect(taken).to.equal(burst);
    expect(bucket.waitMs(1, 10, 0)).to.equal(1);
    expect(bucket.tryTake(1, 10, 1)).to.equal(true);
    expect(bucket.tryTake(1, 10, 1)).to.equal(false);
    // A second later the bucket is full again, not fuller.
    taken = 0;
    while (bucket.tryTake(1, 10, 1001)) taken++;
    expect(taken).to.equal(burst);
  });

  it('limits bytes too, and lets one record larger than the bucket go when it is full', () => {
    const bucket = new TokenBucket({ recordsPerSecond: 1000, bytesPerSecond: 1000 }, 0);
    expect(bucket.tryTake(1, 5000, 0)).to.equal(true);
    expect(bucket.tryTake(1, 1, 0)).to.equal(false);
    expect(bucket.waitMs(1, 100, 0)).to.equal(100);
  });
});
