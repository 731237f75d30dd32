import { expect } from 'chai';
import {
  fractionToMs,
  isoFromEpoch,
  isoFromIsoLike,
  isoFromParts,
  zoneOffsetMinutes,
} from '../../../src/parsers/timestamp.js';

describe('timestamp helpers', () => {
  it('scales fractions of a second to milliseconds', () => {
    expect(['', '9', '97', '978', '978123'].map(fractionToMs)).to.deep.equal([
      0, 900, 970, 978, 978,
    ]);
    expect(fractionToMs(undefined)).to.equal(0);
  });

  it('reads zone offsets in both spellings', () => {
    expect(['Z', '+0200', '-07:00', '+05:30', '+2500', '+02'].map(zoneOffsetMinutes)).to.deep.equal(
      [0, 120, -420, 330, undefined, undefined],
    );
  });

  it('checks calendars, leap years included', () => {
    expect(isoFromParts(2024, 2, 29, 0, 0, 0, 0, 0)).to.equal('2024-02-29T00:00:00.000Z');
    expect(isoFromParts(2023, 2, 29, 0, 0, 0, 0, 0)).to.equal(undefined);
    expect(isoFromParts(1900, 2, 29, 0, 0, 0, 0, 0)).to.equal(undefined);
    expect(isoFromParts(2000, 2, 29, 0, 0, 0, 0, 0)).to.equal('2000-02-29T00:00:00.000Z');
    expect(isoFromParts(2024, 4, 31, 0, 0, 0, 0, 0)).to.equal(undefined);
    expect(isoFromParts(2024, 1, 1, 24, 0, 0, 0, 0)).to.equal(undefined);
  });

  it('normalizes ISO-like strings and rejects the rest', () => {
    expect(isoFromIsoLike('2024-03-01 10:15', 0)).to.equal('2024-03-01T10:15:00.000Z');
    expect(isoFromIsoLike('2024-03-01T10:15:30.1Z', 60)).to.equal('2024-03-01T10:15:30.100Z');
    expect(isoFromIsoLike('2024-03-01T10:15:30', 60)).to.equal('2024-03-01T09:15:30.000Z');
    expect(isoFromIsoLike('March 1st', 0)).to.equal(undefined);
  });

  it('reads epochs in ms or s and rejects what Date cannot hold', () => {
    expect(isoFromEpoch(1700000000000)).to.equal('2023-11-14T22:13:20.000Z');
    expect(isoFromEpoch(1700000000)).to.equal('2023-11-14T22:13:20.000Z');
    expect(isoFromEpoch(1e20)).to.equal(undefined);
    expect(isoFromEpoch(Number.NaN)).to.equal(undefined);
  });
});
