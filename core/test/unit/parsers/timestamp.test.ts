import { expect } from 'chai';
import { seededRandom, pick } from '../../../src/random/seeded-random.js';
import {
  fractionToMs,
  isCanonicalIsoUtc,
  isoFromEpoch,
  isoFromEpochMs,
  isoFromIsoLike,
  isoFromParts,
  zoneOffsetMinutes,
} from '../../../src/parsers/timestamp.js';

// isoFromIsoLike without its shortcut for strings already in toISOString's form: every input
// must give the same answer both ways.
const ISO_LIKE =
  /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)? ?(Z|z|[+-]\d\d:?\d\d)?$/;
function isoFromIsoLikeTheLongWay(text: string, assumedOffsetMinutes: number): string | undefined {
  const m = ISO_LIKE.exec(text);
  if (m === null) return undefined;
  const offset = m[8] === undefined ? assumedOffsetMinutes : zoneOffsetMinutes(m[8]);
  if (offset === undefined) return undefined;
  return isoFromParts(
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? 0),
    fractionToMs(m[7]),
    offset,
  );
}

function twoDigits(random: () => number, max: number): string {
  return String(Math.floor(random() * max)).padStart(2, '0');
}

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

  it('keeps a canonical ISO UTC string as it is, and only that', () => {
    expect(isCanonicalIsoUtc('2024-02-29T23:59:59.999Z')).to.equal(true);
    for (const text of [
      '2023-02-29T00:00:00.000Z', // no such day
      '2024-04-31T00:00:00.000Z',
      '2024-13-01T00:00:00.000Z',
      '2024-01-01T24:00:00.000Z',
      '2024-01-01T23:59:60.000Z', // a leap second rolls into the next minute
      '0099-01-01T00:00:00.000Z', // Date.UTC reads it as 1999
      '2024-01-01T00:00:00.000z',
      '2024-01-01T00:00:00.000+00:00',
      '2024-01-01 00:00:00.000Z',
      '2024-01-01T00:00:00.00Z',
      '２024-01-01T00:00:00.000Z',
    ]) {
      expect(isCanonicalIsoUtc(text), text).to.equal(false);
      expect(isoFromIsoLike(text, 0), text).to.equal(isoFromIsoLikeTheLongWay(text, 0));
    }
    expect(isoFromIsoLike('0099-01-01T00:00:00.000Z', 0)).to.equal('1999-01-01T00:00:00.000Z');
  });

  it('gives the same time with and without the shortcut, on random and mangled strings', () => {
    const random = seededRandom(20240501);
    const noise = ['', '0', '9', 'Z', 'z', ' ', 'T', '-', ':', '.', ',', '+', '٣', '\u0000'];
    for (let n = 0; n < 20_000; n++) {
      const year = String(Math.floor(random() * 10_000)).padStart(4, '0');
      let text =
        `${year}-${twoDigits(random, 14)}-${twoDigits(random, 33)}T${twoDigits(random, 26)}:` +
        `${twoDigits(random, 61)}:${twoDigits(random, 62)}.${String(Math.floor(random() * 1000)).padStart(3, '0')}Z`;
      if (random() < 0.3) {
        const at = Math.floor(random() * (text.length + 1));
        text = text.slice(0, at) + pick(random, noise) + text.slice(at + (random() < 0.5 ? 1 : 0));
      }
      const offset = pick(random, [0, 60, -420]);
      expect(isoFromIsoLike(text, offset), text).to.equal(isoFromIsoLikeTheLongWay(text, offset));
      expect(isoFromIsoLike(text, offset) === text, text).to.equal(isCanonicalIsoUtc(text));
    }
  });
});

describe('isoFromEpochMs', () => {
  it('writes what Date#toISOString writes, for runs within a second and jumps between them', () => {
    const random = seededRandom(21);
    let epochMs = Date.UTC(1969, 11, 31, 23, 59, 58);
    for (let i = 0; i < 20_000; i++) {
      // Mostly a few ms on (same second), sometimes far away, before 1970 and after 9999 too.
      const r = random();
      if (r < 0.8) epochMs += Math.floor(random() * 40);
      else if (r < 0.97) epochMs = Math.floor((random() - 0.3) * 4e12);
      else epochMs = pick(random, [-62198755200001, 253402300799999, 253402300800000, 0, -1]);
      expect(isoFromEpochMs(epochMs), String(epochMs)).to.equal(new Date(epochMs).toISOString());
    }
  });

  it('writes what Date#toISOString writes for every second, minute and hour of a day in a run', () => {
    const random = seededRandom(22);
    for (const start of [Date.UTC(2024, 9, 10), Date.UTC(1969, 11, 31), Date.UTC(2000, 1, 28)]) {
      // Steps from 1 ms to a few minutes, across midnight into the next day and the one after.
      for (let epochMs = start - 3_600_000; epochMs < start + 2 * 86_400_000;) {
        expect(isoFromEpochMs(epochMs), String(epochMs)).to.equal(new Date(epochMs).toISOString());
        epochMs += 1 + Math.floor(random() * (random() < 0.5 ? 1_000 : 200_000));
      }
    }
    expect(isoFromEpochMs(1.5)).to.equal(new Date(1.5).toISOString());
  });
});
