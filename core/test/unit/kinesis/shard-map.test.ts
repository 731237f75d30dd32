import { expect } from 'chai';
import { hashKeyOf, MAX_HASH_KEY, ShardMap } from '../../../src/kinesis/shard-map.js';

describe('ShardMap', () => {
  const half = 1n << 127n;
  const map = new ShardMap([
    { shardId: 'b', startingHashKey: half, endingHashKey: MAX_HASH_KEY },
    { shardId: 'a', startingHashKey: 0n, endingHashKey: half - 1n },
  ]);

  it('finds the shard of a hash key at both ends of each range', () => {
    expect(map.shardFor(0n)).to.equal('a');
    expect(map.shardFor(half - 1n)).to.equal('a');
    expect(map.shardFor(half)).to.equal('b');
    expect(map.shardFor(MAX_HASH_KEY)).to.equal('b');
  });

  it('hashes partition keys with MD5 as Kinesis does', () => {
    // MD5("a") = 0cc175b9c0f1b6a831c399e269772661
    expect(hashKeyOf('a')).to.equal(BigInt('0x0cc175b9c0f1b6a831c399e269772661'));
    expect(hashKeyOf('ignored', '42')).to.equal(42n);
  });

  it('tells whether a shard holds a key', () => {
    expect(map.holds('a', 5n)).to.equal(true);
    expect(map.holds('b', 5n)).to.equal(false);
    expect(map.holds('zzz', 5n)).to.equal(false);
    expect(map.has('b')).to.equal(true);
  });
});
