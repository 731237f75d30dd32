/**
 * Answers read in either protocol: the same result objects from CBOR and JSON, and CBOR error
 * bodies classified exactly as the JSON ones (core's classifyAwsError).
 */
import { expect } from 'chai';
import { classifyAwsError } from '@kinlog/core';
import {
  decodePutRecordsAnswer,
  putRecordsAnswerError,
  putRecordsAnswerResults,
} from '../../../src/sink/put-records-answer.js';
import { entryResultOf, resultsArray } from '../../../src/sink/put-records-results.js';
import { WireContentTypes } from '../../../src/sink/wire-protocol.js';
import { cborReference as cbor } from '../../support/cbor-reference.js';

const CBOR = { 'content-type': WireContentTypes.cbor, 'x-amzn-requestid': 'r-1' };
const JSON_HEADERS = { 'content-type': WireContentTypes.json, 'x-amzn-requestid': 'r-1' };

const ERRORS: [number, Record<string, unknown>, Record<string, string>][] = [
  [400, { __type: 'ProvisionedThroughputExceededException', message: 'Rate exceeded' }, {}],
  [400, { __type: 'com.amazonaws.kinesis#ResourceNotFoundException', message: 'no stream' }, {}],
  [400, { __type: 'LimitExceededException:http://x', Message: 'limit' }, {}],
  [400, { code: 'AccessDeniedException', message: 'no' }, {}],
  [403, {}, { 'x-amzn-errortype': 'UnrecognizedClientException:' }],
  [400, { __type: 'ValidationException', message: '1 validation error' }, {}],
  [500, { __type: 'InternalFailure' }, {}],
  [503, { __type: 'ServiceUnavailable', message: '' }, {}],
  [413, {}, {}],
];

describe('PutRecords answers in CBOR and JSON', () => {
  it('reads the same result objects from both', () => {
    const answer = {
      FailedRecordCount: 1,
      Records: [
        {
          SequenceNumber: '49600000000000000000000000000000000000000000000000000001',
          ShardId: 's-0',
        },
        { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' },
      ],
      EncryptionType: 'NONE',
    };
    const fromCbor = decodePutRecordsAnswer(200, CBOR, cbor.encode(answer), 'cbor');
    const fromJson = decodePutRecordsAnswer(
      200,
      JSON_HEADERS,
      Buffer.from(JSON.stringify(answer)),
      'cbor',
    );
    expect(fromCbor).to.deep.equal(answer);
    expect(fromJson).to.deep.equal(answer);
    // No Content-Type: read as asked.
    expect(decodePutRecordsAnswer(200, {}, cbor.encode(answer), 'cbor')).to.deep.equal(answer);
  });

  it('gives the same results from both, a CBOR answer read lazily', () => {
    const answer = {
      FailedRecordCount: 1,
      Records: [
        {
          SequenceNumber: '49600000000000000000000000000000000000000000000000000001',
          ShardId: 's-0',
        },
        { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal service failure.' },
      ],
    };
    const json = Buffer.from(JSON.stringify(answer));
    const fromCbor = putRecordsAnswerResults(200, CBOR, cbor.encode(answer), 'cbor');
    const fromJson = putRecordsAnswerResults(200, JSON_HEADERS, json, 'cbor');
    const expected = answer.Records.map(entryResultOf);
    expect(resultsArray(fromCbor)).to.deep.equal(expected);
    expect(resultsArray(fromJson)).to.deep.equal(expected);
    expect([fromCbor.ok(0), fromCbor.ok(1), fromCbor.shardId(0)]).to.deep.equal([
      true,
      false,
      's-0',
    ]);
    // A body that is not what it says it is: the same error both ways.
    for (const [headers, body] of [
      [CBOR, Buffer.from('ff', 'hex')],
      [JSON_HEADERS, Buffer.from('{')],
    ] as const) {
      expect(() => putRecordsAnswerResults(200, headers, body, 'cbor'))
        .to.throw()
        .with.property('name', 'SyntaxError');
    }
  });

  it('classifies every CBOR error body exactly as the same JSON body', () => {
    for (const [status, body, headers] of ERRORS) {
      const fromCbor = putRecordsAnswerError(
        status,
        { ...CBOR, ...headers },
        Object.keys(body).length === 0 && status === 413 ? Buffer.alloc(0) : cbor.encode(body),
        'cbor',
      );
      const fromJson = putRecordsAnswerError(
        status,
        { ...JSON_HEADERS, ...headers },
        Object.keys(body).length === 0 && status === 413
          ? Buffer.alloc(0)
          : Buffer.from(JSON.stringify(body)),
        'json',
      );
      expect([fromCbor.name, fromCbor.message]).to.deep.equal([fromJson.name, fromJson.message]);
      expect(classifyAwsError(fromCbor)).to.deep.equal(classifyAwsError(fromJson), fromJson.name);
    }
  });

  it('reads a JSON error answer to a CBOR request by its Content-Type', () => {
    const err = putRecordsAnswerError(
      400,
      JSON_HEADERS,
      Buffer.from('{"__type":"ProvisionedThroughputExceededException","message":"slow"}'),
      'cbor',
    );
    expect(classifyAwsError(err).kind).to.equal('throttled');
  });

  it('turns an undecodable answer into a SyntaxError, classified as the JSON one is', () => {
    const cut = cbor.encode({ FailedRecordCount: 0, Records: [] }).subarray(0, 5);
    let fromCbor: unknown;
    try {
      decodePutRecordsAnswer(200, CBOR, cut, 'cbor');
    } catch (err) {
      fromCbor = err;
    }
    let fromJson: unknown;
    try {
      decodePutRecordsAnswer(200, JSON_HEADERS, Buffer.from('{"FailedRecordCount":'), 'json');
    } catch (err) {
      fromJson = err;
    }
    expect(fromCbor).to.have.property('name', 'SyntaxError');
    expect((fromCbor as Error).message).to.match(/answer is not CBOR: invalid CBOR at byte/);
    expect(classifyAwsError(fromCbor)).to.deep.include({
      kind: classifyAwsError(fromJson).kind,
      retryable: classifyAwsError(fromJson).retryable,
    });
    const errorCut = putRecordsAnswerError(500, CBOR, cut, 'cbor');
    expect(errorCut.name).to.equal('SyntaxError');
    expect(classifyAwsError(errorCut).retryable).to.equal(true);
  });
});
