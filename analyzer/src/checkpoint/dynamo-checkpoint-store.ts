/*
 * The only file that calls DynamoDB for the analyzer; every SDK error is translated here.
 *
 *   iterations table  PK = <name>#ITER    SK = n   status, owner, lease, reportKey, emailSentAt
 *                     PK = <name>#REPORT  SK = n   window + result (JSON), conditional put
 *                     PK = <name>#RUN     SK = r   a whole-stream run: report + email state
 *                     PK = <name>#RUNNER  SK = 0   who advances the name: workers or single runs
 *   checkpoints table PK = <name>#<stream>#<shardId>  SK = n   startAfterSeq, endSeq, counts…
 *
 * No multi-item transactions (dynalite has none): every step is a single conditional or
 * idempotent write, ordered so a crash between any two repeats work but never double-counts.
 */
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { DynamoDbLimits } from '@kinlog/core';
import {
  CheckpointStoreError,
  CorruptItemError,
  IterationConflictError,
  NameInUseError,
  ReportTooLargeError,
  SavedQueryTooLargeError,
} from '../errors.js';
import {
  DynamoConnection,
  DynamoRetryDefaults,
  type DynamoConnectionOptions,
} from './dynamo-connection.js';
import { createKeyTables, DynamoTableDefaults, queryAll } from './dynamo-tables.js';
import { ItemKeys } from './item-keys.js';
import { translateDynamoError as translate } from './translate-dynamo-error.js';
import type { ShardWindow } from '../stream/shard-window.js';
import {
  IterationStatuses,
  RunnerModes,
  type CheckpointItem,
  type IterationItem,
  type RunnerMode,
  type StoredQueryResult,
} from './stored-items.js';
import { readStoredReport, type StoredReport } from './stored-report.js';

/** Table names and bounds of the store. */
export const CheckpointStoreDefaults = {
  CHECKPOINTS_TABLE: 'kinlog-checkpoints',
  ITERATIONS_TABLE: 'kinlog-iterations',
  TABLE_ACTIVE_TIMEOUT_MS: DynamoTableDefaults.TABLE_ACTIVE_TIMEOUT_MS,
  TABLE_POLL_INTERVAL_MS: DynamoTableDefaults.TABLE_POLL_INTERVAL_MS,
  MAX_ATTEMPTS: DynamoRetryDefaults.MAX_ATTEMPTS,
  RETRY_BASE_MS: DynamoRetryDefaults.RETRY_BASE_MS,
  RETRY_MAX_MS: DynamoRetryDefaults.RETRY_MAX_MS,
  /** Room left under the item limit for attribute names and numbers. */
  ITEM_OVERHEAD_BYTES: 1024,
  /** Numbers tried when runs of one name are stored at the same moment (each takes the next). */
  RUN_NUMBER_ATTEMPTS: 8,
} as const;

export interface CheckpointStoreOptions extends DynamoConnectionOptions {
  readonly checkpointsTable?: string;
  readonly iterationsTable?: string;
}

type Item = Record<string, AttributeValue>;

/**
 * DynamoDB persistence of iterations, reports and per-shard checkpoints.
 *
 * @example
 * ```ts
 * const store = new DynamoCheckpointStore({ endpoint: 'http://127.0.0.1:8000' });
 * await store.createTables();
 * const last = await store.latestIteration('web');
 * ```
 */
export class DynamoCheckpointStore {
  readonly checkpointsTable: string;
  readonly iterationsTable: string;
  private readonly dynamo: DynamoConnection;

  constructor(options: CheckpointStoreOptions = {}) {
    this.dynamo = new DynamoConnection(options);
    this.checkpointsTable = options.checkpointsTable ?? CheckpointStoreDefaults.CHECKPOINTS_TABLE;
    this.iterationsTable = options.iterationsTable ?? CheckpointStoreDefaults.ITERATIONS_TABLE;
  }

  close(): void {
    this.dynamo.close();
  }

  /** Creates both tables (on-demand billing) if missing and waits until they are ACTIVE. */
  async createTables(): Promise<void> {
    await createKeyTables(this.dynamo, [
      { name: this.checkpointsTable, sortKeyType: 'N' },
      { name: this.iterationsTable, sortKeyType: 'N' },
    ]);
  }

  /** The iteration item with the highest n, if any. */
  async latestIteration(name: string): Promise<IterationItem | undefined> {
    const out = await this.call(this.iterationsTable, 'Query', () =>
      this.dynamo.bounded((o) =>
        this.dynamo.client.send(
          new QueryCommand({
            TableName: this.iterationsTable,
            KeyConditionExpression: 'PK = :pk',
            ExpressionAttributeValues: { ':pk': { S: ItemKeys.iterationPk(name) } },
            ScanIndexForward: false,
            Limit: 1,
            ConsistentRead: true,
          }),
          o,
        ),
      ),
    );
    const item = out.Items?.[0];
    return item === undefined ? undefined : toIteration(item);
  }

  async getIteration(name: string, iteration: number): Promise<IterationItem | undefined> {
    const item = await this.getItem(this.iterationsTable, ItemKeys.iteration(name, iteration));
    return item === undefined ? undefined : toIteration(item);
  }

  /**
   * Claims iteration n for `owner` until now + `leaseMs`: succeeds if nobody has it, if its lease
   * expired, or if `owner` already holds it; a committed iteration is never claimed.
   *
   * @throws {IterationConflictError} when another owner holds a live lease or n is committed.
   */
  async claimIteration(
    name: string,
    iteration: number,
    stream: string,
    owner: string,
    leaseMs: number,
  ): Promise<IterationItem> {
    const now = Date.now();
    const item: IterationItem = {
      name,
      iteration,
      stream,
      status: IterationStatuses.running,
      owner,
      leaseExpiresAtMs: now + leaseMs,
    };
    try {
      await this.dynamo.bounded((o) =>
        this.dynamo.client.send(
          new PutItemCommand({
            TableName: this.iterationsTable,
            Item: fromIteration(item),
            ConditionExpression:
              'attribute_not_exists(PK) OR (#status = :running AND (leaseExpiresAtMs < :now OR #owner = :owner))',
            ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
            ExpressionAttributeValues: {
              ':running': { S: IterationStatuses.running },
              ':now': { N: String(now) },
              ':owner': { S: owner },
            },
          }),
          o,
        ),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        const held = await this.getIteration(name, iteration);
        const detail =
          held === undefined
            ? 'lost a race'
            : held.status === IterationStatuses.committed
              ? 'already committed'
              : `held by ${held.owner} until ${new Date(held.leaseExpiresAtMs).toISOString()}`;
        throw new IterationConflictError(name, iteration, detail, err);
      }
      throw translate(err, 'claim iteration', this.iterationsTable);
    }
    return item;
  }

  /**
   * Extends `owner`'s lease on a running iteration.
   *
   * @throws {IterationConflictError} when the lease was lost to another owner.
   */
  async renewLease(name: string, iteration: number, owner: string, leaseMs: number): Promise<void> {
    try {
      await this.dynamo.bounded((o) =>
        this.dynamo.client.send(
          new UpdateItemCommand({
            TableName: this.iterationsTable,
            Key: ItemKeys.iteration(name, iteration),
            UpdateExpression: 'SET leaseExpiresAtMs = :until',
            ConditionExpression: '#status = :running AND #owner = :owner',
            ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
            ExpressionAttributeValues: {
              ':until': { N: String(Date.now() + leaseMs) },
              ':running': { S: IterationStatuses.running },
              ':owner': { S: owner },
            },
          }),
          o,
        ),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        throw new IterationConflictError(name, iteration, 'lease lost to another run', err);
      }
      throw translate(err, 'renew lease', this.iterationsTable);
    }
  }

  async getReport(name: string, iteration: number): Promise<StoredReport | undefined> {
    const item = await this.getItem(this.iterationsTable, ItemKeys.report(name, iteration));
    return item === undefined ? undefined : reportOf(item, ItemKeys.reportRef(name, iteration));
  }

  /**
   * Stores the report of a whole-stream run as the next run of its name (`iteration` is
   * replaced by that number) in one item that also keeps the run's email state; runs stored at
   * the same moment take the numbers after it.
   *
   * @returns the report as stored, numbered.
   * @throws {ReportTooLargeError} when the item would pass DynamoDB's 400 KB limit.
   * @example
   * ```ts
   * const { iteration: run } = await store.putRun(report); // 1, then 2, …
   * ```
   */
  async putRun(report: StoredReport): Promise<StoredReport> {
    for (let attempt = 1; ; attempt++) {
      const latest = (await this.runRange(report.name))?.latest ?? 0;
      const numbered: StoredReport = { ...report, iteration: latest + 1 };
      const text = itemText(
        numbered,
        (bytes) => new ReportTooLargeError(bytes, DynamoDbLimits.MAX_ITEM_BYTES),
      );
      const stored = await this.putNew(
        {
          ...ItemKeys.run(report.name, numbered.iteration),
          stream: { S: report.stream },
          // Committed from the start: the email claim reads the same status as iterations'.
          status: { S: IterationStatuses.committed },
          storedAt: { S: new Date().toISOString() },
          report: { S: text },
        },
        'store run',
      );
      if (stored) return numbered;
      if (attempt >= CheckpointStoreDefaults.RUN_NUMBER_ATTEMPTS) {
        throw new CheckpointStoreError(
          `could not number a run of ${report.name}: ${attempt} numbers were taken by runs stored at the same moment`,
          true,
        );
      }
    }
  }

  /** The report of whole-stream run `run` of `name`, if stored. */
  async getRun(name: string, run: number): Promise<StoredReport | undefined> {
    const item = await this.getItem(this.iterationsTable, ItemKeys.run(name, run));
    return item === undefined ? undefined : reportOf(item, ItemKeys.runRef(name, run));
  }

  /** The first and the latest run number of `name`; `undefined` when it has no run. */
  async runRange(name: string): Promise<{ first: number; latest: number } | undefined> {
    const edge = async (forward: boolean): Promise<number | undefined> => {
      const out = await this.call(this.iterationsTable, 'Query', () =>
        this.dynamo.bounded((o) =>
          this.dynamo.client.send(
            new QueryCommand({
              TableName: this.iterationsTable,
              KeyConditionExpression: 'PK = :pk',
              ExpressionAttributeValues: { ':pk': { S: ItemKeys.runPk(name) } },
              ProjectionExpression: 'SK',
              ScanIndexForward: forward,
              Limit: 1,
              ConsistentRead: true,
            }),
            o,
          ),
        ),
      );
      const sk = out.Items?.[0]?.['SK']?.N;
      return sk === undefined ? undefined : Number(sk);
    };
    const latest = await edge(false);
    if (latest === undefined) return undefined;
    return { first: (await edge(true)) ?? latest, latest };
  }

  /**
   * Stores iteration n's report once; a second store of the same n fails.
   *
   * @throws {IterationConflictError} when a report for n exists already.
   * @throws {ReportTooLargeError} when the item would pass DynamoDB's 400 KB limit.
   */
  async putReport(report: StoredReport): Promise<void> {
    const text = itemText(
      report,
      (bytes) => new ReportTooLargeError(bytes, DynamoDbLimits.MAX_ITEM_BYTES),
    );
    const stored = await this.putNew(
      {
        ...ItemKeys.report(report.name, report.iteration),
        stream: { S: report.stream },
        report: { S: text },
      },
      'store report',
    );
    if (!stored) {
      throw new IterationConflictError(report.name, report.iteration, 'report already stored');
    }
  }

  /**
   * Puts an item into the iterations table unless one with its key exists: false then.
   * Other failures are translated with `what` naming the call.
   */
  private async putNew(item: Item, what: string): Promise<boolean> {
    try {
      await this.dynamo.bounded((o) =>
        this.dynamo.client.send(
          new PutItemCommand({
            TableName: this.iterationsTable,
            Item: item,
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
          o,
        ),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw translate(err, what, this.iterationsTable);
    }
  }

  /**
   * Stores the result of the `index`-th saved query of an iteration. Writing it again replaces
   * it: the results belong to the stored cut, so a second run computes the same.
   *
   * @throws {SavedQueryTooLargeError} when the item would pass DynamoDB's 400 KB limit.
   */
  async putSavedQueryResult(result: StoredQueryResult, index: number): Promise<void> {
    const text = itemText(
      result,
      (bytes) => new SavedQueryTooLargeError(result.query, bytes, DynamoDbLimits.MAX_ITEM_BYTES),
    );
    const item: Item = {
      ...ItemKeys.savedQuery(result.name, result.iteration, index),
      query: { S: result.query },
      result: { S: text },
    };
    await this.call(this.iterationsTable, 'PutItem', () =>
      this.dynamo.bounded((o) =>
        this.dynamo.client.send(
          new PutItemCommand({ TableName: this.iterationsTable, Item: item }),
          o,
        ),
      ),
    );
  }

  /**
   * The saved-query results stored with iteration n, in `--query` order (none: empty); items a
   * run with more queries left behind are skipped.
   */
  async getSavedQueryResults(name: string, iteration: number): Promise<StoredQueryResult[]> {
    const pk = ItemKeys.savedQueriesPk(name, iteration);
    const results: StoredQueryResult[] = [];
    const items = await queryAll(
      this.dynamo,
      {
        TableName: this.iterationsTable,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': { S: pk } },
        ConsistentRead: true,
      },
      'Query',
    );
    for (const item of items) {
      const where = `${pk} / ${item['SK']?.N ?? '?'}`;
      const text = item['result']?.S;
      if (text === undefined) throw new CorruptItemError(where, 'no result attribute');
      try {
        results.push(JSON.parse(text) as StoredQueryResult);
      } catch (err) {
        throw new CorruptItemError(where, 'result is not JSON', err);
      }
    }
    // Items come in SK order; the first is always rewritten, so its count is the latest run's.
    return results.slice(0, results[0]?.ofQueries ?? 0);
  }

  /** Writes one shard's checkpoint for n; writing the same values again changes nothing. */
  async putCheckpoint(
    name: string,
    stream: string,
    iteration: number,
    window: ShardWindow,
  ): Promise<void> {
    const item: Item = {
      ...ItemKeys.checkpoint(name, stream, window.shardId, iteration),
      records: { N: String(window.records) },
      closed: { BOOL: window.closed },
      stopReason: { S: window.stopReason },
      parentShardIds: { S: JSON.stringify(window.parentShardIds) },
    };
    if (window.startAfterSeq !== undefined) item['startAfterSeq'] = { S: window.startAfterSeq };
    if (window.endSeq !== undefined) item['endSeq'] = { S: window.endSeq };
    await this.call(this.checkpointsTable, 'PutItem', () =>
      this.dynamo.bounded((o) =>
        this.dynamo.client.send(
          new PutItemCommand({ TableName: this.checkpointsTable, Item: item }),
          o,
        ),
      ),
    );
  }

  async getCheckpoint(
    name: string,
    stream: string,
    shardId: string,
    iteration: number,
  ): Promise<CheckpointItem | undefined> {
    const item = await this.getItem(
      this.checkpointsTable,
      ItemKeys.checkpoint(name, stream, shardId, iteration),
    );
    if (item === undefined) return undefined;
    const startAfterSeq = item['startAfterSeq']?.S;
    const endSeq = item['endSeq']?.S;
    return {
      name,
      stream,
      iteration,
      shardId,
      parentShardIds: JSON.parse(item['parentShardIds']?.S ?? '[]') as string[],
      ...(startAfterSeq === undefined ? {} : { startAfterSeq }),
      ...(endSeq === undefined ? {} : { endSeq }),
      records: Number(item['records']?.N ?? 0),
      closed: item['closed']?.BOOL ?? false,
      stopReason: (item['stopReason']?.S ?? 'notRead') as CheckpointItem['stopReason'],
    };
  }

  /**
   * Marks n committed. Idempotent: committing an already committed n succeeds.
   *
   * @throws {IterationConflictError} when another owner holds n and has not committed it.
   */
  async commitIteration(name: string, iteration: number, owner: string): Promise<void> {
    try {
      await this.dynamo.bounded((o) =>
        this.dynamo.client.send(
          new UpdateItemCommand({
            TableName: this.iterationsTable,
            Key: ItemKeys.iteration(name, iteration),
            UpdateExpression: 'SET #status = :committed, reportKey = :reportKey, committedAt = :at',
            ConditionExpression: '#status = :committed OR #owner = :owner',
            ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
            ExpressionAttributeValues: {
              ':committed': { S: IterationStatuses.committed },
              ':owner': { S: owner },
              ':reportKey': { S: ItemKeys.reportRef(name, iteration) },
              ':at': { S: new Date().toISOString() },
            },
          }),
          o,
        ),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        throw new IterationConflictError(
          name,
          iteration,
          'taken over by another run before commit',
          err,
        );
      }
      throw translate(err, 'commit iteration', this.iterationsTable);
    }
  }

  /**
   * Records that `owner` advances `name` in `mode` until now + `holdMs`: succeeds when nobody
   * holds the name, when it is held in the same mode (several single runs, or several workers,
   * share it), or when the other mode's hold ran out.
   *
   * @throws {NameInUseError} when the other mode holds the name, naming who and until when.
   */
  async holdRunner(name: string, mode: RunnerMode, owner: string, holdMs: number): Promise<void> {
    const now = Date.now();
    try {
      await this.dynamo.bounded((o) =>
        this.dynamo.client.send(
          new UpdateItemCommand({
            TableName: this.iterationsTable,
            Key: ItemKeys.runner(name),
            UpdateExpression: 'SET #mode = :mode, #by = :owner, untilMs = :until',
            ConditionExpression: 'attribute_not_exists(PK) OR #mode = :mode OR untilMs < :now',
            ExpressionAttributeNames: { '#mode': 'mode', '#by': 'by' },
            ExpressionAttributeValues: {
              ':mode': { S: mode },
              ':owner': { S: owner },
              ':until': { N: String(now + holdMs) },
              ':now': { N: String(now) },
            },
          }),
          o,
        ),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException))
        throw translate(err, 'hold name', this.iterationsTable);
      const held = await this.getItem(this.iterationsTable, ItemKeys.runner(name));
      const by = held?.['by']?.S ?? 'another run';
      const until = new Date(Number(held?.['untilMs']?.N ?? now)).toISOString();
      throw mode === RunnerModes.single
        ? new NameInUseError(
            name,
            `--workers (${by} and any others, held until at least ${until})`,
            'run this with --workers to join them, or stop them first (their hold then ends ' +
              'at once, or by that time if they crashed)',
            err,
          )
        : new NameInUseError(
            name,
            `a single kinlog analyze (${by}, held until at least ${until})`,
            'stop it first (its hold then ends at once, or by that time if it crashed), or give ' +
              'the workers another --name',
            err,
          );
    }
  }

  /** Ends `owner`'s hold on `name` at once, if it was the last to renew it (else it runs out). */
  async releaseRunner(name: string, mode: RunnerMode, owner: string): Promise<void> {
    try {
      // Called when stopping, often once the signal fired: bounded, not ended by it.
      await this.dynamo.boundedWhileStopping((o) =>
        this.dynamo.client.send(
          new UpdateItemCommand({
            TableName: this.iterationsTable,
            Key: ItemKeys.runner(name),
            UpdateExpression: 'SET untilMs = :zero',
            ConditionExpression: '#mode = :mode AND #by = :owner',
            ExpressionAttributeNames: { '#mode': 'mode', '#by': 'by' },
            ExpressionAttributeValues: {
              ':zero': { N: '0' },
              ':mode': { S: mode },
              ':owner': { S: owner },
            },
          }),
          o,
        ),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException))
        throw translate(err, 'release name', this.iterationsTable);
    }
  }

  private async getItem(table: string, key: Item): Promise<Item | undefined> {
    const out = await this.call(table, 'GetItem', () =>
      this.dynamo.bounded((o) =>
        this.dynamo.client.send(
          new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
          o,
        ),
      ),
    );
    return out.Item;
  }

  /** Runs an idempotent call, retrying throttling and transient failures with core's backoff. */
  private async call<T>(table: string, what: string, send: () => Promise<T>): Promise<T> {
    try {
      return await this.dynamo.retrying(send);
    } catch (err) {
      throw translate(err, `${what} on ${table}`, table);
    }
  }
}

/** The stored report in an item's `report` attribute, read through {@link readStoredReport}. */
function reportOf(item: Item, where: string): StoredReport {
  const text = item['report']?.S;
  if (text === undefined) throw new CorruptItemError(where, 'no report attribute');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new CorruptItemError(where, 'report is not JSON', err);
  }
  return readStoredReport(json, where);
}

function fromIteration(item: IterationItem): Item {
  return {
    ...ItemKeys.iteration(item.name, item.iteration),
    stream: { S: item.stream },
    status: { S: item.status },
    owner: { S: item.owner },
    leaseExpiresAtMs: { N: String(item.leaseExpiresAtMs) },
  };
}

function toIteration(item: Item): IterationItem {
  const pk = item['PK']?.S ?? '';
  const status = item['status']?.S;
  if (status !== IterationStatuses.running && status !== IterationStatuses.committed) {
    throw new CorruptItemError(pk, `unknown status ${String(status)}`);
  }
  const reportKey = item['reportKey']?.S;
  const emailSentAt = item['emailSentAt']?.S;
  return {
    name: ItemKeys.nameOfIterationPk(pk),
    iteration: Number(item['SK']?.N),
    stream: item['stream']?.S ?? '',
    status,
    owner: item['owner']?.S ?? '',
    leaseExpiresAtMs: Number(item['leaseExpiresAtMs']?.N ?? 0),
    ...(reportKey === undefined ? {} : { reportKey }),
    ...(emailSentAt === undefined ? {} : { emailSentAt }),
  };
}

/**
 * A value's JSON for one item's attribute, refused with `tooLarge(bytes)` when the item (the
 * text plus the other attributes' allowance) would pass DynamoDB's item limit.
 */
function itemText(value: unknown, tooLarge: (bytes: number) => Error): string {
  const text = JSON.stringify(value);
  const bytes = Buffer.byteLength(text) + CheckpointStoreDefaults.ITEM_OVERHEAD_BYTES;
  if (bytes > DynamoDbLimits.MAX_ITEM_BYTES) throw tooLarge(bytes);
  return text;
}
