/*
 * The only file that calls DynamoDB for shard leases; every SDK error is translated here.
 *
 *   leases table  PK = <name>#WORKER                      SK = <workerId>   beat (ADD 1 a tick)
 *                 PK = <name>#LEASE                       SK = <stream>#<shardId>
 *                    owner?, counter, partialIteration/Attempt/Chunks/Bytes
 *                 PK = <name>#CUT                         SK = iteration (12 digits)   cut (gzip)
 *                 PK = <name>#PART#<k>#<stream>#<shard>   SK = <attempt>#<chunk>       data ≤ 350 KB
 *                 PK = <name>#SWEPT                       SK = partials   through (iteration)
 *
 * Lease writes are single conditional updates on (counter, owner); a partial's chunks are put
 * first under a unique attempt, then published by the conditional update that moves the counter
 * (a refused publish deletes its chunks). deletePartials queries each partial key for every
 * attempt's chunks and deletes them in BatchWriteItem calls (deleteAll).
 *
 * Every call goes through the analyzer's DynamoConnection: bounded by the request timeout
 * (answer read included) and ended by `signal`; errors are read by core's classifier. Reads and
 * unconditional puts are retried on any transient failure with core's backoff, within the retry
 * budget; a conditional write only when throttled (refused outright: after a timeout it may have
 * happened, and a retry would read its own write as a lost lease). A lease handed back once the
 * signal fired (a stop) is one short bounded call, so a stop never waits on DynamoDB.
 */
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DynamoDbLimits } from '@kinlog/core';
import {
  DynamoConnection,
  DynamoRetryDefaults,
  RetryOn,
  type DynamoConnectionOptions,
} from '../checkpoint/dynamo-connection.js';
import {
  createKeyTables,
  deleteAll,
  DynamoTableDefaults,
  isConditionFailed,
  queryAll,
} from '../checkpoint/dynamo-tables.js';
import { translateDynamoError } from '../checkpoint/translate-dynamo-error.js';
import { CorruptItemError, LeaseLostError, ReportTooLargeError } from '../errors.js';
import {
  leaseKeyOf,
  type IterationCut,
  type Lease,
  type LeaseStore,
  type PartialRef,
  type WorkerBeat,
} from './lease-store.js';

/** Table name and bounds of the lease store. */
export const LeaseStoreDefaults = {
  LEASES_TABLE: 'kinlog-leases',
  /** Bytes of partial data per item: under DynamoDB's 400 KB item limit with room for keys. */
  CHUNK_BYTES: 350_000,
  TABLE_ACTIVE_TIMEOUT_MS: DynamoTableDefaults.TABLE_ACTIVE_TIMEOUT_MS,
  TABLE_POLL_INTERVAL_MS: DynamoTableDefaults.TABLE_POLL_INTERVAL_MS,
  MAX_ATTEMPTS: DynamoRetryDefaults.MAX_ATTEMPTS,
  RETRY_BASE_MS: DynamoRetryDefaults.RETRY_BASE_MS,
  RETRY_MAX_MS: DynamoRetryDefaults.RETRY_MAX_MS,
  /** Items written at once (lease creation, partial chunks). */
  WRITE_CONCURRENCY: 16,
  ITEM_OVERHEAD_BYTES: 1024,
} as const;

/** Connection (an injected `client` included, and the stop `signal`) and table name. */
export interface LeaseStoreOptions extends DynamoConnectionOptions {
  readonly leasesTable?: string;
}

type Item = Record<string, AttributeValue>;

/**
 * {@link LeaseStore} on DynamoDB.
 *
 * @example
 * ```ts
 * const store = new DynamoLeaseStore({ endpoint: 'http://127.0.0.1:8000' });
 * await store.createTable();
 * await store.ensureLeases('web', [{ stream: 'logs', shardId: 'shardId-000000000000' }]);
 * ```
 */
export class DynamoLeaseStore implements LeaseStore {
  readonly table: string;
  private readonly dynamo: DynamoConnection;

  constructor(options: LeaseStoreOptions = {}) {
    this.dynamo = new DynamoConnection(options);
    this.table = options.leasesTable ?? LeaseStoreDefaults.LEASES_TABLE;
  }

  close(): void {
    this.dynamo.close();
  }

  /** Creates the table (on-demand billing) if missing and waits until it is ACTIVE. */
  async createTable(): Promise<void> {
    await createKeyTables(this.dynamo, [{ name: this.table, sortKeyType: 'S' }]);
  }

  async ensureLeases(
    name: string,
    shards: readonly { readonly stream: string; readonly shardId: string }[],
  ): Promise<void> {
    await inBatches(shards, LeaseStoreDefaults.WRITE_CONCURRENCY, async ({ stream, shardId }) => {
      try {
        await this.call('PutItem lease', (o) =>
          this.dynamo.client.send(
            new PutItemCommand({
              TableName: this.table,
              Item: {
                ...key(name + '#LEASE', leaseKeyOf(stream, shardId)),
                stream: { S: stream },
                shardId: { S: shardId },
                counter: { N: '0' },
              },
              ConditionExpression: 'attribute_not_exists(PK)',
            }),
            o,
          ),
        );
      } catch (err) {
        if (!isConditionFailed(err)) throw err;
      }
    });
  }

  async listLeases(name: string): Promise<Lease[]> {
    const items = await queryAll(
      this.dynamo,
      {
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': { S: name + '#LEASE' } },
        ConsistentRead: true,
      },
      'Query leases',
    );
    return items
      .map(toLease)
      .sort((a, b) => (a.leaseKey < b.leaseKey ? -1 : a.leaseKey > b.leaseKey ? 1 : 0));
  }

  async renewLease(name: string, lease: Lease): Promise<Lease> {
    await this.conditional(name, lease, 'renew', {
      UpdateExpression: 'SET #counter = :next',
      ConditionExpression: '#counter = :counter AND #owner = :owner',
      ExpressionAttributeNames: { '#counter': 'counter', '#owner': 'owner' },
      ExpressionAttributeValues: {
        ':next': { N: String(lease.counter + 1) },
        ':counter': { N: String(lease.counter) },
        ':owner': { S: lease.owner ?? '' },
      },
    });
    return { ...lease, counter: lease.counter + 1 };
  }

  async takeLease(name: string, lease: Lease, owner: string): Promise<Lease> {
    const held = lease.owner === undefined ? 'attribute_not_exists(#owner)' : '#owner = :old';
    await this.conditional(name, lease, 'take', {
      UpdateExpression: 'SET #counter = :next, #owner = :owner',
      ConditionExpression: `#counter = :counter AND ${held}`,
      ExpressionAttributeNames: { '#counter': 'counter', '#owner': 'owner' },
      ExpressionAttributeValues: {
        ':next': { N: String(lease.counter + 1) },
        ':counter': { N: String(lease.counter) },
        ':owner': { S: owner },
        ...(lease.owner === undefined ? {} : { ':old': { S: lease.owner } }),
      },
    });
    return { ...lease, owner, counter: lease.counter + 1 };
  }

  async releaseLease(name: string, lease: Lease): Promise<void> {
    try {
      await this.conditional(name, lease, 'release', {
        // Handed back when a command stops: once its signal fired, one short bounded try.
        whileStopping: this.dynamo.signal?.aborted === true,
        UpdateExpression: 'SET #counter = :next REMOVE #owner',
        ConditionExpression: '#counter = :counter AND #owner = :owner',
        ExpressionAttributeNames: { '#counter': 'counter', '#owner': 'owner' },
        ExpressionAttributeValues: {
          ':next': { N: String(lease.counter + 1) },
          ':counter': { N: String(lease.counter) },
          ':owner': { S: lease.owner ?? '' },
        },
      });
    } catch (err) {
      if (!(err instanceof LeaseLostError)) throw err;
    }
  }

  async beat(name: string, workerId: string): Promise<void> {
    // ADD is not idempotent, but a beat counted twice only shows the worker as live.
    await this.call('UpdateItem worker', (o) =>
      this.dynamo.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: key(name + '#WORKER', workerId),
          UpdateExpression: 'ADD beat :one',
          ExpressionAttributeValues: { ':one': { N: '1' } },
        }),
        o,
      ),
    );
  }

  async listWorkers(name: string): Promise<WorkerBeat[]> {
    const items = await queryAll(
      this.dynamo,
      {
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': { S: name + '#WORKER' } },
        ConsistentRead: true,
      },
      'Query workers',
    );
    return items.map((item) => ({
      workerId: item['SK']?.S ?? '',
      beat: Number(item['beat']?.N ?? 0),
    }));
  }

  async forgetWorker(name: string, workerId: string, beat?: number): Promise<void> {
    const send = (o: { abortSignal: AbortSignal }) =>
      this.dynamo.client.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: key(name + '#WORKER', workerId),
          ...(beat === undefined
            ? {}
            : {
                ConditionExpression: 'beat = :beat',
                ExpressionAttributeValues: { ':beat': { N: String(beat) } },
              }),
        }),
        o,
      );
    try {
      // A worker forgets itself when it stops, often once the signal fired: one bounded call.
      await (this.dynamo.signal?.aborted === true
        ? this.dynamo.boundedWhileStopping(send)
        : this.dynamo.retrying(() => this.dynamo.bounded(send), RetryOn.throttled));
    } catch (err) {
      if (!isConditionFailed(err)) throw this.translate(err, 'DeleteItem worker');
    }
  }

  async deleteLease(name: string, leaseKey: string): Promise<void> {
    await this.call('DeleteItem lease', (o) =>
      this.dynamo.client.send(
        new DeleteItemCommand({ TableName: this.table, Key: key(name + '#LEASE', leaseKey) }),
        o,
      ),
    );
  }

  async putCut(cut: IterationCut): Promise<IterationCut> {
    const data = gzipSync(JSON.stringify(cut));
    const bytes = data.length + LeaseStoreDefaults.ITEM_OVERHEAD_BYTES;
    if (bytes > DynamoDbLimits.MAX_ITEM_BYTES) {
      throw new ReportTooLargeError(bytes, DynamoDbLimits.MAX_ITEM_BYTES);
    }
    try {
      await this.dynamo.retrying(
        () =>
          this.dynamo.bounded((o) =>
            this.dynamo.client.send(
              new PutItemCommand({
                TableName: this.table,
                Item: { ...key(cut.name + '#CUT', iterationKey(cut.iteration)), cut: { B: data } },
                ConditionExpression: 'attribute_not_exists(PK)',
              }),
              o,
            ),
          ),
        RetryOn.throttled,
      );
      return cut;
    } catch (err) {
      // Stored already (by another worker, or by an attempt whose answer was lost): read it.
      if (!isConditionFailed(err)) throw this.translate(err, 'put cut');
    }
    const stored = await this.getCut(cut.name, cut.iteration);
    if (stored === undefined) {
      throw new CorruptItemError(`${cut.name}#CUT/${cut.iteration}`, 'exists but cannot be read');
    }
    return stored;
  }

  async getCut(name: string, iteration: number): Promise<IterationCut | undefined> {
    const out = await this.call('GetItem cut', (o) =>
      this.dynamo.client.send(
        new GetItemCommand({
          TableName: this.table,
          Key: key(name + '#CUT', iterationKey(iteration)),
          ConsistentRead: true,
        }),
        o,
      ),
    );
    return out.Item === undefined ? undefined : cutOf(out.Item, `${name}#CUT/${iteration}`);
  }

  async latestCut(name: string): Promise<IterationCut | undefined> {
    // Iteration sort keys are zero-padded: the last in string order is the highest.
    const out = await this.call('Query cut', (o) =>
      this.dynamo.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': { S: name + '#CUT' } },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
        o,
      ),
    );
    const item = out.Items?.[0];
    return item === undefined ? undefined : cutOf(item, `${name}#CUT/${item['SK']?.S ?? '?'}`);
  }

  async putPartial(
    name: string,
    lease: Lease,
    iteration: number,
    bytes: Uint8Array,
  ): Promise<Lease> {
    const step = LeaseStoreDefaults.CHUNK_BYTES;
    const chunks = Math.max(1, Math.ceil(bytes.length / step));
    const ref: PartialRef = {
      iteration,
      attempt: `${lease.owner ?? ''}#${lease.counter}`,
      chunks,
      bytes: bytes.length,
    };
    const pk = partialKey(name, iteration, lease.leaseKey);
    const indexes = Array.from({ length: chunks }, (_, i) => i);
    await inBatches(indexes, LeaseStoreDefaults.WRITE_CONCURRENCY, (i) =>
      this.call('PutItem partial', (o) =>
        this.dynamo.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: {
              ...key(pk, chunkKey(ref.attempt, i)),
              data: { B: bytes.subarray(i * step, (i + 1) * step) },
            },
          }),
          o,
        ),
      ),
    );
    const publish = this.conditional(name, lease, 'publish partial', {
      UpdateExpression:
        'SET #counter = :next, partialIteration = :k, partialAttempt = :attempt, partialChunks = :chunks, partialBytes = :bytes',
      ConditionExpression: '#counter = :counter AND #owner = :owner',
      ExpressionAttributeNames: { '#counter': 'counter', '#owner': 'owner' },
      ExpressionAttributeValues: {
        ':next': { N: String(lease.counter + 1) },
        ':counter': { N: String(lease.counter) },
        ':owner': { S: lease.owner ?? '' },
        ':k': { N: String(iteration) },
        ':attempt': { S: ref.attempt },
        ':chunks': { N: String(chunks) },
        ':bytes': { N: String(bytes.length) },
      },
    });
    try {
      await publish;
    } catch (err) {
      // Refused (a stale owner): nobody will read these chunks, so they go now. Best effort: a
      // failure here leaves them to nobody, and the refusal is what the caller must hear.
      if (err instanceof LeaseLostError) {
        await deleteAll(
          this.dynamo,
          this.table,
          indexes.map((i) => key(pk, chunkKey(ref.attempt, i))),
          'delete refused partial',
        ).catch(() => undefined);
      }
      throw err;
    }
    return { ...lease, counter: lease.counter + 1, partial: ref };
  }

  async deletePartials(
    name: string,
    iteration: number,
    leaseKeys: readonly string[],
  ): Promise<number> {
    // Every attempt's chunks, found by key only: a stale owner's refused write included.
    const keys: Item[] = [];
    await inBatches(leaseKeys, LeaseStoreDefaults.WRITE_CONCURRENCY, async (leaseKey) => {
      const items = await queryAll(
        this.dynamo,
        {
          TableName: this.table,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': { S: partialKey(name, iteration, leaseKey) } },
          ProjectionExpression: 'PK, SK',
          ConsistentRead: true,
        },
        'Query partial keys',
      );
      for (const item of items) keys.push(key(item['PK']?.S ?? '', item['SK']?.S ?? ''));
    });
    return deleteAll(this.dynamo, this.table, keys, 'delete partials');
  }

  async deleteLeases(name: string, leaseKeys: readonly string[]): Promise<void> {
    await deleteAll(
      this.dynamo,
      this.table,
      leaseKeys.map((k) => key(name + '#LEASE', k)),
      'delete leases',
    );
  }

  async deleteCut(name: string, iteration: number): Promise<void> {
    await this.call('DeleteItem cut', (o) =>
      this.dynamo.client.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: key(name + '#CUT', iterationKey(iteration)),
        }),
        o,
      ),
    );
  }

  async sweptThrough(name: string): Promise<number> {
    const out = await this.call('GetItem swept', (o) =>
      this.dynamo.client.send(
        new GetItemCommand({
          TableName: this.table,
          Key: key(name + '#SWEPT', SWEPT_SK),
          ConsistentRead: true,
        }),
        o,
      ),
    );
    return Number(out.Item?.['through']?.N ?? 0);
  }

  async markSwept(name: string, iteration: number): Promise<void> {
    try {
      // Only ever raised: a slower worker's lower mark is refused (and that is fine).
      await this.call('UpdateItem swept', (o) =>
        this.dynamo.client.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: key(name + '#SWEPT', SWEPT_SK),
            UpdateExpression: 'SET through = :k',
            ConditionExpression: 'attribute_not_exists(through) OR through < :k',
            ExpressionAttributeValues: { ':k': { N: String(iteration) } },
          }),
          o,
        ),
      );
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
  }

  async getPartial(
    name: string,
    leaseKey: string,
    iteration: number,
  ): Promise<Uint8Array | undefined> {
    const out = await this.call('GetItem lease', (o) =>
      this.dynamo.client.send(
        new GetItemCommand({
          TableName: this.table,
          Key: key(name + '#LEASE', leaseKey),
          ConsistentRead: true,
        }),
        o,
      ),
    );
    if (out.Item === undefined) return undefined;
    const ref = toLease(out.Item).partial;
    if (ref?.iteration !== iteration) return undefined;
    const pk = partialKey(name, iteration, leaseKey);
    const items = await queryAll(
      this.dynamo,
      {
        TableName: this.table,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :attempt)',
        ExpressionAttributeValues: { ':pk': { S: pk }, ':attempt': { S: `${ref.attempt}#` } },
        ConsistentRead: true,
      },
      'Query partial',
    );
    const parts = items.flatMap((item) => {
      const data = item['data']?.B;
      return data === undefined ? [] : [data];
    });
    // Deleted with its committed iteration (the lease still points at it until the next one).
    if (parts.length === 0) return undefined;
    const joined = Buffer.concat(parts);
    if (parts.length !== ref.chunks || joined.length !== ref.bytes) {
      throw new CorruptItemError(
        `${pk}/${ref.attempt}`,
        `expected ${ref.chunks} chunks of ${ref.bytes} bytes, found ${parts.length} of ${joined.length}`,
      );
    }
    return new Uint8Array(joined);
  }

  private async conditional(
    name: string,
    lease: Lease,
    what: string,
    update: Omit<ConstructorParameters<typeof UpdateItemCommand>[0], 'TableName' | 'Key'> & {
      readonly whileStopping?: boolean;
    },
  ): Promise<void> {
    const { whileStopping, ...input } = update;
    const send = (o: { abortSignal: AbortSignal }) =>
      this.dynamo.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: key(name + '#LEASE', lease.leaseKey),
          ...input,
        }),
        o,
      );
    try {
      await (whileStopping === true
        ? this.dynamo.boundedWhileStopping(send)
        : this.dynamo.retrying(() => this.dynamo.bounded(send), RetryOn.throttled));
    } catch (err) {
      if (isConditionFailed(err)) {
        throw new LeaseLostError(
          name,
          lease.leaseKey,
          `${what}: ${lease.owner ?? 'nobody'} at counter ${lease.counter} is no longer current`,
          err,
        );
      }
      throw this.translate(err, what);
    }
  }

  /**
   * Runs an idempotent call (bounded, retried on transient failures); a conditional check that
   * failed is passed on as it came, for the caller to read.
   */
  private async call<T>(
    what: string,
    send: (options: { abortSignal: AbortSignal }) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.dynamo.retrying(() => this.dynamo.bounded(send));
    } catch (err) {
      if (isConditionFailed(err)) throw err;
      throw this.translate(err, what);
    }
  }

  private translate(err: unknown, what: string): Error {
    return translateDynamoError(err, `${what} on ${this.table}`, this.table);
  }
}

function cutOf(item: Item, where: string): IterationCut {
  const data = item['cut']?.B;
  if (data === undefined) throw new CorruptItemError(where, 'no cut attribute');
  try {
    return JSON.parse(gunzipSync(data).toString('utf8')) as IterationCut;
  } catch (err) {
    throw new CorruptItemError(where, 'cut is not gzip’d JSON', err);
  }
}

function key(pk: string, sk: string): Item {
  return { PK: { S: pk }, SK: { S: sk } };
}

/** Sort key of the swept mark's item. */
const SWEPT_SK = 'partials';

function chunkKey(attempt: string, chunk: number): string {
  return `${attempt}#${String(chunk).padStart(4, '0')}`;
}

function iterationKey(iteration: number): string {
  return String(iteration).padStart(12, '0');
}

function partialKey(name: string, iteration: number, leaseKey: string): string {
  return `${name}#PART#${iteration}#${leaseKey}`;
}

function toLease(item: Item): Lease {
  const stream = item['stream']?.S ?? '';
  const shardId = item['shardId']?.S ?? '';
  const owner = item['owner']?.S;
  const iteration = item['partialIteration']?.N;
  const attempt = item['partialAttempt']?.S;
  return {
    leaseKey: item['SK']?.S ?? leaseKeyOf(stream, shardId),
    stream,
    shardId,
    ...(owner === undefined ? {} : { owner }),
    counter: Number(item['counter']?.N ?? 0),
    ...(iteration === undefined || attempt === undefined
      ? {}
      : {
          partial: {
            iteration: Number(iteration),
            attempt,
            chunks: Number(item['partialChunks']?.N ?? 0),
            bytes: Number(item['partialBytes']?.N ?? 0),
          },
        }),
  };
}

async function inBatches<T>(
  items: readonly T[],
  size: number,
  run: (item: T) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) {
    await Promise.all(items.slice(i, i + size).map(run));
  }
}
