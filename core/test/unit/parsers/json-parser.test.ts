import { expect } from 'chai';
import {
  createJsonParser,
  JsonFieldAliases,
  normalizeJsonEvent,
} from '../../../src/parsers/json-parser.js';
import { seededRandom, pick } from '../../../src/random/seeded-random.js';

describe('createJsonParser', () => {
  const parse = createJsonParser();

  it('normalizes a pino line: numeric level, epoch time, hostname', () => {
    const event = parse(
      '{"level":50,"time":1700000000123,"pid":4242,"hostname":"web-1","msg":"upstream timed out","status":503}',
    );
    expect(event).to.deep.equal({
      level: 'error',
      time: '2023-11-14T22:13:20.123Z',
      pid: 4242,
      host: 'web-1',
      msg: 'upstream timed out',
      status: 503,
    });
  });

  it('maps every pino level number, and custom levels to the one below', () => {
    const levels = [10, 20, 30, 40, 50, 60, 35, 99].map((n) => parse(`{"level":${n}}`).level);
    expect(levels).to.deep.equal([
      'trace',
      'debug',
      'info',
      'warn',
      'error',
      'fatal',
      'info',
      'fatal',
    ]);
  });

  it('keeps a numeric level below 10 as it was (syslog numbers mean something else)', () => {
    expect(parse('{"level":3}').level).to.equal(3);
  });

  it('normalizes a winston line: message, timestamp, upper-case level', () => {
    const event = parse(
      '{"message":"payment failed","level":"ERROR","timestamp":"2024-03-01T10:15:30.250+02:00","service":"billing"}',
    );
    expect(event).to.deep.equal({
      msg: 'payment failed',
      level: 'error',
      time: '2024-03-01T08:15:30.250Z',
      service: 'billing',
    });
  });

  it('reads @timestamp and log-library level synonyms', () => {
    const event = parse(
      '{"@timestamp":"2024-03-01 10:15:30,5","severity":"WARNING","message":"x"}',
    );
    expect(event.time).to.equal('2024-03-01T10:15:30.500Z');
    expect(event.level).to.equal('warn');
    expect(event).not.to.have.property('@timestamp');
    expect(event).not.to.have.property('severity');
  });

  it('reads zone-less times at the assumed offset', () => {
    const east = createJsonParser({ assumedUtcOffsetMinutes: 120 });
    expect(east('{"time":"2024-03-01T10:15:30"}').time).to.equal('2024-03-01T08:15:30.000Z');
  });

  it('reads epoch seconds (zap, Python) as seconds', () => {
    expect(parse('{"ts":1700000000.5}').time).to.equal('2023-11-14T22:13:20.500Z');
  });

  it('leaves times it cannot read untouched and never overwrites them with an alias', () => {
    const event = parse('{"time":"yesterday","timestamp":"2024-03-01T10:15:30Z"}');
    expect(event.time).to.equal('yesterday');
    expect(event['timestamp']).to.equal('2024-03-01T10:15:30Z');
  });

  it('takes status from statusCode, numeric strings, and pino-http res.statusCode', () => {
    expect(parse('{"statusCode":502}')).to.deep.equal({ status: 502 });
    expect(parse('{"status":"404"}').status).to.equal(404);
    expect(parse('{"status":"ok"}').status).to.equal('ok');
    expect(parse('{"res":{"statusCode":500},"req":{"url":"/a"}}').status).to.equal(500);
  });

  it('keeps msg when both msg and message are present', () => {
    expect(parse('{"msg":"a","message":"b"}')).to.deep.equal({ msg: 'a', message: 'b' });
  });

  it('keeps unknown levels lowercased', () => {
    expect(parse('{"level":"AUDIT"}').level).to.equal('audit');
  });

  it('accepts leading whitespace, a BOM and a CRLF line end', () => {
    expect(parse('  \uFEFF{"msg":"x"}\r')).to.deep.equal({ msg: 'x' });
  });

  it('does not let __proto__ keys reach the prototype', () => {
    const event = parse('{"__proto__":{"polluted":true},"msg":"x"}');
    expect(Object.getPrototypeOf(event)).to.equal(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
  });

  for (const line of [
    '',
    'not json',
    '[1,2,3]',
    '"a string"',
    '42',
    'null',
    '{"truncated": "li',
    '{"a":1} trailing',
    '{\uFFFD\uFFFD}',
  ]) {
    it(`flags ${JSON.stringify(line)} as unparsed, keeping it verbatim`, () => {
      expect(parse(line)).to.deep.equal({ msg: line, parseError: true });
    });
  }

  it('keeps replacement characters from invalid UTF-8 inside values', () => {
    expect(parse('{"msg":"caf\uFFFD \uFFFD\uFFFD"}').msg).to.equal('caf\uFFFD \uFFFD\uFFFD');
  });
});

describe('normalizeJsonEvent', () => {
  it('normalizes a parsed object as the parser does a line', () => {
    const line = '{"severity":"ERROR","ts":1700000000,"message":"boom","statusCode":"503"}';
    expect(normalizeJsonEvent(JSON.parse(line), line)).to.deep.equal({
      level: 'error',
      time: '2023-11-14T22:13:20.000Z',
      msg: 'boom',
      status: 503,
    });
  });

  it('turns anything but an object into the unparsed event of the line', () => {
    for (const line of ['[1,2]', '"text"', '42', 'null']) {
      expect(normalizeJsonEvent(JSON.parse(line), line)).to.deep.equal({
        msg: line,
        parseError: true,
      });
    }
  });

  it('takes the parser options, checked', () => {
    const line = '{"time":"2024-03-01T10:15:30"}';
    expect(
      normalizeJsonEvent(JSON.parse(line), line, { assumedUtcOffsetMinutes: 60 }).time,
    ).to.equal('2024-03-01T09:15:30.000Z');
    expect(() => normalizeJsonEvent({}, '{}', { assumedUtcOffsetMinutes: 1e6 })).to.throw(
      'assumedUtcOffsetMinutes',
    );
  });

  it('agrees with the parser on random records made of every alias', () => {
    const random = seededRandom(7);
    const keys = [
      ...JsonFieldAliases.time,
      ...JsonFieldAliases.level,
      ...JsonFieldAliases.msg,
      ...JsonFieldAliases.status,
      'hostname',
      'host',
      'res',
      '__proto__',
      'constructor',
    ];
    const values: unknown[] = [
      '2024-03-01T10:15:30.123Z',
      '2024-03-01 10:15:30,5+02:00',
      '2024-02-30T00:00:00.000Z',
      1_700_000_000,
      1_700_000_000_123,
      'ERROR',
      'Warning',
      'info',
      50,
      30,
      '503',
      '5030',
      404,
      404.5,
      '',
      null,
      true,
      { statusCode: 502 },
      { statusCode: '418' },
      [1],
      'text with "quotes" and \u2028',
    ];
    for (const offset of [0, 60]) {
      const parse = createJsonParser({ assumedUtcOffsetMinutes: offset });
      for (let n = 0; n < 5_000; n++) {
        const record: Record<string, unknown> = {};
        const fields = 1 + Math.floor(random() * 6);
        for (let f = 0; f < fields; f++) record[pick(random, keys)] = pick(random, values);
        const line = JSON.stringify(record);
        expect(
          normalizeJsonEvent(JSON.parse(line), line, { assumedUtcOffsetMinutes: offset }),
          line,
        ).to.deep.equal(parse(line));
      }
    }
  });

  it('lists every alias the parser reads in JsonFieldAliases', () => {
    const parse = createJsonParser();
    expect(parse('{"ts":1700000000}').time).to.equal('2023-11-14T22:13:20.000Z');
    for (const key of JsonFieldAliases.time) {
      expect(parse(JSON.stringify({ [key]: 1_700_000_000 })).time, key).to.be.a('string');
    }
    for (const key of JsonFieldAliases.level) {
      expect(parse(JSON.stringify({ [key]: 'ERROR' })).level, key).to.equal('error');
    }
    for (const key of JsonFieldAliases.msg) {
      expect(parse(JSON.stringify({ [key]: 'boom' })).msg, key).to.equal('boom');
    }
    for (const key of JsonFieldAliases.status) {
      expect(parse(JSON.stringify({ [key]: 503 })).status, key).to.equal(503);
    }
    const { parent, key } = JsonFieldAliases.nestedStatus;
    expect(parse(JSON.stringify({ [parent]: { [key]: 503 } })).status).to.equal(503);
  });
});
