import type { AwsConnectionOptions } from '@kinlog/core';
import {
  DynamoCheckpointStore,
  type CheckpointStoreOptions,
} from '../checkpoint/dynamo-checkpoint-store.js';
import { IterationStatuses } from '../checkpoint/stored-items.js';
import type { StoredReport } from '../checkpoint/stored-report.js';
import { CorruptItemError, IterationNotFoundError, RunNotFoundError } from '../errors.js';
import { lookupPageOwners } from './owners-table.js';
import { buildReportView, ReportViewDefaults, type ReportView } from '../report/report-view.js';

export interface LoadReportOptions {
  readonly name: string;
  /** A committed iteration; absent = the latest committed one (unless `run`). */
  readonly iteration?: number;
  /** A stored whole-stream run instead of an iteration (no trend: runs overlap). */
  readonly run?: number;
  readonly top?: number;
  /** DynamoDB table mapping page → owner/team; absent = no owner column. */
  readonly ownersTable?: string;
  readonly dynamodb?: CheckpointStoreOptions;
  /** Where the owners table lives; defaults to `dynamodb`'s connection. */
  readonly ownersConnection?: AwsConnectionOptions;
  /** A ready-made store (closed by its owner). */
  readonly store?: DynamoCheckpointStore;
}

/**
 * Reads the stored report of a committed iteration (never the stream) and builds its view.
 *
 * @throws {IterationNotFoundError} when the iteration (or any iteration, for the latest) is not
 *   committed.
 * @example
 * ```ts
 * const view = await loadReportView({ name: 'web', top: 10 });
 * ```
 */
export async function loadReportView(options: LoadReportOptions): Promise<ReportView> {
  const store = options.store ?? new DynamoCheckpointStore(options.dynamodb);
  try {
    if (options.run !== undefined) return await loadRunView(store, options, options.run);
    const iteration = options.iteration ?? (await latestCommitted(store, options.name));
    const item = await store.getIteration(options.name, iteration);
    if (item?.status !== IterationStatuses.committed)
      throw new IterationNotFoundError(options.name, iteration);
    const stored = await store.getReport(options.name, iteration);
    if (stored === undefined)
      throw new CorruptItemError(
        `${options.name}#REPORT / ${iteration}`,
        'committed but no report stored',
      );
    const top = options.top ?? ReportViewDefaults.TOP;
    const pages = stored.result.rows.slice(0, top).map((r) => r.page);
    const owners =
      options.ownersTable === undefined
        ? undefined
        : await lookupPageOwners(
            options.ownersTable,
            pages,
            options.ownersConnection ?? options.dynamodb,
          );
    const history = await loadHistory(store, options.name, iteration);
    return buildReportView(stored, {
      top,
      history,
      ...(owners === undefined ? {} : { owners }),
    });
  } finally {
    if (options.store === undefined) store.close();
  }
}

async function loadRunView(
  store: DynamoCheckpointStore,
  options: LoadReportOptions,
  run: number,
): Promise<ReportView> {
  const stored = await store.getRun(options.name, run);
  if (stored === undefined) {
    const range = await store.runRange(options.name);
    throw new RunNotFoundError(
      options.name,
      run,
      range === undefined
        ? 'the name has no stored run'
        : `not stored (runs ${range.first} to ${range.latest} are)`,
    );
  }
  const top = options.top ?? ReportViewDefaults.TOP;
  const owners =
    options.ownersTable === undefined
      ? undefined
      : await lookupPageOwners(
          options.ownersTable,
          stored.result.rows.slice(0, top).map((r) => r.page),
          options.ownersConnection ?? options.dynamodb,
        );
  return buildReportView(stored, { top, ...(owners === undefined ? {} : { owners }) });
}

async function latestCommitted(store: DynamoCheckpointStore, name: string): Promise<number> {
  const latest = await store.latestIteration(name);
  if (latest === undefined) throw new IterationNotFoundError(name, 1);
  // Only the highest iteration can be running; the one before it is committed (or absent).
  if (latest.status === IterationStatuses.committed) return latest.iteration;
  if (latest.iteration <= 1) throw new IterationNotFoundError(name, latest.iteration);
  return latest.iteration - 1;
}

/**
 * Up to `TREND_ITERATIONS` stored reports before `iteration`, newest first, as far back as they
 * are stored and readable: an unreadable older report ends the trend there rather than failing
 * the report being read.
 */
async function loadHistory(
  store: DynamoCheckpointStore,
  name: string,
  iteration: number,
): Promise<StoredReport[]> {
  const history: StoredReport[] = [];
  for (let n = iteration - 1; n >= 1 && history.length < ReportViewDefaults.TREND_ITERATIONS; n--) {
    let stored: StoredReport | undefined;
    try {
      stored = await store.getReport(name, n);
    } catch (err) {
      if (err instanceof CorruptItemError) break;
      throw err;
    }
    if (stored === undefined) break;
    history.push(stored);
  }
  return history;
}
