/*
 * The table shape and paging every analyzer store shares (checkpoints, iterations, leases):
 *
 *   createKeyTables ─▶ CreateTable PK (S) + SK (S|N), on-demand, each (one that exists is kept)
 *                   ─▶ DescribeTable every TABLE_POLL_INTERVAL_MS until all are ACTIVE
 *   queryAll        ─▶ Query pages until LastEvaluatedKey is absent
 *
 * SDK errors are translated here, as in every file that calls DynamoDB.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  QueryCommand,
  type AttributeValue,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { AwsErrorKinds, classifyAwsError, sleep } from '@kinlog/core';
import { CheckpointStoreError } from '../errors.js';
import type { DynamoConnection } from './dynamo-connection.js';
import { translateDynamoError as translate } from './translate-dynamo-error.js';

/** Bounds of {@link createKeyTables}. */
export const DynamoTableDefaults = {
  TABLE_ACTIVE_TIMEOUT_MS: 60_000,
  TABLE_POLL_INTERVAL_MS: 100,
} as const;

/** A table keyed `PK` (string) and `SK` of `sortKeyType`. */
export interface KeyTable {
  readonly name: string;
  /** `S` (string sort keys) or `N` (numbers). */
  readonly sortKeyType: 'S' | 'N';
}

type Item = Record<string, AttributeValue>;

/**
 * Creates the tables (on-demand billing) that are missing and waits until every one is ACTIVE.
 *
 * @throws {CheckpointStoreError} when a table is not ACTIVE within the timeout.
 * @example
 * ```ts
 * await createKeyTables(dynamo, [{ name: 'kinlog-leases', sortKeyType: 'S' }]);
 * ```
 */
export async function createKeyTables(
  dynamo: DynamoConnection,
  tables: readonly KeyTable[],
): Promise<void> {
  for (const table of tables) {
    try {
      await dynamo.retrying(() =>
        dynamo.bounded((o) =>
          dynamo.client.send(
            new CreateTableCommand({
              TableName: table.name,
              BillingMode: 'PAY_PER_REQUEST',
              AttributeDefinitions: [
                { AttributeName: 'PK', AttributeType: 'S' },
                { AttributeName: 'SK', AttributeType: table.sortKeyType },
              ],
              KeySchema: [
                { AttributeName: 'PK', KeyType: 'HASH' },
                { AttributeName: 'SK', KeyType: 'RANGE' },
              ],
            }),
            o,
          ),
        ),
      );
    } catch (err) {
      // Created already (by another run, or by an earlier try whose answer was lost).
      if (classifyAwsError(err).name !== 'ResourceInUseException')
        throw translate(err, `CreateTable ${table.name}`, table.name);
    }
  }
  const deadline = Date.now() + DynamoTableDefaults.TABLE_ACTIVE_TIMEOUT_MS;
  for (const table of tables) {
    for (;;) {
      let status: string | undefined;
      try {
        const out = await dynamo.retrying(() =>
          dynamo.bounded((o) =>
            dynamo.client.send(new DescribeTableCommand({ TableName: table.name }), o),
          ),
        );
        status = out.Table?.TableStatus;
      } catch (err) {
        throw translate(err, `DescribeTable on ${table.name}`, table.name);
      }
      if (status === 'ACTIVE') break;
      if (Date.now() > deadline) {
        throw new CheckpointStoreError(
          `table ${table.name} is not ACTIVE after ${DynamoTableDefaults.TABLE_ACTIVE_TIMEOUT_MS} ms`,
          true,
        );
      }
      await sleep(DynamoTableDefaults.TABLE_POLL_INTERVAL_MS, dynamo.signal);
    }
  }
}

/**
 * Every item a Query matches, page after page (each page a bounded call, retried on transient
 * failures).
 *
 * @param what names the call in errors (`Query leases`).
 * @example
 * ```ts
 * const items = await queryAll(dynamo, { TableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues }, 'Query leases');
 * ```
 */
export async function queryAll(
  dynamo: DynamoConnection,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
  what: string,
): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  const table = input.TableName ?? '';
  do {
    const from = start;
    let page;
    try {
      page = await dynamo.retrying(() =>
        dynamo.bounded((o) =>
          dynamo.client.send(
            new QueryCommand({
              ...input,
              ...(from === undefined ? {} : { ExclusiveStartKey: from }),
            }),
            o,
          ),
        ),
      );
    } catch (err) {
      throw translate(err, `${what} on ${table}`, table);
    }
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

/** DynamoDB found the item not as the condition required. */
export function isConditionFailed(err: unknown): boolean {
  return classifyAwsError(err).kind === AwsErrorKinds.conditionFailed;
}
