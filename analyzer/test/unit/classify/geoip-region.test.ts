import { expect } from 'chai';
import { geoipRegionOf, lookupGeoip } from '../../../src/classify/geoip-region.js';

describe('geoipRegionOf / lookupGeoip', () => {
  it('locates well-known public addresses', () => {
    expect(lookupGeoip('8.8.8.8')).to.deep.equal({ country: 'US', continent: 'NA', region: 'NA' });
    expect(geoipRegionOf('8.8.8.8')).to.equal('NA');
    expect(lookupGeoip('81.2.69.142')?.country).to.equal('GB');
    expect(geoipRegionOf('81.2.69.142')).to.equal('EU');
    expect(geoipRegionOf('200.160.2.3')).to.equal('SA');
  });

  it('accepts ports, brackets, mapped IPv4 and forwarded-for lists', () => {
    expect(geoipRegionOf('8.8.8.8:443')).to.equal('NA');
    expect(geoipRegionOf('::ffff:8.8.8.8')).to.equal('NA');
    expect(geoipRegionOf('8.8.8.8, 10.0.0.1')).to.equal('NA');
    expect(lookupGeoip('[2a00:1450:4001:80b::200e]:443')?.region).to.equal('EU');
  });

  it('gives undefined for private, loopback, invalid and hostile input', () => {
    for (const ip of [
      '10.0.0.1',
      '192.168.1.1',
      '127.0.0.1',
      '::1',
      'garbage',
      '',
      '999.1.1.1',
      '<script>',
      'x'.repeat(10_000),
    ]) {
      expect(geoipRegionOf(ip), ip).to.equal(undefined);
    }
  });
});
