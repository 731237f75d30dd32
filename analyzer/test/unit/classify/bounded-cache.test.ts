import { expect } from 'chai';
import { BoundedCache } from '../../../src/classify/bounded-cache.js';

describe('BoundedCache', () => {
  it('computes each key once while it is recent and stays within two generations', () => {
    const calls: string[] = [];
    const cache = new BoundedCache(2, 10, (k) => {
      calls.push(k);
      return k.toUpperCase();
    });
    expect(cache.get('a')).to.equal('A');
    expect(cache.get('a')).to.equal('A');
    expect(calls).to.deep.equal(['a']);
    for (const k of ['b', 'c', 'd', 'e']) cache.get(k);
    expect(cache.size).to.be.at.most(4);
    expect(cache.get('a')).to.equal('A');
    expect(calls).to.deep.equal(['a', 'b', 'c', 'd', 'e', 'a']);
  });

  it('keeps a key asked for again across a generation change, and caches undefined', () => {
    let calls = 0;
    const cache = new BoundedCache<string | undefined>(2, 10, () => {
      calls++;
      return undefined;
    });
    cache.get('a');
    cache.get('b');
    cache.get('c'); // 'a' and 'b' are now the old generation
    cache.get('a'); // moved back to the young one
    cache.get('d');
    cache.get('a');
    expect(calls).to.equal(4);
  });

  it('does not cache long keys', () => {
    let calls = 0;
    const cache = new BoundedCache(8, 3, (k) => (calls++, k.length));
    cache.get('long key');
    cache.get('long key');
    expect(calls).to.equal(2);
    expect(cache.size).to.equal(0);
    expect(() => new BoundedCache(0, 3, (k) => k)).to.throw(RangeError, /maxEntries/);
  });
});
