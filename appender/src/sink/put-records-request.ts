import { WireContentTypes } from './wire-protocol.js';

/** The headers that make a request the awsJson 1.1 PutRecords operation (the body kinlog writes). */
const JSON_PUT_RECORDS_HEADERS = {
  'content-type': WireContentTypes.json,
  'x-amz-target': 'Kinesis_20131202.PutRecords',
} as const;

/**
 * Whether `request` is an HTTP request of the awsJson 1.1 PutRecords operation (header names in
 * any case), so a body of ours means the same to Kinesis as the SDK's.
 *
 * @example
 * ```ts
 * isJsonPutRecordsRequest({ headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'Kinesis_20131202.PutRecords' } }); // true
 * ```
 */
export function isJsonPutRecordsRequest(
  request: unknown,
): request is { headers: Record<string, string>; body: unknown } {
  if (typeof request !== 'object' || request === null) return false;
  const headers = (request as { headers?: unknown }).headers;
  if (typeof headers !== 'object' || headers === null) return false;
  const found: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) found[name.toLowerCase()] = value;
  return Object.entries(JSON_PUT_RECORDS_HEADERS).every(([name, expected]) => {
    const value = found[name];
    return typeof value === 'string' && value.startsWith(expected);
  });
}
