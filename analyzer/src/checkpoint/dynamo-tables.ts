/*
 * The table shape and paging every analyzer store shares (checkpoints, iterations, leases):
 *
 *   createKeyTables ─▶ CreateTable PK (S) + SK (S|N), on-demand, each (one that exists is kept)
 *                   ─▶ DescribeTable every TABLE_POLL_INTERVAL_MS until all are ACTIVE
 *   queryAll        ─▶ Query pages until LastEvaluatedKey is absent
 *   deleteAll       ─▶ BatchWriteItem of ≤ 25 deletes ─▶ UnprocessedItems sent again, through the
 *                      connection's one backoff (as a throttling), until none is left; the
 *                      backoff gives up only after its attempts brought no progress
 *
 * SDK errors are translated here, as in every file that calls DynamoDB.
 */
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeTableCommand,
  QueryCommand,
  type AttributeValue,
  type QueryCommandInput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { AwsErrorKinds, classifyAwsError, sleep } from '@kinlog/core';
import { CheckpointStoreError } from '../errors.js';
import type { DynamoConnection } from './dynamo-connection.js';
import { translateDynamoError as translate } from './translate-dynamo-error.js';

/** Bounds of {@link createKeyTables}. */
export const DynamoTableDefaults = {
  TABLE_ACTIVE_TIMEOUT_MS: 60_000,
  TABLE_POLL_INTERVAL_MS: 100,
  /** DynamoDB's limit of requests in one BatchWriteItem. */
  MAX_BATCH_WRITE_ITEMS: 25,
  /** BatchWriteItem calls of one {@link deleteAll} in flight at once. */
  DELETE_CONCURRENCY: 4,
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

/**
 * DynamoDB accepted part of a batch: the rest is sent again. Marked as a throttling (which it
 * is: the table's capacity refused them), so the connection's backoff retries it like one.
 */
class UnprocessedItems extends Error {
  readonly $retryable = { throttling: true };

  constructor(left: number) {
    super(`${left} items of a BatchWriteItem were not processed`);
    this.name = 'UnprocessedItems';
  }
}

/**
 * Deletes the items with these keys from one table, in BatchWriteItem calls within DynamoDB's
 * limit of 25; items a call leaves unprocessed are sent again with the connection's backoff
 * (within its retry budget), which gives up only once its attempts delete nothing more. Keys of missing items cost a write unit and change nothing, so a
 * repeat is harmless.
 *
 * @returns how many keys were sent (the items deleted, when they existed).
 * @example
 * ```ts
 * await deleteAll(dynamo, 'kinlog-leases', [{ PK: { S: 'web#PART#1#logs#s0' }, SK: { S: 'w1#3#0000' } }], 'delete partials');
 * ```
 */
export async function deleteAll(
  dynamo: DynamoConnection,
  table: string,
  keys: readonly Item[],
  what: string,
): Promise<number> {
  const batches: Item[][] = [];
  for (let i = 0; i < keys.length; i += DynamoTableDefaults.MAX_BATCH_WRITE_ITEMS) {
    batches.push(keys.slice(i, i + DynamoTableDefaults.MAX_BATCH_WRITE_ITEMS));
  }
  const send = async (batch: Item[]): Promise<void> => {
    let pending: WriteRequest[] = batch.map((Key) => ({ DeleteRequest: { Key } }));
    // A backoff's attempts run out only when they make no progress: each round that deletes
    // some items starts a new one, so at most 25 rounds a batch.
    for (;;) {
      const before = pending.length;
      try {
        await dynamo.retrying(async () => {
          const out = await dynamo.bounded((o) =>
            dynamo.client.send(
              new BatchWriteItemCommand({ RequestItems: { [table]: pending } }),
              o,
            ),
          );
          const left = out.UnprocessedItems?.[table] ?? [];
          if (left.length > 0) {
            pending = left;
            throw new UnprocessedItems(left.length);
          }
        });
        return;
      } catch (err) {
        if (!(err instanceof UnprocessedItems) || pending.length >= before) {
          throw translate(err, `${what} on ${table}`, table);
        }
      }
    }
  };
  let at = 0;
  const worker = async (): Promise<void> => {
    while (at < batches.length) await send(batches[at++]!);
  };
  await Promise.all(
    Array.from(
      { length: Math.min(DynamoTableDefaults.DELETE_CONCURRENCY, batches.length) },
      worker,
    ),
  );
  return keys.length;
}
