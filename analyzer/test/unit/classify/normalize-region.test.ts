import { expect } from 'chai';
import { MAX_REGION_CHARS, normalizeRegion } from '../../../src/classify/normalize-region.js';

describe('normalizeRegion', () => {
  it('upper-cases short codes and keeps longer names', () => {
    expect(normalizeRegion(' eu ')).to.equal('EU');
    expect(normalizeRegion('apac')).to.equal('APAC');
    expect(normalizeRegion('eu-west-1')).to.equal('eu-west-1');
    expect(normalizeRegion('São  Paulo\t1')).to.equal('São Paulo 1');
  });

  it('rejects what is not a non-blank string', () => {
    expect(normalizeRegion('  ')).to.equal(undefined);
    expect(normalizeRegion(7)).to.equal(undefined);
    expect(normalizeRegion(undefined)).to.equal(undefined);
  });

  it('bounds the length', () => {
    expect(normalizeRegion('r'.repeat(10_000))).to.have.length(MAX_REGION_CHARS);
  });
});
