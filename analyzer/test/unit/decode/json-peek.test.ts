import { expect } from 'chai';
import { pick, seededRandom, type RandomSource } from '@kinlog/core';
import {
  JsonPeek,
  JsonPeekLimits,
  OPAQUE_ARRAY,
  OPAQUE_OBJECT,
} from '../../../src/decode/json-peek.js';

const KEYS = ['level', 'status', 'parseError'] as const;
const FIELDS = { keys: KEYS, nested: { parent: 'res', key: 'statusCode' } } as const;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What JSON.parse makes of the bytes, as the record decoder would hand them to it. */
function parseAsDecoded(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(decoder.decode(bytes)) };
  } catch {
    return { ok: false };
  }
}

/** The peek's values as JSON.parse would give them (containers reduced to their stand-ins). */
function expectedValues(record: Record<string, unknown>): unknown[] {
  const standIn = (value: unknown): unknown =>
    Array.isArray(value)
      ? OPAQUE_ARRAY
      : typeof value === 'object' && value !== null
        ? OPAQUE_OBJECT
        : value;
  const values: unknown[] = KEYS.map((key) => standIn(record[key]));
  values.push(standIn(record['res']));
  const res = record['res'];
  const nested =
    typeof res === 'object' && res !== null && !Array.isArray(res)
      ? (res as Record<string, unknown>)['statusCode']
      : undefined;
  values.push(standIn(nested));
  return values;
}

// Pieces that JSON.parse accepts or refuses for reasons of their own: every rule of the grammar.
const VALUES = [
  '0',
  '-0',
  '200',
  '503',
  '-12',
  '1.5',
  '1e3',
  '2E-2',
  '12345678901234567890',
  '0.1e+2',
  'true',
  'false',
  'null',
  '"info"',
  '"error"',
  '"ERROR"',
  '""',
  '"a\\"b"',
  '"\\u0065rror"',
  '"caf\u00e9"',
  '"\\n"',
  '[]',
  '[1, "x", {"a": [null]}]',
  '{}',
  '{"statusCode": 503}',
  '{"statusCode": 200, "statusCode": "404"}',
  '{"x": {"statusCode": 500}}',
  `"${'x'.repeat(JsonPeekLimits.MAX_VALUE_BYTES + 1)}"`,
];
const BROKEN_VALUES = [
  '01',
  '-',
  '1.',
  '.5',
  '1e',
  '+1',
  '0x1',
  'NaN',
  'Infinity',
  'tru',
  'nul',
  'True',
  "'x'",
  '"\\x41"',
  '"\\u12G4"',
  '"tab\there"',
  '[1,]',
  '[1 2]',
  '{"a" 1}',
  '{"a":1,}',
  '{a:1}',
];
const KEY_SPELLINGS = [
  '"level"',
  '"status"',
  '"parseError"',
  '"res"',
  '"msg"',
  '"lev\\u0065l"',
  '"levels"',
  '"stat\u00fcs"',
  '"__proto__"',
];
const SPACES = ['', ' ', '\n', '\t', '\r\n  '];

function generatedLine(random: RandomSource): string {
  const pairs: string[] = [];
  const count = Math.floor(random() * 5);
  for (let i = 0; i < count; i++) {
    const value = random() < 0.05 ? pick(random, BROKEN_VALUES) : pick(random, VALUES);
    const space = () => (random() < 0.2 ? pick(random, SPACES) : '');
    pairs.push(`${space()}${pick(random, KEY_SPELLINGS)}${space()}:${space()}${value}${space()}`);
  }
  return `{${pairs.join(',')}}${random() < 0.1 ? pick(random, SPACES) : ''}`;
}

/** Byte-level damage: truncation, stray bytes, invalid UTF-8, a BOM, a control byte. */
function damaged(random: RandomSource, bytes: Uint8Array): Uint8Array {
  const at = Math.floor(random() * (bytes.length + 1));
  const stray = pick(random, [
    [],
    [0x00],
    [0x7f],
    [0xff],
    [0xc3],
    [0xe2, 0x82],
    [0x22],
    [0x5c],
    [0x2c],
    [0x7d],
  ]);
  const kind = random();
  if (kind < 0.3) return bytes.subarray(0, at);
  if (kind < 0.9)
    return Uint8Array.from([...bytes.subarray(0, at), ...stray, ...bytes.subarray(at)]);
  return Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes]);
}

describe('JsonPeek', () => {
  it('accepts only what JSON.parse accepts as an object, and reads the values it would hold', () => {
    const random = seededRandom(11);
    const peek = new JsonPeek(FIELDS);
    let accepted = 0;
    let refusedValid = 0;
    for (let i = 0; i < 40_000; i++) {
      let bytes: Uint8Array = encoder.encode(generatedLine(random));
      if (random() < 0.3) bytes = damaged(random, bytes);
      const parsed = parseAsDecoded(bytes);
      const label = JSON.stringify(Buffer.from(bytes).toString('latin1'));
      if (peek.read(bytes)) {
        accepted++;
        expect(parsed.ok, label).to.equal(true);
        const value = (parsed as { value: unknown }).value;
        expect(value, label).to.be.an('object').and.not.be.an('array');
        expect(peek.values, label).to.deep.equal(expectedValues(value as Record<string, unknown>));
      } else if (parsed.ok && typeof parsed.value === 'object' && !Array.isArray(parsed.value)) {
        refusedValid++;
      }
    }
    // Most lines are plain and valid: the peek must answer for them, not refuse everything.
    expect(accepted).to.be.greaterThan(15_000);
    expect(refusedValid).to.be.lessThan(accepted);
  });

  it('reads ordinary records without decoding them', () => {
    const peek = new JsonPeek(FIELDS);
    const line =
      '{"time":"2024-05-01T00:00:00Z","level":"info","status":200,"msg":"caf\u00e9 \\"ok\\""}';
    expect(peek.read(encoder.encode(`${line}\r\n`))).to.equal(true);
    expect(peek.values).to.deep.equal(['info', 200, undefined, undefined, undefined]);
    expect(
      peek.read(encoder.encode('{"res":{"statusCode":503,"x":[1]},"parseError":false}')),
    ).to.equal(true);
    expect(peek.values).to.deep.equal([undefined, undefined, false, OPAQUE_OBJECT, 503]);
  });

  it('keeps the last of duplicate keys, as JSON.parse does, nested parent included', () => {
    const peek = new JsonPeek(FIELDS);
    expect(peek.read(encoder.encode('{"level":"error","level":"info"}'))).to.equal(true);
    expect(peek.values[0]).to.equal('info');
    expect(peek.read(encoder.encode('{"res":{"statusCode":503},"res":{"ok":1}}'))).to.equal(true);
    expect(peek.values.slice(3)).to.deep.equal([OPAQUE_OBJECT, undefined]);
    expect(peek.read(encoder.encode('{"res":{"statusCode":503},"res":7}'))).to.equal(true);
    expect(peek.values.slice(3)).to.deep.equal([7, undefined]);
    // A statusCode in some other object is not the nested one.
    expect(
      peek.read(encoder.encode('{"res":{"statusCode":200},"req":{"statusCode":503}}')),
    ).to.equal(true);
    expect(peek.values.slice(3)).to.deep.equal([OPAQUE_OBJECT, 200]);
  });

  it('refuses what it cannot judge from the bytes: escaped keys, escaped or non-ASCII values', () => {
    const peek = new JsonPeek(FIELDS);
    for (const line of [
      '{"lev\\u0065l":"error"}',
      '{"level":"\\u0065rror"}',
      '{"level":"err\u00f6r"}',
      '{"res":{"status\\u0043ode":503}}',
      '\ufeff{"level":"info"}',
      ' {"level":"info"}',
    ]) {
      expect(peek.read(encoder.encode(line)), line).to.equal(false);
    }
    // Escapes and non-ASCII bytes elsewhere are only validated.
    expect(peek.read(encoder.encode('{"m\u00f6ge":"\\u00e9\\n","level":"info"}'))).to.equal(true);
  });

  it('leaves nesting deeper than its bound to JSON.parse', () => {
    const peek = new JsonPeek(FIELDS);
    const deep = (n: number) => `{"a":${'['.repeat(n)}${']'.repeat(n)}}`;
    expect(peek.read(encoder.encode(deep(JsonPeekLimits.MAX_DEPTH - 2)))).to.equal(true);
    expect(peek.read(encoder.encode(deep(JsonPeekLimits.MAX_DEPTH + 1)))).to.equal(false);
  });

  it('stops at the first value its caller asks to stop at', () => {
    const seen: unknown[] = [];
    const peek = new JsonPeek({
      ...FIELDS,
      stopAt: (slot, value) => (seen.push([slot, value]), value === 'error'),
    });
    // Invalid after the stop: never looked at.
    expect(peek.read(encoder.encode('{"status":500,"level":"error", broken'))).to.equal(false);
    expect(seen).to.deep.equal([
      [1, 500],
      [0, 'error'],
    ]);
  });

  it('watches only plain ASCII keys', () => {
    expect(() => new JsonPeek({ keys: ['l\u00e9vel'] })).to.throw(RangeError, /plain ASCII/);
    expect(() => new JsonPeek({ keys: ['a"b'] })).to.throw(RangeError, /plain ASCII/);
  });
});
