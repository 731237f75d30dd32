import { expect } from 'chai';
import { passOrder, startsAnotherPass } from '../../../../bench/support/pass-plan.js';

describe('bench pass plan', function () {
  describe('passOrder', function () {
    it('alternates two variants so neither always goes first: A B / B A / A B', function () {
      const orders = [0, 1, 2, 3].map((pass) => passOrder(['A', 'B'], pass));
      expect(orders).to.deep.equal([
        ['A', 'B'],
        ['B', 'A'],
        ['A', 'B'],
        ['B', 'A'],
      ]);
    });

    it('reverses every odd pass of three variants, so any two swap places from pass to pass', function () {
      const variants = ['x', 'y', 'z'];
      expect(passOrder(variants, 0)).to.deep.equal(['x', 'y', 'z']);
      expect(passOrder(variants, 1)).to.deep.equal(['z', 'y', 'x']);
      expect(passOrder(variants, 4)).to.deep.equal(['x', 'y', 'z']);
      for (const [a, b] of [
        ['x', 'y'],
        ['x', 'z'],
        ['y', 'z'],
      ] as const) {
        const aFirst = [0, 1, 2, 3].map((pass) => {
          const order = passOrder(variants, pass);
          return order.indexOf(a) < order.indexOf(b);
        });
        expect(aFirst, `${a} before ${b}`).to.deep.equal([true, false, true, false]);
      }
    });

    it('runs every variant exactly once per pass and leaves its input alone', function () {
      const variants = ['a', 'b', 'c', 'd'] as const;
      for (let pass = 0; pass < 6; pass++) {
        expect([...passOrder(variants, pass)].sort()).to.deep.equal([...variants]);
      }
      expect(variants).to.deep.equal(['a', 'b', 'c', 'd']);
      expect(passOrder([], 3)).to.deep.equal([]);
      expect(passOrder(['only'], 1)).to.deep.equal(['only']);
    });

    it('rejects a negative or fractional pass', function () {
      expect(() => passOrder(['a'], -1)).to.throw(RangeError, /pass/);
      expect(() => passOrder(['a'], 0.5)).to.throw(RangeError, /pass/);
    });
  });

  describe('startsAnotherPass', function () {
    const base = { passes: 5, minPasses: 2, budgetMs: 48_000 };

    it('always runs the minimum, even past the budget', function () {
      expect(startsAnotherPass({ ...base, passesDone: 0, elapsedMs: 0 })).to.equal(true);
      expect(startsAnotherPass({ ...base, passesDone: 1, elapsedMs: 100_000 })).to.equal(true);
      expect(startsAnotherPass({ ...base, passesDone: 2, elapsedMs: 100_000 })).to.equal(false);
    });

    it('starts a pass when that ends the run nearer the budget than stopping now', function () {
      // Mean pass 10 s, budget 48 s: a 4th pass ends at 40 s (8 s short), so it runs; a 5th
      // would end at 50 s, 2 s over against 8 s short, so it runs too.
      expect(startsAnotherPass({ ...base, passesDone: 3, elapsedMs: 30_000 })).to.equal(true);
      expect(startsAnotherPass({ ...base, passesDone: 4, elapsedMs: 40_000 })).to.equal(true);
      // Mean pass 15 s: a 4th would end at 60 s, 12 s over against 3 s short.
      expect(startsAnotherPass({ ...base, passesDone: 3, elapsedMs: 45_000 })).to.equal(false);
      // Mean 17 s after two: a 3rd ends at 51 s, 3 s over against 14 s short.
      expect(startsAnotherPass({ ...base, passesDone: 2, elapsedMs: 34_000 })).to.equal(true);
      // Exactly half a pass left: the run may end half a pass over rather than half a pass short.
      expect(startsAnotherPass({ ...base, passesDone: 2, elapsedMs: 38_400 })).to.equal(true);
      expect(startsAnotherPass({ ...base, passesDone: 2, elapsedMs: 38_401 })).to.equal(false);
    });

    it('never runs more passes than asked for, however quick they are', function () {
      expect(startsAnotherPass({ ...base, passesDone: 4, elapsedMs: 4 })).to.equal(true);
      expect(startsAnotherPass({ ...base, passesDone: 5, elapsedMs: 5 })).to.equal(false);
      expect(
        startsAnotherPass({ ...base, passes: 1, minPasses: 1, passesDone: 1, elapsedMs: 0 }),
      ).to.equal(false);
    });
  });
});
