import { expect } from 'chai';
import {
  compareSequenceNumbers,
  isInWindow,
  maxSequenceNumber,
} from '../../../src/stream/sequence-number.js';

describe('sequence numbers', () => {
  const big = '49590338271490256608559692538361571095921575989136588898';
  const bigger = '49590338271490256608559692538361571095921575989136588899';

  it('compare as 128-bit integers, not as strings or doubles', () => {
    expect(compareSequenceNumbers('9', '10')).to.equal(-1); // string order says 1
    expect(compareSequenceNumbers(big, bigger)).to.equal(-1); // doubles say 0
    expect(compareSequenceNumbers(bigger, big)).to.equal(1);
    expect(compareSequenceNumbers(big, big)).to.equal(0);
    expect(maxSequenceNumber(bigger, big)).to.equal(bigger);
    expect(maxSequenceNumber(undefined, big)).to.equal(big);
  });

  it('window membership is (startAfter, end]', () => {
    expect(isInWindow(bigger, big, bigger)).to.equal(true);
    expect(isInWindow(big, big, bigger)).to.equal(false);
    expect(isInWindow(big, undefined, big)).to.equal(true);
    expect(isInWindow('11', undefined, '9')).to.equal(false);
  });
});
