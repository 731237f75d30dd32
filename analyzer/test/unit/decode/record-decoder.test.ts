import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import {
  JsonFieldAliases,
  pick,
  seededRandom,
  type LogEvent,
  type RandomSource,
} from '@kinlog/core';
import { deaggregate } from '../../../src/decode/kpl-aggregate.js';
import { RecordDecoder, SCREENED_OUT } from '../../../src/decode/record-decoder.js';
import { createMayBeErrorBytes, mayBeError } from '../../../src/classify/may-be-error.js';
import { classifyEvent } from '../../../src/classify/classify-event.js';

/** A record of 1 to `maxFields` random fields, written in one of `shapes`. */
function randomPayload(
  random: RandomSource,
  pieces: {
    keys: readonly string[];
    values: readonly unknown[];
    shapes: readonly ((json: string) => string)[];
    maxFields: number;
  },
): Buffer {
  const record: Record<string, unknown> = {};
  for (let f = 0; f < 1 + Math.floor(random() * pieces.maxFields); f++) {
    record[pick(random, pieces.keys)] = pick(random, pieces.values);
  }
  return Buffer.from(pick(random, pieces.shapes)(JSON.stringify(record)));
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
function field(num: number, bytes: Uint8Array): number[] {
  return [...varint(num * 8 + 2), ...varint(bytes.length), ...bytes];
}
/** A KPL aggregated record per the published format (magic, protobuf, MD5). */
function kpl(keys: string[], records: { key: number; data: Uint8Array }[]): Buffer {
  const body: number[] = [];
  for (const k of keys) body.push(...field(1, Buffer.from(k)));
  for (const r of records) {
    const rec = [
      ...varint(1 * 8),
      ...varint(r.key),
      ...field(3, r.data),
      ...field(4, Buffer.from([0x0a, 0x01, 0x78])),
    ];
    body.push(...field(3, Uint8Array.from(rec)));
  }
  const proto = Buffer.from(body);
  return Buffer.concat([
    Buffer.from([0xf3, 0x89, 0x9a, 0xc2]),
    proto,
    createHash('md5').update(proto).digest(),
  ]);
}

function decodeAll(payloads: Uint8Array[], parser?: 'json' | 'raw') {
  const decoder = new RecordDecoder(parser === undefined ? {} : { parser });
  const events: { event: Record<string, unknown>; line: string }[] = [];
  for (const p of payloads) decoder.decode(p, (event, line) => events.push({ event, line }));
  return { events, stats: decoder.stats };
}

describe('RecordDecoder', () => {
  it('reads plain JSON, and raw text as a message', () => {
    const { events } = decodeAll([
      Buffer.from('{"level":"error","msg":"boom"}\n'),
      Buffer.from('disk full'),
    ]);
    expect(events[0]!.event).to.include({ level: 'error', msg: 'boom' });
    expect(events[0]!.line).to.equal('{"level":"error","msg":"boom"}');
    expect(events[1]!.event).to.deep.equal({ msg: 'disk full' });
  });

  it('deaggregates KPL records, gzip inside included, keeping order and partition keys', () => {
    const payload = kpl(
      ['a', 'b'],
      [
        { key: 1, data: Buffer.from('{"msg":"one"}') },
        { key: 0, data: gzipSync('{"msg":"two"}') },
      ],
    );
    expect(deaggregate(payload).map((r) => r.partitionKey)).to.deep.equal(['b', 'a']);
    const { events, stats } = decodeAll([payload]);
    expect(events.map((e) => e.event['msg'])).to.deep.equal(['one', 'two']);
    expect(stats).to.include({
      records: 1,
      events: 2,
      kplAggregates: 1,
      gzipPayloads: 1,
      undecodable: 0,
    });
  });

  it('inflates gzip payloads, including gzip of a KPL record', () => {
    const inner = kpl(['k'], [{ key: 0, data: Buffer.from('{"msg":"x"}') }]);
    const { events, stats } = decodeAll([gzipSync('{"msg":"g"}'), gzipSync(inner)]);
    expect(events.map((e) => e.event['msg'])).to.deep.equal(['g', 'x']);
    expect(stats.gzipPayloads).to.equal(2);
  });

  it('counts a KPL record with a bad digest, or corrupt gzip, as unparsed and goes on', () => {
    const bad = kpl(['k'], [{ key: 0, data: Buffer.from('{"msg":"x"}') }]);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0xff;
    const { events, stats } = decodeAll([
      bad,
      Buffer.from([0x1f, 0x8b, 1, 2, 3]),
      Buffer.from('{"msg":"ok"}'),
    ]);
    expect(events.map((e) => e.event['parseError'])).to.deep.equal([true, true, undefined]);
    expect(stats.undecodable).to.equal(2);
  });

  it('marks non-JSON as unparsed when the parser is json, its text once in msg', () => {
    const { events } = decodeAll([Buffer.from('not json')], 'json');
    expect(events[0]!.event).to.deep.equal({ msg: 'not json', parseError: true });
  });

  it('reads a line kinlog ship could not parse as unparsed, with its text', () => {
    // As `kinlog ship --parser apache` sends a line that is no access log.
    const shipped = { msg: 'not an access log line', parseError: true, source: '/var/log/a' };
    const { events } = decodeAll([Buffer.from(JSON.stringify(shipped))]);
    expect(events[0]!.event).to.include({ msg: 'not an access log line', parseError: true });
    expect(classifyEvent(events[0]!.event).kind).to.equal('unparsed');
  });

  it('passes JSON records its screen turns down as SCREENED_OUT, the rest fully parsed', () => {
    const seen: Record<string, unknown>[] = [];
    const decoder = new RecordDecoder({
      screen: (parsed) => (seen.push(parsed), parsed['level'] === 'ERROR'),
    });
    const out: { event: unknown; line: string }[] = [];
    for (const text of [
      '{"level":"info","time":1700000000000}',
      '{"level":"ERROR","ts":1700000000000}',
      '[1]',
      'plain',
      '{bad',
    ]) {
      decoder.decode(Buffer.from(text), (event, line) => out.push({ event, line }));
    }
    expect(seen).to.have.length(2);
    expect(out[0]).to.deep.equal({
      event: SCREENED_OUT,
      line: '{"level":"info","time":1700000000000}',
    });
    // Kept records go through the shared parser: level folded, time normalized.
    expect(out[1]!.event).to.deep.include({ level: 'error', time: '2023-11-14T22:13:20.000Z' });
    expect(out.slice(2).map((o) => o.event)).to.deep.equal([
      { msg: '[1]' },
      { msg: 'plain' },
      { msg: '{bad' },
    ]);
    expect(decoder.stats.events).to.equal(5);
    // Named parsers other than json ignore the screen.
    const raw = new RecordDecoder({ parser: 'raw', screen: () => false });
    raw.decode(Buffer.from('{"a":1}'), (event) => expect(event).to.deep.equal({ msg: '{"a":1}' }));
  });

  it('turns down what its bytes screen turns down before decoding, inside gzip and KPL too', () => {
    const parsedScreen: unknown[] = [];
    const decoder = new RecordDecoder({
      screen: (parsed) => (parsedScreen.push(parsed), true),
      screenBytes: createMayBeErrorBytes(),
    });
    const out: { event: unknown; line: string }[] = [];
    const fine = '{"level":"info","status":200}';
    const payloads = [
      Buffer.from(fine),
      gzipSync(fine),
      kpl(['k'], [{ key: 0, data: Buffer.from(fine) }]),
      Buffer.from('{"level":"error","status":200}'),
      Buffer.from('{"level":"info","status":200'),
    ];
    for (const payload of payloads) {
      decoder.decode(payload, (event, line) => out.push({ event, line }));
    }
    expect(out.slice(0, 3)).to.deep.equal(Array(3).fill({ event: SCREENED_OUT, line: '' }));
    // Only what the bytes screen was unsure of reached the parsed screen or the parser.
    expect(parsedScreen).to.have.length(1);
    expect(out[3]!.event).to.deep.include({ level: 'error', status: 200 });
    expect(out[4]!.event).to.deep.equal({ msg: '{"level":"info","status":200' });
    expect(decoder.stats).to.deep.include({ records: 5, events: 5, gzipPayloads: 1 });
    expect(() => new RecordDecoder({ screenBytes: 1 as never })).to.throw(/screenBytes/);
  });

  it('parses a kept JSON record once: the object screened is the event emitted', () => {
    const seen: object[] = [];
    const decoder = new RecordDecoder({ screen: (parsed) => (seen.push(parsed), true) });
    const events: unknown[] = [];
    decoder.decode(Buffer.from('{"severity":"ERROR","ts":1700000000}\n'), (e) => events.push(e));
    expect(events[0]).to.equal(seen[0]);
    expect(events[0]).to.deep.equal({ level: 'error', time: '2023-11-14T22:13:20.000Z' });
  });

  it('emits with a screen that keeps everything exactly what it emits without one', () => {
    const random = seededRandom(99);
    const keys = [
      ...JsonFieldAliases.time,
      ...JsonFieldAliases.level,
      ...JsonFieldAliases.msg,
      ...JsonFieldAliases.status,
      'hostname',
      'res',
      'parseError',
      '__proto__',
    ];
    const values: unknown[] = [
      '2024-03-01T10:15:30.123Z',
      '2024-03-01T10:15:30.123+01:00',
      '2024-02-30T10:15:30.123Z',
      1_700_000_000_000,
      'ERROR',
      'info',
      50,
      '503',
      404,
      null,
      { statusCode: 500 },
      '<script>"\u2028',
    ];
    const shapes = [
      (json: string) => json,
      (json: string) => ` ${json}`,
      (json: string) => `\ufeff${json}`,
      (json: string) => `${json}\r\n`,
      (json: string) => json.slice(0, -1),
      (json: string) => `[${json}]`,
      () => 'plain text',
      () => '',
    ];
    for (const parser of ['auto', 'json'] as const) {
      const plain = new RecordDecoder({ parser });
      const screened = new RecordDecoder({ parser, screen: () => true });
      for (let n = 0; n < 3_000; n++) {
        const payload = randomPayload(random, { keys, values, shapes, maxFields: 5 });
        const expected: unknown[] = [];
        const actual: unknown[] = [];
        plain.decode(payload, (event, line) => expected.push({ event, line }));
        screened.decode(payload, (event, line) => actual.push({ event, line }));
        expect(actual, payload.toString()).to.deep.equal(expected);
      }
    }
  });

  it("with the analyzer's two screens, classifies every record exactly as without them", () => {
    const random = seededRandom(2024);
    const keys = [
      ...JsonFieldAliases.level,
      ...JsonFieldAliases.status,
      JsonFieldAliases.nestedStatus.parent,
      'parseError',
      'msg',
      'path',
      'region',
    ];
    const values: unknown[] = [
      'info',
      'INFO',
      'warn',
      'error',
      'Fatal',
      'fine',
      30,
      50,
      200,
      404,
      503,
      '200',
      '503',
      true,
      null,
      [500],
      { statusCode: 503 },
      { statusCode: 200 },
      'caf\u00e9',
      '/orders/42?x=1',
    ];
    // The same record written in ways the byte screen reads differently from JSON.parse's text.
    const shapes = [
      (json: string) => json,
      (json: string) => json.replace(/"level"/g, '"lev\\u0065l"'),
      (json: string) => json.replace(/"error"/g, '"\\u0065rror"'),
      (json: string) => json.replace(/:/g, ' : '),
      (json: string) => `${json}\n`,
      (json: string) => `\ufeff${json}`,
      (json: string) => json.slice(0, -1),
      (json: string) => `${json.slice(0, -1)},"level":"error"}`,
    ];
    const classify = new RecordDecoder();
    const screened = new RecordDecoder({
      screen: mayBeError,
      screenBytes: createMayBeErrorBytes(),
    });
    let turnedDown = 0;
    for (let n = 0; n < 5_000; n++) {
      const payload = randomPayload(random, { keys, values, shapes, maxFields: 4 });
      const expected: unknown[] = [];
      const actual: unknown[] = [];
      classify.decode(payload, (event) => expected.push(event));
      screened.decode(payload, (event) => actual.push(event));
      for (const count4xx of [true, false]) {
        const kinds = (events: unknown[]) =>
          events.map((e) => classifyEvent(e as LogEvent, { count4xx }));
        expect(kinds(actual), payload.toString()).to.deep.equal(kinds(expected));
      }
      if (actual[0] === SCREENED_OUT) turnedDown++;
      else expect(actual, payload.toString()).to.deep.equal(expected);
    }
    expect(turnedDown).to.be.greaterThan(500);
  });

  describe('auto: each record in its own format', () => {
    const APACHE =
      '203.0.113.9 - - [10/Oct/2000:13:55:36 -0700] "GET /checkout HTTP/1.1" 503 12 "-" "UA"';
    const LOG4J = '2015-10-18 18:01:47,978 ERROR [main] org.x.Y: boom';

    it('classifies a mixed stream record by record; the counts add up to the events', () => {
      for (const screened of [false, true]) {
        const decoder = new RecordDecoder(
          screened ? { screen: mayBeError, screenBytes: createMayBeErrorBytes() } : {},
        );
        const events: LogEvent[] = [];
        const payloads = [
          Buffer.from('{"level":"info","msg":"fine"}'),
          Buffer.from('{"level":"error","msg":"bad"}\n'),
          Buffer.from(APACHE + '\n'),
          Buffer.from(LOG4J),
          Buffer.from('garbage \u0000 here'),
          Buffer.from('<11>1 2024-05-01T12:00:00Z web-1 api - - - disk full'),
          gzipSync(Buffer.from(APACHE)),
          kpl(
            ['k'],
            [
              { key: 0, data: Buffer.from(LOG4J) },
              { key: 0, data: Buffer.from('{"msg":"in kpl"}') },
            ],
          ),
          Buffer.from([0x1f, 0x8b, 0x00, 0x01]), // a broken gzip
        ];
        for (const p of payloads) decoder.decode(p, (event) => events.push(event));
        expect(decoder.formatCounts, `screened ${screened}`).to.deep.equal({
          json: 3,
          access: 2,
          apacheError: 0,
          log4j: 2,
          syslog: 1,
          raw: 1,
          unparsed: 0,
          undecodable: 1,
        });
        const sum = Object.values(decoder.formatCounts).reduce((a, b) => a + b, 0);
        expect(sum).to.equal(decoder.stats.events).and.to.equal(events.length);
        expect(events[2]).to.include({ status: 503, level: 'error', path: '/checkout' });
        expect(events[3]).to.include({ level: 'error', logger: 'org.x.Y' });
        expect(events[4]).to.deep.equal({ msg: 'garbage \u0000 here' });
      }
    });

    it('reads raw text lines by their level word, and strips a trailing delimiter', () => {
      const { events } = decodeAll([
        Buffer.from('2024-05-01 12:00:00 node-7 RAS KERNEL FATAL data TLB error\n'),
        Buffer.from('instruction cache parity error corrected\r\n'),
      ]);
      expect(events[0]!.event).to.include({ level: 'fatal' });
      expect(events[0]!.line).to.equal(
        '2024-05-01 12:00:00 node-7 RAS KERNEL FATAL data TLB error',
      );
      expect(events[1]!.event).to.deep.equal({ msg: 'instruction cache parity error corrected' });
    });

    it("counts a named parser's records under its format, its failures as unparsed", () => {
      const decoder = new RecordDecoder({ parser: 'apache' });
      for (const line of [APACHE, 'garbage']) decoder.decode(Buffer.from(line), () => undefined);
      expect(decoder.formatCounts).to.include({ access: 1, unparsed: 1, raw: 0 });
    });
  });
});
