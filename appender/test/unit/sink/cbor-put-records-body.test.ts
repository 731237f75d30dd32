/**
 * The CBOR PutRecords body, read back by an independent decoder (the `cbor` package, the one
 * kinesalite reads requests with) and held to the meaning of the JSON body of the same entries.
 */
import { expect } from 'chai';
import { cborReference as cbor } from '../../support/cbor-reference.js';
import { KplAggregateBuilder, pick, seededRandom } from '@kinlog/core';
import { BodyPool } from '../../../src/sink/body-pool.js';
import { cborPutRecordsBody } from '../../../src/sink/cbor-put-records-body.js';
import { putRecordsBody, type PutRecordsBodyEntry } from '../../../src/sink/put-records-body.js';
import { SinkKeys } from '../../../src/sink/partition-key.js';
import type { PlainRun } from '../../../src/sink/held-record.js';
import { ODD_PARTITION_KEYS } from './support/odd-keys.js';

// Around the CBOR head widths too: 23 bytes fit the initial byte, 24 take one more.
const KEYS = [...ODD_PARTITION_KEYS, 'x'.repeat(23), 'y'.repeat(24)];

interface Meaning {
  StreamName: string;
  Records: { Data: string; PartitionKey: string; ExplicitHashKey?: string }[];
}

/** The CBOR body as the JSON body would say it (Data as base64), via an independent decoder. */
function cborMeaning(body: Buffer): Meaning {
  const decoded = cbor.decodeFirstSync(body) as {
    StreamName: string;
    Records: { Data: Buffer; PartitionKey: string; ExplicitHashKey?: string }[];
  };
  expect(Object.keys(decoded)).to.deep.equal(['StreamName', 'Records']);
  return {
    StreamName: decoded.StreamName,
    Records: decoded.Records.map((r) => {
      expect(Buffer.isBuffer(r.Data), 'Data is a byte string').to.equal(true);
      return { ...r, Data: r.Data.toString('base64') };
    }),
  };
}

function jsonMeaning(body: Buffer): Meaning {
  return JSON.parse(body.toString('utf8')) as Meaning;
}

function randomBytes(random: () => number, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
}

/** A run over a fresh block of records of the given lengths, `[from, to)` of them. */
function runOf(
  random: () => number,
  keys: SinkKeys,
  lengths: number[],
  from = 0,
  to = lengths.length,
): PlainRun {
  const block = randomBytes(
    random,
    lengths.reduce((a, b) => a + b + 1, 0),
  );
  const starts = new Uint32Array(lengths.length);
  const ends = new Uint32Array(lengths.length);
  let at = 0;
  lengths.forEach((l, i) => {
    starts[i] = at;
    ends[i] = at + l;
    at += l + 1;
  });
  return { block, starts, ends, keys, firstKey: keys.reserve(lengths.length), from, to };
}

describe('cborPutRecordsBody', () => {
  it('means what the JSON body means, for data of every length and any key', () => {
    const random = seededRandom(5);
    for (let round = 0; round < 200; round++) {
      const entries: PutRecordsBodyEntry[] = Array.from(
        { length: 1 + Math.floor(random() * 30) },
        () => ({
          data: randomBytes(random, Math.floor(random() * 300)),
          partitionKey: pick(random, KEYS),
          ...(random() < 0.3 ? { explicitHashKey: String(Math.floor(random() * 1e15)) } : {}),
        }),
      );
      const body = cborPutRecordsBody('logs-\u00e9', entries);
      expect(cborMeaning(body)).to.deep.equal(jsonMeaning(putRecordsBody('logs-\u00e9', entries)));
    }
  });

  it('writes 0-byte and 1 MiB records, and lengths at every head width', () => {
    const random = seededRandom(7);
    const lengths = [0, 1, 23, 24, 255, 256, 65_535, 65_536, 1 << 20];
    const entries = lengths.map((length) => ({
      data: randomBytes(random, length),
      partitionKey: 'k',
    }));
    const body = cborPutRecordsBody('s', entries);
    const decoded = cbor.decodeFirstSync(body) as { Records: { Data: Buffer }[] };
    expect(decoded.Records.map((r) => r.Data.length)).to.deep.equal(lengths);
    decoded.Records.forEach((r, i) => expect(r.Data.equals(entries[i]!.data)).to.equal(true));
    // Raw bytes: the body is the data plus a few bytes a record, not 4/3 of it.
    const data = lengths.reduce((a, b) => a + b, 0);
    expect(body.length).to.be.lessThan(data + 40 * lengths.length);
  });

  it('writes 500 records (an array head of two bytes) and none', () => {
    const entries = Array.from({ length: 500 }, (_, i) => ({
      data: Buffer.from(`line ${i}`),
      partitionKey: String(i),
    }));
    expect(cborMeaning(cborPutRecordsBody('s', entries))).to.deep.equal(
      jsonMeaning(putRecordsBody('s', entries)),
    );
    expect(cbor.decodeFirstSync(cborPutRecordsBody('s', []))).to.deep.equal({
      StreamName: 's',
      Records: [],
    });
  });

  it('copies a KPL aggregate byte for byte', () => {
    const builder = new KplAggregateBuilder();
    for (let i = 0; i < 100; i++) builder.add(`key-${i % 7}`, Buffer.from(`{"n":${i}}`));
    const aggregate = builder.build();
    const entries = [{ data: aggregate, partitionKey: 'key-0', explicitHashKey: '12345' }];
    const decoded = cbor.decodeFirstSync(cborPutRecordsBody('s', entries)) as {
      Records: { Data: Buffer; ExplicitHashKey: string }[];
    };
    expect(decoded.Records[0]!.Data.equals(aggregate)).to.equal(true);
    expect(decoded.Records[0]!.ExplicitHashKey).to.equal('12345');
  });

  it('takes plain Uint8Array data, views into larger buffers included', () => {
    const backing = Buffer.from('xx{"msg":"hi"}yy');
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 2, backing.length - 4);
    const decoded = cbor.decodeFirstSync(
      cborPutRecordsBody('s', [{ data: view, partitionKey: 'k' }]),
    ) as { Records: { Data: Buffer }[] };
    expect(decoded.Records[0]!.Data.toString()).to.equal('{"msg":"hi"}');
  });

  it('writes runs of plain records as their records one by one, keys of every digit count', () => {
    const random = seededRandom(11);
    const keys = new SinkKeys();
    // Keys numbered past 36, 36², 36³: one to four base-36 digits.
    keys.reserve(36 ** 3 - 40);
    for (let round = 0; round < 100; round++) {
      const entries: PutRecordsBodyEntry[] = [];
      for (let e = 0; e < 1 + Math.floor(random() * 4); e++) {
        if (random() < 0.3) {
          entries.push({ data: Buffer.from('alone'), partitionKey: pick(random, KEYS) });
          continue;
        }
        const n = Math.floor(random() * 40);
        const lengths = Array.from({ length: n }, () =>
          random() < 0.05 ? 70_000 : Math.floor(random() * 200),
        );
        const from = Math.floor(random() * (n + 1));
        const to = from + Math.floor(random() * (n - from + 1));
        entries.push({
          data: Buffer.alloc(0),
          partitionKey: '',
          run: runOf(random, keys, lengths, from, to),
        });
      }
      expect(cborMeaning(cborPutRecordsBody('logs', entries))).to.deep.equal(
        jsonMeaning(putRecordsBody('logs', entries)),
        `round ${round}`,
      );
    }
  });

  it('writes into a pooled buffer the same bytes as into a fresh one, whatever it held before', () => {
    const random = seededRandom(23);
    const pool = new BodyPool(1);
    const keys = new SinkKeys();
    for (let round = 0; round < 50; round++) {
      const entries: PutRecordsBodyEntry[] = [
        {
          data: randomBytes(random, Math.floor(random() * 5000)),
          partitionKey: pick(random, KEYS),
        },
        {
          data: Buffer.alloc(0),
          partitionKey: '',
          run: runOf(random, keys, [3, 0, 17, 250]),
        },
      ];
      const pooled = cborPutRecordsBody('logs', entries, pool);
      expect(pooled.equals(cborPutRecordsBody('logs', entries))).to.equal(true, `round ${round}`);
      pooled.fill(0x41);
      pool.give(pooled);
    }
    expect(pool.freeCount).to.equal(1);
  });
});
