import { expect } from 'chai';
import { BoundedCache, BoundedCacheLimits } from '../../../src/classify/bounded-cache.js';

/** Gets each key twice, so it is stored (a key is stored on its second miss). */
function warm<V>(cache: BoundedCache<V>, keys: readonly string[]): void {
  for (const k of keys) {
    cache.get(k);
    cache.get(k);
  }
}

describe('BoundedCache', () => {
  it('stores a key on its second miss, then computes it no more while it is recent', () => {
    const calls: string[] = [];
    const cache = new BoundedCache(2, 10, (k) => {
      calls.push(k);
      return k.toUpperCase();
    });
    expect(cache.get('a')).to.equal('A');
    expect(cache.size).to.equal(0);
    expect(cache.get('a')).to.equal('A');
    expect(cache.size).to.equal(1);
    expect(cache.get('a')).to.equal('A');
    expect(calls).to.deep.equal(['a', 'a']);
    warm(cache, ['b', 'c', 'd', 'e']);
    expect(cache.size).to.be.at.most(4);
    expect(calls).to.deep.equal(['a', 'a', 'b', 'b', 'c', 'c', 'd', 'd', 'e', 'e']);
    // Dropped: computed again, and stored again by its second miss at the latest.
    warm(cache, ['a']);
    const computed = calls.length;
    expect(cache.get('a')).to.equal('A');
    expect(calls.length).to.equal(computed);
  });

  it('keeps a key asked for again across a generation change, and caches undefined', () => {
    let calls = 0;
    const cache = new BoundedCache<string | undefined>(2, 10, () => {
      calls++;
      return undefined;
    });
    warm(cache, ['a', 'b', 'c']); // 'a' and 'b' are now the old generation
    expect(calls).to.equal(6);
    cache.get('a'); // moved back to the young one
    warm(cache, ['d']);
    cache.get('a');
    expect(calls).to.equal(8);
  });

  it('stores no key that never repeats, and answers every key as compute does', () => {
    let calls = 0;
    const compute = (k: string) => `${k.length}:${k}`;
    const cache = new BoundedCache(64, 100, (k) => (calls++, compute(k)));
    for (let i = 0; i < 10_000; i++) {
      const key = `user ${i} failed`;
      expect(cache.get(key)).to.equal(compute(key));
    }
    expect(cache.size).to.equal(0);
    expect(calls).to.equal(10_000);
    // Repeating keys mixed with unique ones: the repeating ones are stored and served.
    calls = 0;
    const mixed = new BoundedCache(64, 100, (k) => (calls++, compute(k)));
    for (let i = 0; i < 1_000; i++) {
      for (const key of [`once ${i}`, 'again', `again ${i % 3}`]) {
        expect(mixed.get(key)).to.equal(compute(key));
      }
    }
    expect(mixed.bypassed).to.equal(false);
    expect(calls).to.equal(1_000 + 2 + 3 * 2);
  });

  it('stops looking up while lookups rarely hit, and looks again once keys repeat', () => {
    let calls = 0;
    const compute = (k: string) => k.split('').reverse().join('');
    const cache = new BoundedCache(256, 100, (k) => (calls++, compute(k)));
    const { WINDOW_LOOKUPS, BYPASS_CALLS } = BoundedCacheLimits;
    for (let i = 0; i < WINDOW_LOOKUPS; i++)
      expect(cache.get(`id ${i}`)).to.equal(compute(`id ${i}`));
    expect(cache.bypassed).to.equal(true);
    // While bypassed, repeated keys are computed each time, and answered the same.
    calls = 0;
    for (let i = 0; i < BYPASS_CALLS; i++) expect(cache.get('same')).to.equal('emas');
    expect(calls).to.equal(BYPASS_CALLS);
    expect(cache.bypassed).to.equal(false);
    // Keys that repeat make the next window a good one: the memo stays in use.
    calls = 0;
    for (let i = 0; i < 4 * WINDOW_LOOKUPS; i++) {
      expect(cache.get(`page ${i % 8}`)).to.equal(compute(`page ${i % 8}`));
    }
    expect(cache.bypassed).to.equal(false);
    expect(calls).to.equal(16);
  });

  it('bypasses longer after each window of misses, up to a bound, and as before after hits', () => {
    const { WINDOW_LOOKUPS, BYPASS_CALLS, MAX_BYPASS_CALLS } = BoundedCacheLimits;
    const cache = new BoundedCache(256, 100, (k) => k.length);
    let unique = 0;
    /** Calls computed without a lookup after a window of `key(i)`, until the next lookup. */
    const bypassAfterWindow = (key: (i: number) => string): number => {
      for (let i = 0; i < WINDOW_LOOKUPS; i++) cache.get(key(i));
      let bypassed = 0;
      while (cache.bypassed) {
        expect(cache.get('x'.repeat(bypassed % 7))).to.equal(bypassed % 7);
        bypassed++;
      }
      return bypassed;
    };
    const misses = () => `miss ${unique++}`;
    const bypasses = Array.from({ length: 6 }, () => bypassAfterWindow(misses));
    expect(bypasses).to.deep.equal([
      BYPASS_CALLS,
      2 * BYPASS_CALLS,
      4 * BYPASS_CALLS,
      MAX_BYPASS_CALLS,
      MAX_BYPASS_CALLS,
      MAX_BYPASS_CALLS,
    ]);
    expect(8 * BYPASS_CALLS).to.equal(MAX_BYPASS_CALLS);
    // A window of repeating keys: no bypass, and the next window of misses bypasses the least.
    expect(bypassAfterWindow((i) => `hot ${i % 4}`)).to.equal(0);
    expect(bypassAfterWindow(misses)).to.equal(BYPASS_CALLS);
  });

  it('does not cache long keys', () => {
    let calls = 0;
    const cache = new BoundedCache(8, 3, (k) => (calls++, k.length));
    warm(cache, ['long key']);
    cache.get('long key');
    expect(calls).to.equal(3);
    expect(cache.size).to.equal(0);
    expect(() => new BoundedCache(0, 3, (k) => k)).to.throw(RangeError, /maxEntries/);
  });
});
