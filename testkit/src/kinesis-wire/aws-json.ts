import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

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
 * Answers with an AWS JSON error: `{"__type": type, "message": ...}` plus `x-amzn-ErrorType`, so
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
): void {
  const body = JSON.stringify({ __type: type, message });
  res.writeHead(statusCode, {
    'content-type': KinesisWire.CONTENT_TYPE,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
    'x-amzn-errortype': `${type}:`,
  });
  res.end(body);
}
