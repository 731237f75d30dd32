import { expect } from 'chai';
import { normalizeJsonEvent, pick, seededRandom, type RandomSource } from '@kinlog/core';
import { classifyEvent, type ClassifiedEvent } from '../../../src/classify/classify-event.js';
import { eventTimeMs } from '../../../src/classify/event-time-ms.js';
import { geoipRegionOf } from '../../../src/classify/geoip-region.js';
import { JsonEventReader } from '../../../src/classify/json-event-reader.js';

/** The fields classification reads from an event. */
const READ_FIELDS = [
  'level',
  'msg',
  'status',
  'region',
  'clientIp',
  'page',
  'path',
  'url',
  'uri',
  'request',
  'req',
  'parseError',
] as const;

// Values as loggers write them and as hostile producers might: every JSON type under every
// field read, aliases, level and status spellings, canonical and other times, epochs in ms and s.
const LEVELS = ['"error"', '"ERROR"', '"info"', '"Warning"', '"dpanic"', '""', '" error "', '50'];
const MORE_LEVELS = ['30', '60', '5', '55.5', '"50"', '"fatal"', 'null', 'true', '{"x":1}', '[]'];
/** The names the parser folds levels to (the reader keeps them without asking it). */
const CANONICAL_LEVELS = ['"trace"', '"debug"', '"info"', '"warn"', '"error"', '"fatal"', '"Info"'];
const STATUSES = ['500', '503', '"503"', '"5030"', '404', '200', '500.5', '"abc"', 'null', '[500]'];
const TIMES = [
  '"2024-05-01T12:00:00.123Z"',
  '"2024-02-30T12:00:00.000Z"',
  '"2024-05-01T12:00:00Z"',
  '"2024-05-01 12:00:00"',
  '"0099-01-01T00:00:00.000Z"',
  '"yesterday"',
  '""',
  '1714521600123',
  '1714521600',
  '1714521600.5',
  '-1',
  '-0',
  '1e300',
  '9e15',
  'null',
  '{"t":1}',
];
const STRINGS = ['"/api/orders/42"', '"EU"', '" eu "', '"8.8.8.8"', '"GET /x?q=1 HTTP/1.1"', '""'];
const OTHERS = ['42', 'null', 'false', '{"url":"/nested/7"}', '["a"]', '"caf\\u00e9 \\"q\\""'];
/** The other fields a generated record may carry (time, level and status are drawn apart). */
const OPTIONAL_KEYS = READ_FIELDS.filter(
  (field) => !['time', 'level', 'status', 'parseError'].includes(field),
);
const ALIASES = [
  '"@timestamp":"2024-05-01T00:00:00.000Z"',
  '"timestamp":1714521600',
  '"ts":1714521600',
  '"severity":"ERROR"',
  '"levelname":"error"',
  '"message":"from message"',
  '"statusCode":502',
  '"res":{"statusCode":504}',
  '"parseError":true',
  '"hostname":"web-1"',
];
/** Keys no field is read from, among them ones an object already has or lists first. */
const UNREAD = ['"pid":7', '"0":"zero"', '"__proto__":{"level":"error"}', '"constructor":"x"'];

function member(random: RandomSource, key: string): string {
  if (key === 'level') {
    const r = random();
    return `"level":${pick(random, r < 0.6 ? LEVELS : r < 0.8 ? CANONICAL_LEVELS : MORE_LEVELS)}`;
  }
  if (key === 'status') return `"status":${pick(random, STATUSES)}`;
  if (key === 'time') return `"time":${pick(random, TIMES)}`;
  if (key === 'msg' && random() < 0.7) {
    return `"msg":"db failed after ${Math.floor(random() * 999)}ms"`;
  }
  return `"${key}":${pick(random, random() < 0.7 ? STRINGS : OTHERS)}`;
}

function record(random: RandomSource): string {
  const members: string[] = [];
  if (random() < 0.9) members.push(member(random, 'time'));
  if (random() < 0.9) members.push(member(random, 'level'));
  if (random() < 0.5) members.push(member(random, 'status'));
  for (const key of OPTIONAL_KEYS) if (random() < 0.35) members.push(member(random, key));
  if (random() < 0.15) members.push(pick(random, ALIASES));
  if (random() < 0.3) members.push(pick(random, UNREAD));
  // A duplicate key: JSON.parse keeps the last one.
  if (random() < 0.05) members.push(member(random, pick(random, ['level', 'status', 'msg'])));
  for (let k = members.length - 1; k > 0; k--) {
    const j = Math.floor(random() * (k + 1));
    [members[k], members[j]] = [members[j]!, members[k]!];
  }
  return `{${members.join(',')}}`;
}

/** Object.is for primitives, the same JSON for objects (what JSON.parse made is plain data). */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'object' && a !== null) return JSON.stringify(a) === JSON.stringify(b);
  return Object.is(a, b);
}

function sameClassification(a: ClassifiedEvent, b: ClassifiedEvent): boolean {
  return (
    a.kind === b.kind && a.region === b.region && a.page === b.page && a.signature === b.signature
  );
}

describe('JsonEventReader', () => {
  it('gives what normalizing gives under every field read, and the time eventTimeMs reads', () => {
    const random = seededRandom(7);
    const reader = new JsonEventReader();
    let read = 0;
    let gaveUp = 0;
    for (let n = 0; n < 10_000; n++) {
      const line = record(random);
      const parsed = JSON.parse(line) as Record<string, unknown>;
      const before = JSON.stringify(parsed);
      const event = reader.read(parsed);
      expect(JSON.stringify(parsed), 'the parsed object is left as it was').to.equal(before);
      if (event === undefined) {
        gaveUp++;
        continue;
      }
      read++;
      const normalized = normalizeJsonEvent(JSON.parse(line), line);
      // Compared by hand, asserted only on a difference: chai's deep equality per field and
      // record would make this test slow on a busy machine.
      const differs = READ_FIELDS.find((field) => !sameValue(event[field], normalized[field]));
      expect(differs, `${String(differs)} of ${line}`).to.equal(undefined);
      const time = normalized.time;
      const timeMs = typeof time === 'string' ? eventTimeMs(time) : Number.NaN;
      if (!Object.is(reader.timeMs, timeMs)) expect(reader.timeMs, line).to.equal(timeMs);
      const fast = classifyEvent(event, { regionOf: geoipRegionOf });
      const full = classifyEvent(normalized, { regionOf: geoipRegionOf });
      if (!sameClassification(fast, full)) expect(fast, line).to.deep.equal(full);
    }
    // Both ways are taken often: the comparison above is not an empty one.
    expect(read).to.be.greaterThan(4_000);
    expect(gaveUp).to.be.greaterThan(1_000);
  });

  it('reads the common shapes of pino and JSON loggers without giving up', () => {
    const reader = new JsonEventReader();
    const pino = reader.read({
      level: 50,
      time: 1714521600123,
      msg: 'boom',
      pid: 1,
      hostname: 'h',
    });
    expect(pino).to.include({ level: 'error', msg: 'boom' });
    expect(reader.timeMs).to.equal(1714521600123);
    const json = reader.read({ time: '2024-05-01T00:00:00.250Z', level: 'ERROR', status: '503' });
    expect(json).to.include({ level: 'error', status: 503 });
    expect(reader.timeMs).to.equal(Date.parse('2024-05-01T00:00:00.250Z'));
  });

  it('gives up where the parser would move or rebuild a value', () => {
    const reader = new JsonEventReader();
    expect(reader.read({ level: 'info', severity: 'ERROR' })).to.equal(undefined);
    expect(reader.read({ message: 'boom' })).to.equal(undefined);
    expect(reader.read({ res: { statusCode: 500 } })).to.equal(undefined);
    expect(reader.read({ time: '2024-05-01 00:00:00' })).to.equal(undefined);
    expect(reader.read({ parseError: true, msg: 'x' })).to.equal(undefined);
  });

  it('gives up only on aliases that hold a value (an object made by a program may hold undefined)', () => {
    const reader = new JsonEventReader();
    const event = reader.read({ level: 'error', message: undefined, msg: 'boom', res: undefined });
    expect(event).to.include({ level: 'error', msg: 'boom' });
  });

  it('finds the fields among many others, whatever their order', () => {
    const reader = new JsonEventReader();
    const others = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i]));
    const event = reader.read({ ...others, status: '503', page: '/cart', ...{ 7: 'seven' } });
    expect(event).to.include({ status: 503, page: '/cart', level: undefined, msg: undefined });
  });
});
