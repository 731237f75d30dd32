import { expect } from 'chai';
import { pick, seededRandom } from '@kinlog/core';
import { putRecordsBody } from '../../../src/sink/put-records-body.js';

const KEYS = [
  'a',
  'user-42',
  'quote"back\\slash',
  'tab\tnew\nline',
  'caf\u00e9',
  '\u{1f4a5}',
  '\u0000\u001f',
  'x'.repeat(256),
];

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
});
