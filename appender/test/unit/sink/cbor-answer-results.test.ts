/**
 * The lazy reading of CBOR PutRecords answers against the careful one (decodeCbor, then
 * entryResultOf per entry) on the same bytes: every entry's outcome, shard and whole result must
 * be the same, and input one refuses the other refuses with the same error. Answers are written
 * by an encoder of the test's own that picks, item by item, definite or indefinite lengths,
 * every head width (1, 2, 4 or 8 bytes even for small numbers), chunked texts and tags; members
 * come in any order, with extra and repeated keys.
 */
import { expect } from 'chai';
import { seededRandom } from '@kinlog/core';
import { CborDecodeError } from '../../../src/errors.js';
import { cborAnswerResults } from '../../../src/sink/cbor-answer-results.js';
import { decodeCbor } from '../../../src/sink/cbor-decode.js';
import {
  entryResultOf,
  resultsArray,
  resultsOfAnswer,
  type PutRecordsResults,
} from '../../../src/sink/put-records-results.js';
import { cborReference as cbor } from '../../support/cbor-reference.js';

/** A CBOR item as the test encoder writes it. */
type Item =
  | string
  | number
  | boolean
  | null
  | undefined
  | Buffer
  | Item[]
  | { map: [Item, Item][] }
  | { tag: number; item: Item }
  | { raw: Buffer };

type Random = () => number;

const SEQUENCE = '49600000000000000000000000000000000000000000000000000001';

/** A head of major type `major` and argument `n`, in the shortest width or one of 1..8 bytes. */
function head(major: number, n: number, random: Random): Buffer {
  const widths = [0, 1, 2, 4, 8].filter((w) => w !== 0 || n < 24);
  const fits = widths.filter((w) => w === 0 || w === 8 || n < 2 ** (8 * w));
  const width = random() < 0.5 ? fits[0]! : fits[Math.floor(random() * fits.length)]!;
  const type = major << 5;
  if (width === 0) return Buffer.of(type | n);
  const out = Buffer.alloc(1 + width);
  out[0] = type | { 1: 24, 2: 25, 4: 26, 8: 27 }[width]!;
  if (width === 8) out.writeBigUInt64BE(BigInt(n), 1);
  else out.writeUIntBE(n, 1, width);
  return out;
}

/** Writes `item`, each choice of encoding drawn from `random` (`odd` 0: shortest, definite). */
function encode(item: Item, random: Random, odd: number): Buffer {
  const pick = (): boolean => random() < odd;
  const quiet: Random = () => 0;
  const r = odd === 0 ? quiet : random;
  if (item === null) return Buffer.of(0xf6);
  if (item === undefined) return Buffer.of(0xf7);
  if (item === true) return Buffer.of(0xf5);
  if (item === false) return Buffer.of(0xf4);
  if (typeof item === 'number') return head(0, item, r);
  if (typeof item === 'string' || Buffer.isBuffer(item)) {
    const major = typeof item === 'string' ? 3 : 2;
    const bytes = typeof item === 'string' ? Buffer.from(item, 'utf8') : item;
    if (!pick()) return Buffer.concat([head(major, bytes.length, r), bytes]);
    // Indefinite: chunks cut anywhere (a character may span two).
    const parts: Buffer[] = [Buffer.of((major << 5) | 31)];
    let at = 0;
    while (at < bytes.length) {
      const n = Math.min(bytes.length - at, 1 + Math.floor(random() * 8));
      parts.push(head(major, n, r), bytes.subarray(at, at + n));
      at += n;
    }
    parts.push(Buffer.of(0xff));
    return Buffer.concat(parts);
  }
  if (Array.isArray(item)) {
    const inner = item.map((i) => encode(i, random, odd));
    return pick()
      ? Buffer.concat([Buffer.of(0x9f), ...inner, Buffer.of(0xff)])
      : Buffer.concat([head(4, item.length, r), ...inner]);
  }
  if ('raw' in item) return item.raw;
  if ('tag' in item) return Buffer.concat([head(6, item.tag, r), encode(item.item, random, odd)]);
  const inner = item.map.flatMap(([k, v]) => [encode(k, random, odd), encode(v, random, odd)]);
  return pick()
    ? Buffer.concat([Buffer.of(0xbf), ...inner, Buffer.of(0xff)])
    : Buffer.concat([head(5, item.map.length, r), ...inner]);
}

function shuffled<T>(items: T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Members that mean nothing to PutRecords readers, of every kind. */
function extraMember(random: Random): [Item, Item] {
  const extras: [Item, Item][] = [
    ['EncryptionType', 'KMS'],
    ['Extra', { map: [['a', [1, 2, { map: [] }]]] }],
    ['Bytes', Buffer.from([0, 255, 7])],
    [7, 'a number as the key'],
    ['Float', { raw: Buffer.from('fb3ff199999999999a', 'hex') }],
    ['Half', { raw: Buffer.from('f93c00', 'hex') }],
    ['Negative', { raw: Buffer.from('3903e7', 'hex') }],
    ['Simple', { raw: Buffer.from('f820', 'hex') }],
    ['Tagged', { tag: 1, item: 1363896240 }],
    ['Empty', ''],
    ['Nothing', null],
    ['Ünïcode', 'välue ✓'],
  ];
  return extras[Math.floor(random() * extras.length)]!;
}

/** One entry as Kinesis (or an odd server) might answer it. */
function entry(i: number, random: Random, odd: number): Item {
  const kind = random();
  let members: [Item, Item][];
  if (kind < 0.6) {
    members = [
      ['SequenceNumber', `${SEQUENCE}${i}`],
      ['ShardId', `shardId-00000000000${i % 4}`],
    ];
  } else if (kind < 0.85) {
    members = [
      ['ErrorCode', i % 2 === 0 ? 'ProvisionedThroughputExceededException' : 'InternalFailure'],
      ['ErrorMessage', `Rate exceeded for shard shardId-00000000000${i % 4} in stream s`],
    ];
  } else {
    // What servers write besides: nulls, numbers, a success without its shard, both kinds.
    const odds: [Item, Item][][] = [
      [
        ['ErrorCode', null],
        ['ErrorMessage', null],
        ['SequenceNumber', '1'],
        ['ShardId', 's'],
      ],
      [['SequenceNumber', `${SEQUENCE}`]],
      [
        ['SequenceNumber', 42],
        ['ShardId', 'shardId-000000000001'],
      ],
      [
        ['SequenceNumber', '2'],
        ['ShardId', 17],
      ],
      [
        ['SequenceNumber', '3'],
        ['ShardId', 'shardId-000000000002'],
        ['ErrorCode', 'InternalFailure'],
      ],
      [['ErrorMessage', 'no code']],
      [],
      [
        ['SequenceNumber', '4'],
        ['SequenceNumber', null],
      ],
      [
        ['ErrorCode', 'X'],
        ['ErrorCode', null],
        ['SequenceNumber', '5'],
      ],
      [
        ['ShardId', 'shardId-000000000003'],
        ['ShardId', 'shardId-000000000000'],
        ['SequenceNumber', '6'],
      ],
      [
        ['SequenceNumber', { tag: 0, item: '7' }],
        ['ShardId', { tag: 32, item: 'shardId-000000000001' }],
      ],
      [
        ['ErrorCode', { tag: 0, item: 'Tagged' }],
        ['ErrorMessage', 'tagged code'],
      ],
      [
        [['SequenceNumber'], '8'],
        [['ShardId'], 'array keys read as their String()'],
      ],
      [
        ['SequenceNumber', 'é9'],
        ['ShardId', 'shård'],
      ],
    ];
    members = odds[Math.floor(random() * odds.length)]!;
  }
  if (random() < odd) members.push(extraMember(random));
  if (random() < odd) members = shuffled(members, random);
  if (random() < odd / 10) {
    // Not a map: the careful reader sees no members, a failure.
    const others: Item[] = [null, 5, 'text', [1], Buffer.of(1)];
    return others[Math.floor(random() * others.length)]!;
  }
  if (random() < odd / 10) return { tag: 55799, item: { map: members } };
  return { map: members };
}

function answer(entries: number, random: Random, odd: number): Item {
  const records = Array.from({ length: entries }, (_, i) => entry(i, random, odd));
  let members: [Item, Item][] = [
    ['FailedRecordCount', 0],
    ['Records', records],
  ];
  if (random() < 0.5) members.push(['EncryptionType', 'NONE']);
  if (random() < odd) members.push(extraMember(random));
  if (random() < odd) members = shuffled(members, random);
  if (random() < odd / 10) members.unshift(['Records', ['an earlier Records member']]);
  return { map: members };
}

/** What the careful way reads, or the error it throws. */
function careful(body: Buffer): PutRecordsResults | Error {
  try {
    return resultsOfAnswer(decodeCbor(body));
  } catch (err) {
    return err as Error;
  }
}

function lazy(body: Buffer): PutRecordsResults | Error {
  try {
    return cborAnswerResults(body);
  } catch (err) {
    return err as Error;
  }
}

/** Fails unless both readings agree on everything the sink and its callers can ask. */
function expectSame(body: Buffer, what: string): void {
  const want = careful(body);
  const got = lazy(body);
  if (want instanceof Error || got instanceof Error) {
    expect(got, `${what}: error`).to.be.instanceOf(CborDecodeError);
    expect(want, `${what}: error`).to.be.instanceOf(CborDecodeError);
    expect((got as Error).message, what).to.equal((want as Error).message);
    return;
  }
  expect(got.length, `${what}: entries`).to.equal(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(got.ok(i), `${what}: entry ${i} ok`).to.equal(want.ok(i));
    expect(got.shardId(i), `${what}: entry ${i} shard`).to.equal(want.shardId(i));
    expect(got.at(i), `${what}: entry ${i}`).to.deep.equal(want.at(i));
    if (want.ok(i)) {
      expect(got.acked(i), `${what}: entry ${i} acked`).to.deep.equal(want.acked(i));
      expect(JSON.stringify(got.acked(i))).to.equal(JSON.stringify(want.acked(i)));
    }
  }
  expect(resultsArray(got)).to.deep.equal(resultsArray(want));
}

describe('cborAnswerResults (the lazy answer reader) against decodeCbor + entryResultOf', () => {
  it('reads what Kinesis answers: all stored, some failed, all failed', () => {
    const stored = (i: number) => ({ SequenceNumber: `${SEQUENCE}${i}`, ShardId: 'shardId-0' });
    const failed = { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' };
    const answers = [
      { FailedRecordCount: 0, Records: Array.from({ length: 500 }, (_, i) => stored(i)) },
      {
        FailedRecordCount: 2,
        Records: [stored(0), failed, stored(2), failed],
        EncryptionType: 'NONE',
      },
      { FailedRecordCount: 3, Records: [failed, failed, failed] },
      { FailedRecordCount: 0, Records: [] },
    ];
    for (const a of answers) {
      const body = cbor.encode(a);
      expectSame(body, JSON.stringify(a).slice(0, 60));
      const results = cborAnswerResults(body);
      expect(resultsArray(results)).to.deep.equal(a.Records.map(entryResultOf));
    }
  });

  it('agrees on answers in every encoding: indefinite lengths, head widths, key orders, extra and repeated keys, tags', () => {
    const random = seededRandom(15);
    for (let round = 0; round < 400; round++) {
      const odd = round < 20 ? 0 : random();
      const body = encode(answer(Math.floor(random() * 40), random, odd), random, odd);
      expectSame(body, `round ${round} (${body.toString('hex').slice(0, 40)}…)`);
    }
  });

  it('agrees on answers that are not the usual map', () => {
    const random = seededRandom(16);
    const odd: Item[] = [
      [1, 2],
      'text',
      { map: [] },
      { map: [['Records', 'not an array']] },
      { map: [['Records', { tag: 258, item: [{ map: [['SequenceNumber', '1']] }] }]] },
      {
        map: [
          ['Records', [{ map: [['SequenceNumber', '1']] }]],
          ['Records', null],
        ],
      },
      { map: [[['Records'], [{ map: [['SequenceNumber', '1']] }]]] },
      { tag: 55799, item: { map: [['Records', [{ map: [['SequenceNumber', '1']] }]]] } },
    ];
    for (const [i, item] of odd.entries()) {
      expectSame(encode(item, random, 0), `odd answer ${i}`);
      expectSame(encode(item, random, 1), `odd answer ${i}, odd encoding`);
    }
  });

  it('refuses what the careful decoder refuses, with the same error', () => {
    const random = seededRandom(17);
    const body = encode(answer(6, random, 0.5), random, 0.5);
    for (let length = 0; length < body.length; length++) {
      expectSame(body.subarray(0, length), `cut at ${length}`);
    }
    expectSame(Buffer.concat([body, Buffer.of(0)]), 'a byte after the answer');
    const bad: [string, Item][] = [
      ['a text that is not UTF-8', { raw: Buffer.from('62c328', 'hex') }],
      [
        'a longer text that is not UTF-8',
        { raw: Buffer.from('7818c328616161616161616161616161616161616161616161', 'hex') },
      ],
      ['a text cut short', { raw: Buffer.from('6ec328', 'hex') }],
      ['a break for a value', { raw: Buffer.from('ff', 'hex') }],
    ];
    for (const [name, raw] of bad) {
      const members = (bytes: Item): Item => ({
        map: [['Records', [{ map: [['SequenceNumber', bytes]] }]]],
      });
      expectSame(encode(members(raw), random, 0), name);
      const keyed: Item = { map: [['Records', [{ map: [[raw, '1']] }]]] };
      expectSame(encode(keyed, random, 0), `${name}, as a key`);
      const sharded: Item = {
        map: [
          [
            'Records',
            [
              {
                map: [
                  ['SequenceNumber', '1'],
                  ['ShardId', raw],
                ],
              },
            ],
          ],
        ],
      };
      expectSame(encode(sharded, random, 0), `${name}, as a shard id`);
    }
    expectSame(Buffer.from('ff', 'hex'), 'a lone break');
    expectSame(Buffer.from('bfff', 'hex'), 'an empty indefinite map');
  });

  it('reads a sequence number only when asked, and keeps it once read', () => {
    const body = cbor.encode({
      FailedRecordCount: 0,
      Records: [{ SequenceNumber: SEQUENCE, ShardId: 'shardId-000000000000' }],
    });
    const acked = cborAnswerResults(body).acked(0);
    expect(acked).to.deep.equal({
      ok: true,
      shardId: 'shardId-000000000000',
      sequenceNumber: SEQUENCE,
    });
    body.fill(0);
    expect(acked.sequenceNumber).to.equal(SEQUENCE);
    expect(Object.keys(JSON.parse(JSON.stringify(acked)) as object)).to.deep.equal([
      'ok',
      'shardId',
      'sequenceNumber',
    ]);
  });

  it('refuses to give a stored result for a failed entry', () => {
    const body = cbor.encode({ Records: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'm' }] });
    expect(() => cborAnswerResults(body).acked(0)).to.throw(RangeError);
  });
});
