import { Readable } from 'node:stream';
import { expect } from 'chai';
import {
  entryResultOf,
  isJsonPutRecordsRequest,
  takePutRecordsAnswer,
} from '../../../src/sink/put-records-client.js';

describe('isJsonPutRecordsRequest', () => {
  const headers = {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'Kinesis_20131202.PutRecords',
  };

  it('recognizes the awsJson 1.1 PutRecords request, header names in any case', () => {
    expect(isJsonPutRecordsRequest({ headers, body: '{}' })).to.equal(true);
    expect(
      isJsonPutRecordsRequest({
        headers: {
          'Content-Type': headers['content-type'],
          'X-Amz-Target': headers['x-amz-target'],
        },
      }),
    ).to.equal(true);
  });

  it('refuses anything else: another protocol, another operation, no headers', () => {
    expect(
      isJsonPutRecordsRequest({ headers: { ...headers, 'content-type': 'application/cbor' } }),
    ).to.equal(false);
    expect(
      isJsonPutRecordsRequest({
        headers: { ...headers, 'x-amz-target': 'Kinesis_20131202.PutRecord' },
      }),
    ).to.equal(false);
    expect(isJsonPutRecordsRequest({})).to.equal(false);
    expect(isJsonPutRecordsRequest(undefined)).to.equal(false);
  });
});

describe('takePutRecordsAnswer', () => {
  const answer = {
    FailedRecordCount: 1,
    Records: [
      { SequenceNumber: '4960001', ShardId: 'shardId-000000000000' },
      { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' },
    ],
  };
  // What the SDK's body collector accepts: bytes as they are, or a stream of chunks.
  const bodyText = async (body: unknown): Promise<string> => {
    if (body instanceof Uint8Array) return Buffer.from(body).toString();
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString();
  };

  it('reads the entries of a 200 answer, per entry errors included, and leaves the SDK an empty one', async () => {
    const text = JSON.stringify(answer);
    const response = { statusCode: 200, body: Readable.from([text.slice(0, 20), text.slice(20)]) };
    expect(await takePutRecordsAnswer(response)).to.deep.equal(answer.Records);
    expect(JSON.parse(await bodyText(response.body))).to.deep.equal({
      FailedRecordCount: 0,
      Records: [],
    });
  });

  it('reads a null error member as absent, as the SDK does', async () => {
    const text =
      '{"FailedRecordCount":0,"Records":[{"ErrorCode":null,"ErrorMessage":null,"SequenceNumber":"1","ShardId":"s"},7]}';
    const response = { statusCode: 200, body: Readable.from([text]) };
    expect(await takePutRecordsAnswer(response)).to.deep.equal([
      { SequenceNumber: '1', ShardId: 's' },
      {},
    ]);
  });

  it('answers undefined for an answer without entries, so the request counts as failed', async () => {
    const response = { statusCode: 200, body: Readable.from(['{"Records":"x"}']) };
    expect(await takePutRecordsAnswer(response)).to.equal(undefined);
    expect(await takePutRecordsAnswer(undefined)).to.equal(undefined);
  });
});

describe('entryResultOf', () => {
  it('reads an answered entry as a success or a failure by its string members', () => {
    expect(entryResultOf({ SequenceNumber: '1', ShardId: 's', ErrorCode: null })).to.deep.equal({
      ok: true,
      shardId: 's',
      sequenceNumber: '1',
    });
    expect(
      entryResultOf({ ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow' }),
    ).to.deep.equal({
      ok: false,
      errorCode: 'ProvisionedThroughputExceededException',
      errorMessage: 'slow',
    });
    expect(entryResultOf(7)).to.deep.equal({
      ok: false,
      errorCode: 'InternalFailure',
      errorMessage: '',
    });
  });
});
