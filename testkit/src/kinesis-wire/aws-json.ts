import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeCborValue, encodeCborValue } from './aws-cbor.js';

/**
 * Wire constants of the Kinesis AWS JSON 1.1 protocol, the one `@aws-sdk/client-kinesis` v3
 * speaks (`AwsJson1_1Protocol`: `POST /`, `Content-Type: application/x-amz-json-1.1`,
 * `X-Amz-Target: Kinesis_20131202.<Operation>`).
 *
 * @example
 * ```ts
 * if (operationOf(req) === KinesisWire.OPERATIONS.PUT_RECORDS) handlePutRecords();
 * ```
 */
export const KinesisWire = {
  CONTENT_TYPE: 'application/x-amz-json-1.1',
  /** The same operations in CBOR (blobs as byte strings), as the AWS SDK for Java sends them. */
  CBOR_CONTENT_TYPE: 'application/x-amz-cbor-1.1',
  TARGET_PREFIX: 'Kinesis_20131202.',
  OPERATIONS: {
    PUT_RECORDS: 'PutRecords',
    PUT_RECORD: 'PutRecord',
    LIST_SHARDS: 'ListShards',
    DESCRIBE_STREAM: 'DescribeStream',
    DESCRIBE_STREAM_SUMMARY: 'DescribeStreamSummary',
  },
  /** Operation name used in statistics when `X-Amz-Target` is missing or foreign. */
  UNKNOWN_OPERATION: 'Unknown',
} as const;

/**
 * Error types answered by the test servers, spelled as AWS spells them in `__type`.
 *
 * @example
 * ```ts
 * expect(err.name).to.equal(AwsErrorTypes.SERVICE_UNAVAILABLE);
 * ```
 */
export const AwsErrorTypes = {
  INTERNAL_FAILURE: 'InternalFailure',
  SERVICE_UNAVAILABLE: 'ServiceUnavailable',
  THROUGHPUT: 'ProvisionedThroughputExceededException',
  LIMIT_EXCEEDED: 'LimitExceededException',
  UNKNOWN_OPERATION: 'UnknownOperationException',
  VALIDATION: 'ValidationException',
} as const;

/**
 * The operation named by `X-Amz-Target`, or {@link KinesisWire.UNKNOWN_OPERATION}.
 *
 * @example
 * ```ts
 * operationOf(req); // 'PutRecords'
 * ```
 */
export function operationOf(req: IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  if (typeof target !== 'string' || !target.startsWith(KinesisWire.TARGET_PREFIX)) {
    return KinesisWire.UNKNOWN_OPERATION;
  }
  return target.slice(KinesisWire.TARGET_PREFIX.length);
}

/**
 * Reads a whole request body.
 *
 * @example
 * ```ts
 * const body = await readBody(req);
 * ```
 */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/**
 * Answers with an AWS JSON body and the headers the SDK's JSON 1.1 protocol expects.
 *
 * @example
 * ```ts
 * sendAwsJson(res, 200, JSON.stringify({ Shards: [] }));
 * ```
 */
export function sendAwsJson(res: ServerResponse, statusCode: number, body: string | Buffer): void {
  res.writeHead(statusCode, {
    'content-type': KinesisWire.CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(body);
}

/**
 * The protocols a test server reads and answers in: a request's Content-Type picks it.
 *
 * @example
 * ```ts
 * const protocol = wireProtocolOf(req); // 'cbor' or 'json'
 * ```
 */
export const WireProtocols = { JSON: 'json', CBOR: 'cbor' } as const;
export type WireProtocol = (typeof WireProtocols)[keyof typeof WireProtocols];

/**
 * The protocol of a request: CBOR when its Content-Type says so, else JSON.
 *
 * @example
 * ```ts
 * if (requestProtocolOf(req) === WireProtocols.CBOR) decodeCborValue(body);
 * ```
 */
export function requestProtocolOf(req: IncomingMessage): WireProtocol {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return type === KinesisWire.CBOR_CONTENT_TYPE ? WireProtocols.CBOR : WireProtocols.JSON;
}

/**
 * A request body as an object, in its protocol (`{}` for anything else).
 *
 * @example
 * ```ts
 * const input = parseRequest(body, requestProtocolOf(req)); // { StreamName: 'logs', … }
 * ```
 */
export function parseRequest(body: Buffer, protocol: WireProtocol): Record<string, unknown> {
  try {
    const value: unknown =
      protocol === WireProtocols.CBOR ? decodeCborValue(body) : JSON.parse(body.toString());
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Answers `value` in `protocol` (JSON text is sent as given), with the headers the SDKs expect.
 *
 * @example
 * ```ts
 * sendAwsValue(res, 200, { Shards: [] }, WireProtocols.CBOR);
 * ```
 */
export function sendAwsValue(
  res: ServerResponse,
  statusCode: number,
  value: unknown,
  protocol: WireProtocol,
): void {
  if (protocol === WireProtocols.JSON) {
    return sendAwsJson(res, statusCode, typeof value === 'string' ? value : JSON.stringify(value));
  }
  sendAwsBody(
    res,
    statusCode,
    encodeCborValue(typeof value === 'string' ? JSON.parse(value) : value),
    protocol,
  );
}

/**
 * Answers with a body already encoded in `protocol`, headers and body in one `end`.
 *
 * @example
 * ```ts
 * sendAwsBody(res, 200, encodeCborValue({ Shards: [] }), WireProtocols.CBOR);
 * ```
 */
export function sendAwsBody(
  res: ServerResponse,
  statusCode: number,
  body: Buffer,
  protocol: WireProtocol,
): void {
  res.writeHead(statusCode, {
    'content-type':
      protocol === WireProtocols.CBOR ? KinesisWire.CBOR_CONTENT_TYPE : KinesisWire.CONTENT_TYPE,
    'content-length': body.length,
    'x-amzn-requestid': randomUUID(),
  });
  res.end(body);
}

/**
 * Answers with an AWS error, in JSON or (`protocol`) CBOR: `{"__type": type, "message": ...}`
 * plus `x-amzn-ErrorType`, so
 * the SDK raises an error whose `name` is `type` and whose `$metadata.httpStatusCode` is
 * `statusCode`.
 *
 * @example
 * ```ts
 * sendAwsError(res, 500, AwsErrorTypes.INTERNAL_FAILURE, 'Internal service failure.');
 * ```
 */
export function sendAwsError(
  res: ServerResponse,
  statusCode: number,
  type: string,
  message: string,
  protocol: WireProtocol = WireProtocols.JSON,
): void {
  const error = { __type: type, message };
  const cbor = protocol === WireProtocols.CBOR;
  const body = cbor ? encodeCborValue(error) : JSON.stringify(error);
  res.writeHead(statusCode, {
    'content-type': cbor ? KinesisWire.CBOR_CONTENT_TYPE : KinesisWire.CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
    'x-amzn-errortype': `${type}:`,
  });
  res.end(body);
}
