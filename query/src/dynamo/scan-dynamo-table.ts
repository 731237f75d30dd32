/*
 * The only file of the query package that calls DynamoDB: a paginated Scan, each item turned
 * into plain values (S → text, N → number, BOOL, NULL, M → object, L/SS/NS → arrays, B → base64).
 * Each page's call is bounded by the request timeout (answer read included), ended by `signal`,
 * read by core's classifier and retried with core's backoff within the retry budget.
 */
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  AwsClientDefaults,
  AwsErrorKinds,
  awsClientConfig,
  classifyAwsError,
  retryBudgetMs,
  retryWithBackoff,
  withRequestDeadline,
  type AwsConnectionOptions,
} from '@kinlog/core';
import { DynamoScanError, LoadLimitError } from '../errors.js';

/** Bounds of a table scan. */
export const DynamoScanLimits = {
  /** Items of one table brought into a query (a lookup table, not a fact table). */
  MAX_ITEMS: 1_000_000,
  /** Attempts per page (Scan reads, so any transient failure is retried). */
  MAX_ATTEMPTS: 4,
  RETRY_BASE_MS: 100,
  RETRY_MAX_MS: 2_000,
} as const;

/** Where and how a table is scanned. */
export interface ScanConnectionOptions extends AwsConnectionOptions {
  /** Ends the call and its retries at once (a command stopped by a signal). */
  readonly signal?: AbortSignal;
}

/**
 * A DynamoDB attribute value as a plain JSON value.
 *
 * @example
 * ```ts
 * attributeValue({ M: { n: { N: '3' } } }); // { n: 3 }
 * ```
 */
export function attributeValue(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return numberOf(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.M !== undefined) return itemValues(value.M);
  if (value.L !== undefined) return value.L.map(attributeValue);
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map(numberOf);
  if (value.B !== undefined) return Buffer.from(value.B).toString('base64');
  if (value.BS !== undefined) return value.BS.map((b) => Buffer.from(b).toString('base64'));
  return null;
}

function numberOf(text: string): number | string {
  const n = Number(text);
  // DynamoDB numbers have 38 digits: text rather than a rounded number.
  return Number.isFinite(n) && (!Number.isInteger(n) || Number.isSafeInteger(n)) ? n : text;
}

/** An item's attributes as plain values. */
export function itemValues(item: Record<string, AttributeValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) out[name] = attributeValue(value);
  return out;
}

/**
 * Every item of `table`, page by page.
 *
 * @throws {DynamoScanError} when the scan fails (retryable when a later try may succeed);
 *   {@link LoadLimitError} past MAX_ITEMS; the signal's abort as it came.
 * @example
 * ```ts
 * for await (const item of scanDynamoTable('ad-campaigns', { endpoint })) rows.push(item);
 * ```
 */
export async function* scanDynamoTable(
  table: string,
  connection: ScanConnectionOptions = {},
  maxItems: number = DynamoScanLimits.MAX_ITEMS,
): AsyncGenerator<Record<string, unknown>, void, undefined> {
  const client = new DynamoDBClient(awsClientConfig(connection));
  const { signal } = connection;
  const timeoutMs = connection.requestTimeoutMs ?? AwsClientDefaults.REQUEST_TIMEOUT_MS;
  let count = 0;
  try {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const command = new ScanCommand({
        TableName: table,
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      });
      let out;
      try {
        out = await retryWithBackoff(
          () =>
            withRequestDeadline(timeoutMs, signal, (abortSignal) =>
              client.send(command, { abortSignal }),
            ),
          {
            maxAttempts: DynamoScanLimits.MAX_ATTEMPTS,
            baseMs: DynamoScanLimits.RETRY_BASE_MS,
            maxMs: DynamoScanLimits.RETRY_MAX_MS,
            maxElapsedMs: retryBudgetMs(connection.requestTimeoutMs),
            ...(signal === undefined ? {} : { signal }),
          },
        );
      } catch (err) {
        throw translateScanError(err, table);
      }
      for (const item of out.Items ?? []) {
        if (++count > maxItems)
          throw new LoadLimitError(`items of DynamoDB table ${table}`, maxItems);
        yield itemValues(item);
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
  } finally {
    client.destroy();
  }
}

/**
 * The query package's reading of a failed Scan, by core's classifier: an abort (a stop) passes
 * as it came; anything else is a {@link DynamoScanError}, retryable when the classifier says so.
 *
 * @example
 * ```ts
 * translateScanError(Object.assign(new Error('x'), { name: 'ResourceNotFoundException' }), 'ads');
 * // DynamoScanError: scan of DynamoDB table ads failed: table does not exist (ResourceNotFoundException: x)
 * ```
 */
export function translateScanError(err: unknown, table: string): Error {
  const c = classifyAwsError(err);
  if (c.kind === AwsErrorKinds.aborted && err instanceof Error) return err;
  const detail =
    c.kind === AwsErrorKinds.notFound ? `table does not exist (${c.detail})` : c.detail;
  return new DynamoScanError(table, detail, c.retryable, err);
}
