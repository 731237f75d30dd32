import { expect } from 'chai';
import {
  fieldPartitionKey,
  normalizePartitionKey,
  partitionKeyFunction,
  SinkKeys,
} from '../../../src/sink/partition-key.js';

describe('partition keys', () => {
  it('random keys are distinct and valid', () => {
    const key = partitionKeyFunction('random');
    const keys = new Set(Array.from({ length: 1000 }, () => key({})));
    expect(keys.size).to.equal(1000);
    for (const k of keys) expect(k.length).to.be.within(1, 256);
  });

  it('field policy uses the field and falls back to random when it is missing', () => {
    const key = partitionKeyFunction({ field: 'user' });
    expect(key({ user: 'u-1' })).to.equal('u-1');
    expect(key({ user: 42 })).to.equal('42');
    expect(key({ other: 1 }))
      .to.be.a('string')
      .with.length.greaterThan(0);
    expect(key(null)).to.be.a('string').with.length.greaterThan(0);
    expect(key({ user: '' })).to.not.equal('');
  });

  it('reads a field the same way for the transports and the daemon', () => {
    const key = partitionKeyFunction({ field: 'user' });
    for (const value of ['u-1', 42, true, 10n, 'x'.repeat(300)]) {
      expect(fieldPartitionKey({ user: value }, 'user')).to.equal(key({ user: value }));
    }
    // An object or an empty value has no key of its own: a random one is chosen.
    expect(fieldPartitionKey({ user: { id: 1 } }, 'user')).to.equal(undefined);
    expect(fieldPartitionKey({ user: '' }, 'user')).to.equal(undefined);
    expect(fieldPartitionKey({ user: null }, 'user')).to.equal(undefined);
    expect(fieldPartitionKey('text', 'user')).to.equal(undefined);
  });

  it('function policy survives a throwing function', () => {
    const key = partitionKeyFunction(() => {
      throw new Error('nope');
    });
    expect(key({})).to.be.a('string').with.length.greaterThan(0);
  });

  it('cuts keys to 256 characters without splitting a code point', () => {
    expect(normalizePartitionKey('k'.repeat(300))).to.have.length(256);
    const emoji = '😀'.repeat(300);
    const cut = normalizePartitionKey(emoji)!;
    expect(Array.from(cut)).to.have.length(256);
    expect(cut).to.equal('😀'.repeat(256));
  });

  it('rejects values that cannot be keys', () => {
    expect(normalizePartitionKey(undefined)).to.equal(undefined);
    expect(normalizePartitionKey({})).to.equal(undefined);
    expect(normalizePartitionKey('')).to.equal(undefined);
  });

  it("the sink's own keys written as bytes are keyAt's text, of keyBytesAt's length", () => {
    const keys = new SinkKeys();
    const out = Buffer.alloc(64);
    for (const n of [0, 1, 35, 36, 1295, 1296, 46_655, 46_656, 123_456_789, 2 ** 40, 2 ** 53 - 1]) {
      const end = keys.writeKeyAt(n, out, 3);
      expect(out.toString('latin1', 3, end)).to.equal(keys.keyAt(n));
      expect(end - 3).to.equal(keys.keyBytesAt(n));
    }
  });
});
