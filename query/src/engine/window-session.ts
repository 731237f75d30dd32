/*
 *   tables (name = stream) ─▶ one window each (iteration k's stored cut, or the whole stream)
 *   ─▶ loaded through a private spool directory ─┐
 *   DynamoDB tables ─▶ scanned ─▶ loaded ─────────┴▶ QuerySession (memory limit, spills in the
 *   spool directory) ─▶ close(): database closed, spool directory removed
 */
import {
  DynamoCheckpointStore,
  KinesisShardSource,
  type CheckpointStoreOptions,
  type DecoderParser,
  type ShardSource,
} from '@kinlog/analyzer';
import { ConfigError, type AwsConnectionOptions } from '@kinlog/core';
import type { ColumnType } from '../columns/column-types.js';
import { scanDynamoTable } from '../dynamo/scan-dynamo-table.js';
import { loadRows, loadStreamTable, type LoadedTable } from '../load/load-stream-table.js';
import { SpoolDirectory } from '../load/ndjson-spool.js';
import { iterationWindow, wholeStreamWindow, type StreamWindow } from '../window/stream-window.js';
import { QuerySession } from '../session/query-session.js';

/** A SQL table read from a Kinesis stream. */
export interface StreamTable {
  readonly table: string;
  readonly stream: string;
}

/** A SQL table read from a DynamoDB table. */
export interface DynamoTable {
  readonly table: string;
  readonly dynamoTable: string;
}

/** Which records the stream tables hold. */
export type WindowChoice =
  | { readonly type: 'iteration'; readonly name: string; readonly iteration: number }
  | { readonly type: 'wholeStream'; readonly sinceMs?: number };

export interface WindowSessionOptions {
  readonly tables: readonly StreamTable[];
  readonly dynamodbTables?: readonly DynamoTable[];
  readonly window: WindowChoice;
  readonly kinesis?: AwsConnectionOptions;
  /** Where the analyzer's iterations are stored (and DynamoDB tables are scanned). */
  readonly dynamodb?: CheckpointStoreOptions;
  readonly parser?: DecoderParser;
  /** Column types pinned for every stream table (a `--schema` file). */
  readonly columnTypes?: Readonly<Record<string, ColumnType>>;
  readonly memoryLimit?: string;
  readonly maxSpoolBytes?: number;
  readonly tempDirectory?: string;
  readonly signal?: AbortSignal;
  readonly minCallIntervalMs?: number;
  /** Ready-made clients (tests); closed by their owner. */
  readonly source?: ShardSource;
  readonly store?: DynamoCheckpointStore;
}

/** A database with the window's tables loaded. */
export interface WindowSession {
  readonly session: QuerySession;
  readonly loaded: readonly LoadedTable[];
  readonly dynamo: readonly { readonly table: string; readonly rows: number }[];
  readonly spool: SpoolDirectory;
  /** Closes the database and removes every temp file; safe to call twice. */
  close(): Promise<void>;
}

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Problems with the table list, named by option. */
export function tableProblems(
  tables: readonly StreamTable[],
  dynamodbTables: readonly DynamoTable[],
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const seen = new Set<string>();
  if (tables.length === 0)
    problems.push({
      path: '--table',
      message: 'at least one stream table is needed (--table name=stream or --stream)',
    });
  for (const [path, name] of [
    ...tables.map((t) => ['--table', t.table] as const),
    ...dynamodbTables.map((t) => ['--dynamodb', t.table] as const),
  ]) {
    if (!TABLE_NAME.test(name)) {
      problems.push({
        path,
        message: `table name ${JSON.stringify(name)} must be a SQL identifier ([A-Za-z_][A-Za-z0-9_]*)`,
      });
    } else if (seen.has(name.toLowerCase())) {
      problems.push({ path, message: `table name ${name} is used twice` });
    }
    seen.add(name.toLowerCase());
  }
  return problems;
}

/**
 * Loads every table of a query or export into a fresh database. Nothing is written to
 * DynamoDB or Kinesis: the window is read, never advanced.
 *
 * @example
 * ```ts
 * const ws = await openWindowSession({ tables: [{ table: 'logs', stream: 'web-logs' }], window: { type: 'iteration', name: 'web', iteration: 3 } });
 * try { console.log(await ws.session.run('SELECT count(*) FROM logs')); } finally { await ws.close(); }
 * ```
 */
export async function openWindowSession(options: WindowSessionOptions): Promise<WindowSession> {
  const dynamodbTables = options.dynamodbTables ?? [];
  const problems = tableProblems(options.tables, dynamodbTables);
  if (problems.length > 0) throw new ConfigError(problems, 'invalid tables');
  const source = options.source ?? new KinesisShardSource(options.kinesis);
  const store =
    options.window.type === 'iteration'
      ? (options.store ?? new DynamoCheckpointStore(options.dynamodb))
      : undefined;
  const spool = await SpoolDirectory.create(options.maxSpoolBytes, options.tempDirectory);
  let session: QuerySession | undefined;
  try {
    session = await QuerySession.open({
      ...(options.memoryLimit === undefined ? {} : { memoryLimit: options.memoryLimit }),
      spillDirectory: spool.spillPath,
    });
    const loaded: LoadedTable[] = [];
    const startedMs = Date.now();
    for (const t of options.tables) {
      const choice = options.window;
      const window: StreamWindow =
        choice.type === 'iteration'
          ? await iterationWindow(store!, choice.name, choice.iteration, t.stream)
          : await wholeStreamWindow(source, t.stream, choice.sinceMs, startedMs);
      loaded.push(
        await loadStreamTable(session, spool, source, t.table, window, {
          ...(options.parser === undefined ? {} : { parser: options.parser }),
          ...(options.columnTypes === undefined ? {} : { columnTypes: options.columnTypes }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          ...(options.minCallIntervalMs === undefined
            ? {}
            : { minCallIntervalMs: options.minCallIntervalMs }),
        }),
      );
    }
    const dynamo = [];
    for (const t of dynamodbTables) {
      const { rows } = await loadRows(
        session,
        spool,
        t.table,
        scanDynamoTable(t.dynamoTable, {
          ...options.dynamodb,
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        }),
      );
      dynamo.push({ table: t.table, rows });
    }
    const opened = session;
    let closed = false;
    return {
      session: opened,
      loaded,
      dynamo,
      spool,
      close: async () => {
        if (closed) return;
        closed = true;
        opened.close();
        await spool.remove();
      },
    };
  } catch (err) {
    session?.close();
    await spool.remove();
    throw err;
  } finally {
    if (options.source === undefined) source.close();
    if (options.store === undefined) store?.close();
  }
}
