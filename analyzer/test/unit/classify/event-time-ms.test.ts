import { expect } from 'chai';
import { eventTimeMs } from '../../../src/classify/event-time-ms.js';

describe('eventTimeMs', () => {
  it('reads canonical ISO times as Date.parse does', () => {
    let seed = 11;
    const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    for (let i = 0; i < 20_000; i++) {
      const ms = Math.floor((random() * 2 - 0.2) * 4e12);
      const iso = new Date(ms).toISOString();
      expect(eventTimeMs(iso), iso).to.equal(Date.parse(iso));
      expect(eventTimeMs(iso)).to.equal(ms);
    }
  });

  it('reads every year from 100 to 9999 as Date.parse does, month ends and leap days included', () => {
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const first = Date.UTC(100, 0, 1);
    const last = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    for (let i = 0; i < 20_000; i++) {
      const iso = new Date(first + Math.floor(random() * (last - first + 1))).toISOString();
      expect(eventTimeMs(iso), iso).to.equal(Date.parse(iso));
    }
    for (const year of [100, 400, 1600, 1700, 1900, 1969, 1970, 2000, 2100, 2400, 9999]) {
      for (let month = 1; month <= 12; month++) {
        for (const day of [1, 28, 29, 30, 31]) {
          const iso = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${day}T23:59:59.999Z`;
          expect(Object.is(eventTimeMs(iso), Date.parse(iso)), iso).to.equal(true);
        }
      }
    }
  });

  it('reads runs of times of one day, mixed with malformed ones of that day, as Date.parse does', () => {
    // The date of the last time read is remembered: it must never vouch for the rest of a time.
    let seed = 3;
    const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    let ms = Date.UTC(2024, 1, 27);
    const bad = [
      'T24:00:00.000Z',
      'T23:60:00.000Z',
      'T23:59:60.000Z',
      'T0a:00:00.000Z',
      'T00:00:00.0-1Z',
    ];
    for (let i = 0; i < 20_000; i++) {
      ms += Math.floor(random() * 40_000_000);
      const iso = new Date(ms).toISOString();
      const time = random() < 0.1 ? iso.slice(0, 10) + bad[i % bad.length]! : iso;
      expect(Object.is(eventTimeMs(time), Date.parse(time)), time).to.equal(true);
    }
  });

  it('agrees with Date.parse on near-canonical and malformed times', () => {
    const times = [
      '2024-02-29T23:59:59.999Z',
      '2023-02-29T00:00:00.000Z',
      '2024-02-30T00:00:00.000Z',
      '2024-04-31T00:00:00.000Z',
      '2024-13-01T00:00:00.000Z',
      '2024-00-10T00:00:00.000Z',
      '2024-01-00T00:00:00.000Z',
      '2024-01-01T24:00:00.000Z',
      '2024-01-01T23:60:00.000Z',
      '2024-01-01T23:59:60.000Z',
      '0099-01-01T00:00:00.000Z',
      '0100-01-01T00:00:00.000Z',
      '2000-01-01T00:00:00.000Z',
      '1900-02-29T00:00:00.000Z',
      '2024-0a-01T00:00:00.000Z',
      '2024-01-01T00:00:00.0-1Z',
      '2024-01-01T00:00:00.00 Z',
      '2024-01-01T00:00:00.000+',
      '2024-01-01T00:00:00Z',
      '2024-01-01 00:00:00.000Z',
      '2024-01-01T00:00:00.000+02:00',
      '+012024-01-01T00:00:00.000Z',
      'Wed, 01 May 2024 00:00:00 GMT',
      'yesterday',
      '',
    ];
    for (const time of times) {
      expect(Object.is(eventTimeMs(time), Date.parse(time)), time).to.equal(true);
    }
  });
});
