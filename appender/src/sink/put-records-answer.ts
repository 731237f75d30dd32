/*
 * A PutRecords answer as kinlog reads it, in either wire protocol:
 *
 *   status < 300 ─▶ Content-Type cbor? ─▶ decodeCbor │ json? ─▶ JSON.parse │ neither: as asked
 *                   (the sink's results: cbor ─▶ cborAnswerResults, read lazily)
 *   status ≥ 300 ─▶ the same decoding ─▶ awsErrorOf (named as the SDK names JSON errors)
 *
 * The answer's own Content-Type decides, so an endpoint that answers JSON to a CBOR request (a
 * proxy, an emulator) is still read; the protocol asked in only decides for an answer without
 * one. Both decodings give the same plain objects (`{ FailedRecordCount, Records: [...] }`), and
 * the same results.
 */
import { AwsHttpError, awsErrorOf, awsJsonError, type AnswerHeaders } from '@kinlog/core';
import { cborAnswerResults } from './cbor-answer-results.js';
import { decodeCbor } from './cbor-decode.js';
import { resultsOfAnswer, type PutRecordsResults } from './put-records-results.js';
import { WireProtocol, wireProtocolOf } from './wire-protocol.js';

/**
 * The decoded body of a successful (2xx) answer; throws an {@link AwsHttpError} named
 * `SyntaxError` for a body that is not what it says it is.
 *
 * @example
 * ```ts
 * decodePutRecordsAnswer(200, { 'content-type': 'application/x-amz-cbor-1.1' }, body, 'cbor');
 * // { FailedRecordCount: 0, Records: [{ SequenceNumber: '4960…', ShardId: 'shardId-000000000000' }] }
 * ```
 */
export function decodePutRecordsAnswer(
  status: number,
  headers: AnswerHeaders,
  body: Buffer,
  asked: WireProtocol,
): unknown {
  return answerProtocol(headers, asked) === WireProtocol.CBOR
    ? decodedAs(status, 'CBOR', () => decodeCbor(body))
    : decodedAs(status, 'JSON', (): unknown => JSON.parse(body.toString('utf8')));
}

/**
 * The entries' results of a successful (2xx) answer: a CBOR answer read lazily (sequence numbers
 * decoded only when asked), a JSON one parsed; throws as {@link decodePutRecordsAnswer} does.
 *
 * @example
 * ```ts
 * const results = putRecordsAnswerResults(200, headers, body, 'cbor');
 * results.ok(0); // true
 * ```
 */
export function putRecordsAnswerResults(
  status: number,
  headers: AnswerHeaders,
  body: Buffer,
  asked: WireProtocol,
): PutRecordsResults {
  return answerProtocol(headers, asked) === WireProtocol.CBOR
    ? decodedAs(status, 'CBOR', () => cborAnswerResults(body))
    : resultsOfAnswer(decodePutRecordsAnswer(status, headers, body, asked));
}

/**
 * The error an answer with status ≥ 300 stands for, in whichever protocol it came: a CBOR body
 * (`{ __type, message }`) names the same error as the JSON one.
 *
 * @example
 * ```ts
 * putRecordsAnswerError(400, cborHeaders, cborBody, 'cbor').name; // 'ProvisionedThroughputExceededException'
 * ```
 */
export function putRecordsAnswerError(
  status: number,
  headers: AnswerHeaders,
  body: Buffer,
  asked: WireProtocol,
): Error {
  if (answerProtocol(headers, asked) !== WireProtocol.CBOR) {
    return awsJsonError(status, headers, body);
  }
  if (body.length === 0) return awsErrorOf(status, headers, {});
  let decoded: unknown;
  try {
    decoded = decodeCbor(body);
  } catch (err) {
    return notDecodable(status, 'CBOR', err);
  }
  return awsErrorOf(status, headers, decoded);
}

function answerProtocol(headers: AnswerHeaders, asked: WireProtocol): WireProtocol {
  const contentType = headers['content-type'];
  return wireProtocolOf(Array.isArray(contentType) ? contentType[0] : contentType) ?? asked;
}

/** What `decode` makes of an answer's body; an answer that is not in `protocol` throws. */
function decodedAs<T>(status: number, protocol: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    throw notDecodable(status, protocol, err);
  }
}

function notDecodable(status: number, protocol: string, err: unknown): AwsHttpError {
  const reason = err instanceof Error ? err.message : String(err);
  return new AwsHttpError('SyntaxError', `answer is not ${protocol}: ${reason}`, status);
}
