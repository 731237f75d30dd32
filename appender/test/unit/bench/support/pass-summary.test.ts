import { expect } from 'chai';
import {
  median,
  passRatios,
  summarizeVariant,
  type VariantResult,
} from '../../../../bench/support/pass-summary.js';

/** A child's result from its rounds' delivered/s (calls/s twice that), other fields given. */
function child(delivered: number[], more: Partial<VariantResult> = {}): VariantResult {
  const calls = delivered.map((d) => d * 2);
  return {
    callsPerSec: median(calls),
    deliveredPerSec: median(delivered),
    callsPerSecRounds: calls,
    deliveredPerSecRounds: delivered,
    cpuSeconds: 1,
    peakRssMb: 100,
    rounds: delivered.length,
    measuredEvents: 1000 * delivered.length,
    expectedEntries: 0,
    ...more,
  };
}

describe('bench pass summary', function () {
  describe('median', function () {
    it('takes the middle value, or the mean of the middle two, whatever the input order', function () {
      expect(median([5])).to.equal(5);
      expect(median([3, 1, 2])).to.equal(2);
      expect(median([4, 1, 3, 2])).to.equal(2.5);
      expect(median([10, -1, 10, 7, 10])).to.equal(10);
    });

    it('leaves its input alone and refuses no values', function () {
      const values = [3, 1, 2];
      median(values);
      expect(values).to.deep.equal([3, 1, 2]);
      expect(() => median([])).to.throw(RangeError, /no values/);
    });
  });

  describe('passRatios', function () {
    it('divides within each pass, so load that moves between passes cancels out', function () {
      // The machine halves its pace from pass to pass; kinlog stays 1.6× File inside each one.
      const passes = [
        new Map([
          ['file', child([50_000])],
          ['kinlog', child([80_000])],
        ]),
        new Map([
          ['kinlog', child([40_000])],
          ['file', child([25_000])],
        ]),
        new Map([
          ['file', child([12_500])],
          ['kinlog', child([20_000])],
        ]),
      ];
      const r = passRatios(passes, 'kinlog', 'file', 'deliveredPerSec')!;
      expect(r.perPass.map((p) => p.pass)).to.deep.equal([1, 2, 3]);
      for (const p of r.perPass) expect(p.value).to.be.closeTo(1.6, 1e-12);
      expect(r.median).to.be.closeTo(1.6, 1e-12);
      expect(r.min).to.be.closeTo(1.6, 1e-12);
      expect(r.max).to.be.closeTo(1.6, 1e-12);
    });

    it('gives each pass its own ratio, their median and their spread', function () {
      const passes = [
        new Map([
          ['a', child([150])],
          ['b', child([100])],
        ]),
        new Map([
          ['b', child([100])],
          ['a', child([120])],
        ]),
        new Map([
          ['a', child([200])],
          ['b', child([100])],
        ]),
      ];
      const r = passRatios(passes, 'a', 'b', 'deliveredPerSec')!;
      expect(r.perPass).to.deep.equal([
        { pass: 1, value: 1.5 },
        { pass: 2, value: 1.2 },
        { pass: 3, value: 2 },
      ]);
      expect(r).to.include({ median: 1.5, min: 1.2, max: 2 });
      expect(passRatios(passes, 'a', 'b', 'callsPerSec')!.median).to.equal(1.5);
    });

    it("takes a pass's ratio from the median of each child's own rounds", function () {
      const passes = [
        new Map([
          ['a', child([90, 300, 100])],
          ['b', child([50, 60, 40])],
        ]),
      ];
      expect(passRatios(passes, 'a', 'b', 'deliveredPerSec')!.median).to.equal(2);
    });

    it('takes peak RSS ratios per pass too, from each child of the pass', function () {
      const passes = [
        new Map([
          ['a', child([1], { peakRssMb: 300 })],
          ['b', child([1], { peakRssMb: 200 })],
        ]),
        new Map([
          ['b', child([1], { peakRssMb: 250 })],
          ['a', child([1], { peakRssMb: 250 })],
        ]),
      ];
      const r = passRatios(passes, 'a', 'b', 'peakRssMb')!;
      expect(r.perPass.map((p) => p.value)).to.deep.equal([1.5, 1]);
      expect(r).to.include({ median: 1.25, min: 1, max: 1.5 });
    });

    it('skips a pass where either side failed to report, keeping pass numbers', function () {
      const passes = [
        new Map([['b', child([100])]]),
        new Map([
          ['a', child([300])],
          ['b', child([100])],
        ]),
        new Map([['a', child([100])]]),
      ];
      const r = passRatios(passes, 'a', 'b', 'deliveredPerSec')!;
      expect(r.perPass).to.deep.equal([{ pass: 2, value: 3 }]);
      expect(r).to.include({ median: 3, min: 3, max: 3 });
      expect(passRatios([passes[0]!, passes[2]!], 'a', 'b', 'deliveredPerSec')).to.equal(undefined);
      expect(passRatios([], 'a', 'b', 'deliveredPerSec')).to.equal(undefined);
    });
  });

  describe('summarizeVariant', function () {
    it('takes rate medians over every round of every child, not a median of medians', function () {
      // Child medians 1, 1 and 9 → a median of medians would say 1; over all nine rounds: 9.
      const s = summarizeVariant([child([1, 1, 9]), child([9, 1, 1]), child([9, 9, 9])])!;
      expect(s.deliveredPerSec).to.equal(9);
      expect(s.callsPerSec).to.equal(18);
    });

    it('sums CPU, rounds and events over the children and keeps the highest peak RSS', function () {
      const s = summarizeVariant([
        child([1, 2], { cpuSeconds: 1.5, peakRssMb: 220 }),
        child([3, 4], { cpuSeconds: 2.5, peakRssMb: 390 }),
        child([5, 6], { cpuSeconds: 1, peakRssMb: 310 }),
      ])!;
      expect(s).to.include({
        cpuSeconds: 5,
        peakRssMb: 390,
        rounds: 6,
        children: 3,
        measuredEvents: 6000,
      });
    });

    it('has nothing to say of a variant no child reported for', function () {
      expect(summarizeVariant([])).to.equal(undefined);
    });
  });
});
