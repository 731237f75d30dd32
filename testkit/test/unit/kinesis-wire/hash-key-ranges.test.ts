import { describe, it } from 'mocha';
import { expect } from 'chai';
import {
  MAX_HASH_KEY,
  evenHashKeyRanges,
  hashKeyOf,
  shardIdFor,
} from '../../../src/kinesis-wire/hash-key-ranges.js';

describe('hash key ranges', function () {
  it('splits the key space without gaps or overlaps', function () {
    const ranges = evenHashKeyRanges(3);
    expect(ranges[0]!.startingHashKey).to.equal(0n);
    expect(ranges[2]!.endingHashKey).to.equal(MAX_HASH_KEY);
    expect(ranges[1]!.startingHashKey).to.equal(ranges[0]!.endingHashKey + 1n);
    expect(ranges[2]!.startingHashKey).to.equal(ranges[1]!.endingHashKey + 1n);
  });

  it('hashes partition keys with MD5 unless an explicit hash key is given', function () {
    // md5('') = d41d8cd98f00b204e9800998ecf8427e
    expect(hashKeyOf('')).to.equal(0xd41d8cd98f00b204e9800998ecf8427en);
    expect(hashKeyOf('anything', '5')).to.equal(5n);
    const ranges = evenHashKeyRanges(2);
    expect(shardIdFor(hashKeyOf(''), ranges)).to.equal('shardId-000000000001');
    expect(shardIdFor(1n, ranges)).to.equal('shardId-000000000000');
    expect(shardIdFor(MAX_HASH_KEY + 1n, ranges)).to.equal(undefined);
  });
});
