import { expect } from 'chai';
import { pick, seededRandom } from '@kinlog/core';
import { BodyPool } from '../../../src/sink/body-pool.js';
import { BASE64_CHUNK_BYTES, putRecordsBody } from '../../../src/sink/put-records-body.js';
import { SinkKeys } from '../../../src/sink/partition-key.js';
import type { PlainRun } from '../../../src/sink/held-record.js';
import { plainEntries } from '../../../src/sink/plain-run.js';
import { ODD_PARTITION_KEYS } from './support/odd-keys.js';

const KEYS = ODD_PARTITION_KEYS;

describe('putRecordsBody', () => {
  it('is the PutRecords JSON of its entries, for data of every length and any key', () => {
    const random = seededRandom(5);
    for (let round = 0; round < 200; round++) {
      const entries = Array.from({ length: 1 + Math.floor(random() * 20) }, () => ({
        data: Buffer.from(
          Array.from({ length: Math.floor(random() * 300) }, () => Math.floor(random() * 256)),
        ),
        partitionKey: pick(random, KEYS),
      }));
      const body = putRecordsBody('logs "prod"', entries);
      expect(JSON.parse(body.toString('utf8'))).to.deep.equal({
        StreamName: 'logs "prod"',
        Records: entries.map((e) => ({
          Data: e.data.toString('base64'),
          PartitionKey: e.partitionKey,
        })),
      });
    }
  });

  it('writes into a pooled buffer the same bytes as into a fresh one, whatever it held before', () => {
    const random = seededRandom(23);
    const pool = new BodyPool(1);
    for (let round = 0; round < 100; round++) {
      const entries = Array.from({ length: 1 + Math.floor(random() * 30) }, () => ({
        data: Buffer.from(
          Array.from({ length: Math.floor(random() * 5000) }, () => Math.floor(random() * 256)),
        ),
        partitionKey: pick(random, KEYS),
        ...(random() < 0.5 ? { explicitHashKey: String(Math.floor(random() * 1e15)) } : {}),
      }));
      const pooled = putRecordsBody('logs', entries, pool);
      expect(pooled.equals(putRecordsBody('logs', entries))).to.equal(true, `round ${round}`);
      // Scribbled over before it goes back: the next body must not depend on old contents.
      pooled.fill(0x41);
      pool.give(pooled);
    }
    expect(pool.freeCount).to.equal(1);
  });

  it('writes data longer than a base64 chunk as the base64 of the whole, at every boundary', () => {
    const random = seededRandom(11);
    const c = BASE64_CHUNK_BYTES;
    const lengths = [c - 1, c, c + 1, c + 2, 2 * c, 2 * c + 1, 3 * c - 2, 1 << 20, (1 << 20) + 1];
    for (const length of lengths) {
      const backing = Buffer.from(
        Array.from({ length: length + 7 }, () => Math.floor(random() * 256)),
      );
      // A view not at its buffer's start: chunks are taken of the view, not of its backing.
      const data = backing.subarray(3, 3 + length);
      const entries = [
        { data: Buffer.from('x'), partitionKey: 'a' },
        { data, partitionKey: 'caf\u00e9' },
        { data: Buffer.from('yz'), partitionKey: 'b' },
      ];
      const body = JSON.parse(putRecordsBody('s', entries).toString('utf8')) as {
        Records: { Data: string }[];
      };
      expect(body.Records.map((r) => r.Data)).to.deep.equal(
        entries.map((e) => e.data.toString('base64')),
        `data of ${length} bytes`,
      );
    }
  });

  it('takes plain Uint8Array data, views into larger buffers included', () => {
    const backing = Buffer.from('xx{"msg":"hi"}yy');
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 2, backing.length - 4);
    expect(putRecordsBody('s', [{ data: view, partitionKey: 'k' }]).toString()).to.equal(
      '{"StreamName":"s","Records":[{"Data":"eyJtc2ciOiJoaSJ9","PartitionKey":"k"}]}',
    );
    expect(putRecordsBody('s', []).toString()).to.equal('{"StreamName":"s","Records":[]}');
  });

  it('writes an ExplicitHashKey where an entry has one', () => {
    const ehk = ((1n << 128n) - 1n).toString();
    const entries = [
      { data: Buffer.from('a'), partitionKey: 'k1', explicitHashKey: ehk },
      { data: Buffer.from('b'), partitionKey: 'k2' },
      { data: Buffer.from('c'), partitionKey: 'k3', explicitHashKey: '0' },
    ];
    expect(JSON.parse(putRecordsBody('s', entries).toString())).to.deep.equal({
      StreamName: 's',
      Records: [
        { Data: 'YQ==', PartitionKey: 'k1', ExplicitHashKey: ehk },
        { Data: 'Yg==', PartitionKey: 'k2' },
        { Data: 'Yw==', PartitionKey: 'k3', ExplicitHashKey: '0' },
      ],
    });
  });

  it('writes runs of plain records byte for byte as their records one by one, between other entries', () => {
    const random = seededRandom(11);
    const keys = new SinkKeys();
    keys.reserve(30); // keys of one and of two base-36 digits
    for (let round = 0; round < 100; round++) {
      const entries: { data: Buffer; partitionKey: string; run?: PlainRun }[] = [];
      for (let e = 0; e < 1 + Math.floor(random() * 4); e++) {
        if (random() < 0.3) {
          entries.push({ data: Buffer.from('alone'), partitionKey: 'k' });
          continue;
        }
        const n = Math.floor(random() * 12);
        const lengths = Array.from({ length: n }, () =>
          random() < 0.05 ? BASE64_CHUNK_BYTES + 7 : Math.floor(random() * 200),
        );
        const block = Buffer.from(
          Array.from({ length: lengths.reduce((a, b) => a + b + 1, 0) }, () =>
            Math.floor(random() * 256),
          ),
        );
        const starts = new Uint32Array(n);
        const ends = new Uint32Array(n);
        let at = 0;
        lengths.forEach((l, i) => {
          starts[i] = at;
          ends[i] = at + l;
          at += l + 1;
        });
        const from = Math.floor(random() * (n + 1));
        const to = from + Math.floor(random() * (n - from + 1));
        const run = { block, starts, ends, keys, firstKey: keys.reserve(n), from, to };
        entries.push({ data: Buffer.alloc(0), partitionKey: '', run });
      }
      const body = putRecordsBody('logs', entries);
      expect(body.equals(putRecordsBody('logs', plainEntries(entries)))).to.equal(true);
      JSON.parse(body.toString('utf8'));
    }
  });
});
