import { describe, it } from 'mocha';
import { expect } from 'chai';
import { seededRandom } from '../../../src/random/seeded-random.js';

describe('seededRandom', function () {
  it('repeats a sequence for a seed and stays in [0, 1)', function () {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).to.deep.equal(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).to.equal(true);
    expect(seededRandom(43)()).not.to.equal(xs[0]);
    const mean = xs.reduce((sum, x) => sum + x, 0) / xs.length;
    expect(mean).to.be.within(0.45, 0.55);
  });
});
