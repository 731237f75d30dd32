/*
 * Page → owner/team from a DynamoDB table the user keeps (partition key `page`, a string, e.g.
 * `/checkout/:id`; attributes `owner` and optional `team`). Every SDK error is translated here.
 */
import { BatchGetItemCommand, DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  AwsClientDefaults,
  AwsErrorKinds,
  awsClientConfig,
  backoffDelayMs,
  classifyAwsError,
  sleep,
  withRequestDeadline,
  type AwsConnectionOptions,
} from '@kinlog/core';
import { CheckpointStoreError, type AnalyzerError } from '../errors.js';
import type { PageOwner } from '../report/report-view.js';

/** Bounds of {@link lookupPageOwners}. */
export const OwnersTableLimits = {
  /** Keys per BatchGetItem (a DynamoDB limit). */
  MAX_KEYS_PER_BATCH: 100,
  /** Rounds of retrying unprocessed keys before giving up. */
  MAX_ROUNDS: 5,
  RETRY_BASE_MS: 50,
  RETRY_MAX_MS: 1_000,
  KEY_ATTRIBUTE: 'page',
} as const;

/**
 * Looks up the owner of each page; pages without an item (or without an `owner`) are left out.
 *
 * @throws {CheckpointStoreError} when the table does not exist or cannot be read.
 * @example
 * ```ts
 * const owners = await lookupPageOwners('kinlog-owners', ['/checkout'], { endpoint });
 * owners.get('/checkout'); // { owner: 'ana', team: 'payments' }
 * ```
 */
export async function lookupPageOwners(
  table: string,
  pages: readonly string[],
  connection: AwsConnectionOptions & { signal?: AbortSignal } = {},
): Promise<Map<string, PageOwner>> {
  const requestTimeoutMs = connection.requestTimeoutMs ?? AwsClientDefaults.REQUEST_TIMEOUT_MS;
  const owners = new Map<string, PageOwner>();
  const unique = [...new Set(pages)];
  if (unique.length === 0) return owners;
  const client = new DynamoDBClient(awsClientConfig(connection));
  try {
    for (let i = 0; i < unique.length; i += OwnersTableLimits.MAX_KEYS_PER_BATCH) {
      let keys: Record<string, AttributeValue>[] = unique
        .slice(i, i + OwnersTableLimits.MAX_KEYS_PER_BATCH)
        .map((page) => ({ [OwnersTableLimits.KEY_ATTRIBUTE]: { S: page } }));
      for (let round = 1; keys.length > 0; round++) {
        if (round > OwnersTableLimits.MAX_ROUNDS) {
          throw new CheckpointStoreError(
            `owners table ${table}: ${keys.length} keys still unprocessed after ${OwnersTableLimits.MAX_ROUNDS} rounds`,
            true,
          );
        }
        const request = { RequestItems: { [table]: { Keys: keys } } };
        const out = await withRequestDeadline(requestTimeoutMs, connection.signal, (abortSignal) =>
          client.send(new BatchGetItemCommand(request), { abortSignal }),
        ).catch((err: unknown) => {
          throw translate(err, table);
        });
        for (const item of out.Responses?.[table] ?? []) {
          const page = item[OwnersTableLimits.KEY_ATTRIBUTE]?.S;
          const owner = item['owner']?.S;
          const team = item['team']?.S;
          if (page !== undefined && owner !== undefined)
            owners.set(page, team === undefined ? { owner } : { owner, team });
        }
        keys = out.UnprocessedKeys?.[table]?.Keys ?? [];
        if (keys.length > 0) {
          const limits = {
            baseMs: OwnersTableLimits.RETRY_BASE_MS,
            maxMs: OwnersTableLimits.RETRY_MAX_MS,
          };
          await sleep(backoffDelayMs(round, limits), connection.signal);
        }
      }
    }
  } finally {
    client.destroy();
  }
  return owners;
}

function translate(err: unknown, table: string): AnalyzerError {
  const c = classifyAwsError(err);
  if (c.kind === AwsErrorKinds.notFound)
    return new CheckpointStoreError(`owners table ${table} does not exist`, false, err);
  return new CheckpointStoreError(
    `reading owners table ${table} failed: ${c.detail}`,
    c.retryable,
    err,
  );
}
