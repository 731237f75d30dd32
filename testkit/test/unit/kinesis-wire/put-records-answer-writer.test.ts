import { describe, it } from 'mocha';
import { expect } from 'chai';
import {
  PutRecordsAnswerWriter,
  sequenceNumberText,
} from '../../../src/kinesis-wire/put-records-answer-writer.js';
import { decodeCborValue, encodeCborValue } from '../../../src/kinesis-wire/aws-cbor.js';
import { WireProtocols, type WireProtocol } from '../../../src/kinesis-wire/aws-json.js';
import { shardIdOf } from '../../../src/kinesis-wire/hash-key-ranges.js';

const LAYOUT = { prefix: '4960', digits: 52 } as const;
const SHARDS = [0, 1, 2, 3].map(shardIdOf);

interface Entry {
  shard: number;
  /** Sequence number; undefined: the entry failed. */
  n?: number;
}

/** An answer plan: shards in turn, every `failEvery`-th entry failed, numbers from `first`. */
function planOf(count: number, failEvery: number, first: number): Entry[] {
  let n = first;
  let turn = 0;
  return Array.from({ length: count }, (_, i) => {
    if (failEvery > 0 && i % failEvery === failEvery - 1) return { shard: turn };
    const entry = { shard: turn, n: n++ };
    turn = (turn + 1) % SHARDS.length;
    return entry;
  });
}

/** The answer as the endpoint made it before its writer: JSON text, re-encoded for CBOR. */
function genericAnswer(plan: readonly Entry[], protocol: WireProtocol): Buffer {
  const entries = plan.map(({ shard, n }) =>
    n === undefined
      ? `{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded for shard ${SHARDS[shard]} in the null endpoint."}`
      : `{"SequenceNumber":"${LAYOUT.prefix}${String(n).padStart(LAYOUT.digits, '0')}","ShardId":"${SHARDS[shard]}"}`,
  );
  const failed = plan.filter((e) => e.n === undefined).length;
  const text = `{"FailedRecordCount":${failed},"Records":[${entries.join(',')}]}`;
  return protocol === WireProtocols.JSON
    ? Buffer.from(text)
    : encodeCborValue(JSON.parse(text) as unknown);
}

function written(writer: PutRecordsAnswerWriter, plan: readonly Entry[]): Buffer {
  writer.begin(plan.length);
  for (const { shard, n } of plan) {
    if (n === undefined) writer.fail(shard);
    else writer.ok(shard, n);
  }
  // A copy: the next answer gets a buffer of its own, but the test must not depend on it.
  return Buffer.from(writer.end());
}

const decode = (body: Buffer, protocol: WireProtocol): unknown =>
  protocol === WireProtocols.JSON ? JSON.parse(body.toString()) : decodeCborValue(body);

describe('PutRecordsAnswerWriter', () => {
  for (const protocol of [WireProtocols.JSON, WireProtocols.CBOR]) {
    describe(protocol, () => {
      const cases = [
        { count: 1, failEvery: 0, first: 1 },
        { count: 1, failEvery: 1, first: 1 },
        { count: 500, failEvery: 0, first: 1 },
        { count: 500, failEvery: 10, first: 99_995 },
        { count: 500, failEvery: 2, first: 7 },
        { count: 500, failEvery: 1, first: 1 },
        { count: 23, failEvery: 3, first: 2 ** 50 },
        { count: 24, failEvery: 0, first: Number.MAX_SAFE_INTEGER - 24 },
      ];
      for (const { count, failEvery, first } of cases) {
        it(`answers ${count} entries (${failEvery === 0 ? 'none' : `1 in ${failEvery}`} failed, numbers from ${first}) as the generic encoder does`, () => {
          const writer = new PutRecordsAnswerWriter(SHARDS, protocol, LAYOUT);
          const plan = planOf(count, failEvery, first);
          const body = written(writer, plan);
          const generic = genericAnswer(plan, protocol);
          expect(decode(body, protocol)).to.deep.equal(decode(generic, protocol));
          expect(body.equals(generic)).to.equal(true);
        });
      }

      it('writes unique, increasing 56-digit sequence numbers and the shard ids', () => {
        const writer = new PutRecordsAnswerWriter(SHARDS, protocol, LAYOUT);
        const answer = decode(written(writer, planOf(500, 7, 123_456)), protocol) as {
          FailedRecordCount: number;
          Records: { SequenceNumber?: string; ShardId?: string; ErrorCode?: string }[];
        };
        const numbers = answer.Records.flatMap((r) => r.SequenceNumber ?? []);
        expect(answer.FailedRecordCount).to.equal(71);
        expect(numbers).to.have.length(500 - 71);
        expect(numbers.every((s) => /^4960\d{52}$/.test(s))).to.equal(true);
        for (let i = 1; i < numbers.length; i++) {
          expect(BigInt(numbers[i]!) > BigInt(numbers[i - 1]!)).to.equal(true);
        }
        expect(numbers[0]).to.equal(sequenceNumberText('4960', 52, 123_456));
        expect(answer.Records[0]!.ShardId).to.equal('shardId-000000000000');
        expect(answer.Records[5]!.ShardId).to.equal('shardId-000000000001');
      });

      it('gives each answer a buffer of its own', () => {
        const writer = new PutRecordsAnswerWriter(SHARDS, protocol, LAYOUT);
        writer.begin(1);
        writer.ok(0, 1);
        const first = writer.end();
        const copy = Buffer.from(first);
        writer.begin(1);
        writer.fail(3);
        writer.end();
        expect(first.equals(copy)).to.equal(true);
      });

      it('refuses an answer with more or fewer entries than begun', () => {
        const writer = new PutRecordsAnswerWriter(SHARDS, protocol, LAYOUT);
        writer.begin(2);
        writer.ok(0, 1);
        expect(() => writer.end()).to.throw(RangeError, /2 entries, got 1/);
        writer.begin(1);
        writer.ok(0, 1);
        expect(() => writer.fail(0)).to.throw(RangeError, /1 entries/);
      });
    });
  }

  it('refuses a layout with too few counter digits for a safe integer', () => {
    expect(
      () => new PutRecordsAnswerWriter(SHARDS, WireProtocols.JSON, { prefix: '49', digits: 10 }),
    ).to.throw(RangeError, /16 counter digits/);
  });
});
