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

  it('reads plain names without the long way exactly as the long way does', () => {
    // The long way, as written before plain names were read directly.
    const longWay = (value: string): string | undefined => {
      let region =
        value.length > MAX_REGION_CHARS * 4 ? value.slice(0, MAX_REGION_CHARS * 4) : value;
      region = region.trim();
      if (region === '') return undefined;
      if (/^[a-z]{2,4}$/i.test(region)) return region.toUpperCase();
      region = region.replace(/\s+/g, ' ');
      if (region.length <= MAX_REGION_CHARS) return region;
      const last = region.charCodeAt(MAX_REGION_CHARS - 1);
      return region.slice(
        0,
        last >= 0xd800 && last <= 0xdbff ? MAX_REGION_CHARS - 1 : MAX_REGION_CHARS,
      );
    };
    const alphabet = [
      'a',
      'Z',
      'q',
      'E',
      'u',
      '1',
      '0',
      '-',
      '_',
      '.',
      ' ',
      '\t',
      '\u00a0',
      'é',
      'ß',
      '/',
      '@',
      '\ud83d\ude00',
    ];
    let seed = 5;
    const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const samples = [
      'EU',
      'eu',
      'Eu',
      'APAC',
      'apacx',
      'e',
      'us-east-1',
      'N.A.',
      'x_y',
      'r'.repeat(64),
      'r'.repeat(65),
    ];
    for (let n = 0; n < 20_000; n++) {
      const length = Math.floor(random() * random() * 70);
      let text = '';
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      samples.push(text);
    }
    for (const text of samples)
      expect(normalizeRegion(text), JSON.stringify(text)).to.equal(longWay(text));
  });

  it('bounds the length', () => {
    expect(normalizeRegion('r'.repeat(10_000))).to.have.length(MAX_REGION_CHARS);
  });
});
