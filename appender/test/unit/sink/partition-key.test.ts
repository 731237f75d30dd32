import { expect } from 'chai';
import { normalizePartitionKey, partitionKeyFunction } from '../../../src/sink/partition-key.js';

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
});
