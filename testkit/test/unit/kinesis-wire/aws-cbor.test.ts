import { describe, it } from 'mocha';
import { expect } from 'chai';
import {
  CborWireError,
  cborRecordCount,
  decodeCborValue,
  encodeCborValue,
} from '../../../src/kinesis-wire/aws-cbor.js';

const hex = (text: string): Buffer => Buffer.from(text, 'hex');

describe('aws-cbor', () => {
  it('round-trips answers: maps, arrays, text, bytes, integers of every width, doubles, null', () => {
    const value = {
      FailedRecordCount: 0,
      Records: [{ SequenceNumber: '4960', ShardId: 'shardId-000000000000' }],
      Data: Buffer.from([0, 1, 255]),
      numbers: [0, 23, 24, 255, 256, 65_535, 65_536, 2 ** 32, -1, -1000, 1.5],
      text: 'caf\u00e9 \u{1f4a5}'.repeat(20),
      flags: [true, false, null],
    };
    expect(decodeCborValue(encodeCborValue(value))).to.deep.equal(value);
    // Members that are undefined are left out, as JSON.stringify leaves them out.
    expect(decodeCborValue(encodeCborValue({ a: 1, b: undefined }))).to.deep.equal({ a: 1 });
  });

  it('reads indefinite lengths, tags and half floats', () => {
    expect(decodeCborValue(hex('bf61619f0102ff6162c11a514b67b0ff'))).to.deep.equal({
      a: [1, 2],
      b: 1363896240,
    });
    expect(decodeCborValue(hex('7f657374726561646d696e67ff'))).to.equal('streaming');
    expect(decodeCborValue(hex('f93e00'))).to.equal(1.5);
  });

  it('counts the entries of a PutRecords body from the head of its Records', () => {
    const records = Array.from({ length: 500 }, (_, i) => ({
      Data: Buffer.from(`Records ${i}`),
      PartitionKey: 'k',
    }));
    expect(cborRecordCount(encodeCborValue({ StreamName: 's', Records: records }))).to.equal(500);
    expect(cborRecordCount(encodeCborValue({ Records: [], StreamName: 's' }))).to.equal(0);
    // Indefinite map and array: counted item by item.
    expect(cborRecordCount(hex('bf675265636f7264739f0102ffff'))).to.equal(2);
    expect(cborRecordCount(encodeCborValue({ StreamName: 's' }))).to.equal(undefined);
    expect(cborRecordCount(encodeCborValue([1]))).to.equal(undefined);
  });

  it('refuses truncated input', () => {
    expect(() => decodeCborValue(hex('83010203').subarray(0, 3))).to.throw(CborWireError);
    expect(() => decodeCborValue(hex('6449'))).to.throw(CborWireError);
  });
});
