import { describe, it } from 'mocha';
import { expect } from 'chai';
import { ShardBudget } from '../../../src/fault-proxy/shard-budget.js';

describe('ShardBudget', function () {
  it('limits records per shard per second and refills in the next second', function () {
    const budget = new ShardBudget(2, Number.POSITIVE_INFINITY);
    expect(budget.limited).to.equal(true);
    expect([1, 2, 3].map(() => budget.take('a', 10, 5_000))).to.deep.equal([true, true, false]);
    expect(budget.take('b', 10, 5_999)).to.equal(true);
    expect(budget.take('a', 10, 5_999)).to.equal(false);
    expect(budget.take('a', 10, 6_000)).to.equal(true);
  });

  it('limits bytes per shard per second', function () {
    const budget = new ShardBudget(Number.POSITIVE_INFINITY, 100);
    expect(budget.take('a', 60, 0)).to.equal(true);
    expect(budget.take('a', 60, 10)).to.equal(false);
    expect(budget.take('a', 40, 20)).to.equal(true);
  });

  it('is unlimited without limits', function () {
    expect(new ShardBudget(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY).limited).to.equal(
      false,
    );
  });
});
