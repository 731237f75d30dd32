import { expect } from 'chai';
import { recordsPageOf } from '../../../src/stream/records-page-of.js';

describe('recordsPageOf', () => {
  it('reads records as the SDK does: base64 data, arrival rounded to the millisecond, partition key', () => {
    const page = recordsPageOf({
      Records: [
        {
          SequenceNumber: '49601',
          Data: Buffer.from([0, 255, 120]).toString('base64'),
          ApproximateArrivalTimestamp: 1714521600.1234,
          PartitionKey: 'k',
        },
        { SequenceNumber: '49602', Data: '', ApproximateArrivalTimestamp: '1714521601.5' },
      ],
      NextShardIterator: 'AAA',
      MillisBehindLatest: 42,
    });
    expect(page).to.deep.equal({
      records: [
        {
          sequenceNumber: '49601',
          data: Buffer.from([0, 255, 120]),
          arrivalMs: 1714521600123,
          partitionKey: 'k',
        },
        {
          sequenceNumber: '49602',
          data: Buffer.alloc(0),
          arrivalMs: 1714521601500,
          partitionKey: undefined,
        },
      ],
      nextIterator: 'AAA',
      millisBehindLatest: 42,
    });
  });

  it('reads null members as absent, and skips records it cannot use', () => {
    const page = recordsPageOf({
      Records: [
        {
          SequenceNumber: '1',
          Data: 'eA==',
          ApproximateArrivalTimestamp: null,
          EncryptionType: null,
        },
        { SequenceNumber: '2' },
        { Data: 'eA==' },
        null,
        7,
      ],
      NextShardIterator: null,
      MillisBehindLatest: null,
    });
    expect(page?.records).to.have.length(1);
    expect(page?.records[0]?.arrivalMs).to.be.NaN;
    // A closed shard read to its end: no next iterator.
    expect(page?.nextIterator).to.equal(undefined);
    expect(page?.millisBehindLatest).to.equal(undefined);
  });

  it('is undefined for anything that is not a GetRecords answer', () => {
    for (const answer of [undefined, null, 'x', {}, { Records: 'x' }]) {
      expect(recordsPageOf(answer), JSON.stringify(answer)).to.equal(undefined);
    }
  });
});
