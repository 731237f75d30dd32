/*
 * The only file of the query package that calls DynamoDB: a paginated Scan, each item turned
 * into plain values (S → text, N → number, BOOL, NULL, M → object, L/SS/NS → arrays, B → base64).
 */
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { awsClientConfig, type AwsConnectionOptions } from '@kinlog/core';
import { DynamoScanError, LoadLimitError } from '../errors.js';

/** Bounds of a table scan. */
export const DynamoScanLimits = {
  /** Items of one table brought into a query (a lookup table, not a fact table). */
  MAX_ITEMS: 1_000_000,
} as const;

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
 * @throws {DynamoScanError} when the scan fails; {@link LoadLimitError} past MAX_ITEMS.
 * @example
 * ```ts
 * for await (const item of scanDynamoTable('ad-campaigns', { endpoint })) rows.push(item);
 * ```
 */
export async function* scanDynamoTable(
  table: string,
  connection: AwsConnectionOptions = {},
  maxItems: number = DynamoScanLimits.MAX_ITEMS,
): AsyncGenerator<Record<string, unknown>, void, undefined> {
  const client = new DynamoDBClient(awsClientConfig(connection));
  let count = 0;
  try {
    let start: Record<string, AttributeValue> | undefined;
    do {
      let out;
      try {
        out = await client.send(
          new ScanCommand({
            TableName: table,
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
        );
      } catch (err) {
        const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata
          ?.httpStatusCode;
        throw new DynamoScanError(table, detail, status === undefined || status >= 500, err);
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
