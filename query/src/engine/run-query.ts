/*
 *   openWindowSession (tables loaded) ─▶ lock() unless allowFiles ─▶ user SQL ─▶ result
 *   with `out`: the result goes to a second database that only kinlog's own COPY runs in
 */
import type { QueryResult } from '../session/query-session.js';
import { QuerySession, quoteIdent } from '../session/query-session.js';
import {
  openWindowSession,
  type WindowSession,
  type WindowSessionOptions,
} from './window-session.js';
import type { LoadedTable } from '../load/load-stream-table.js';
import { rowObject } from '../output/render-result.js';
import { fileFormatOf, writeTableFile } from '../output/write-table-file.js';

export interface RunQueryOptions extends WindowSessionOptions {
  readonly sql: string;
  /** Leave file access on for user SQL (read_csv of local files, COPY TO). */
  readonly allowFiles?: boolean;
  /** Also write the result here (.parquet, .csv, .ndjson), through a temp name. */
  readonly out?: string;
}

/** A query's result and what was loaded for it. */
export interface QueryOutcome {
  readonly result: QueryResult;
  readonly loaded: readonly LoadedTable[];
  readonly dynamo: WindowSession['dynamo'];
}

/**
 * Loads the tables, locks the database down and runs one query.
 *
 * @throws {SqlError} for SQL DuckDB refuses (file access included, unless `allowFiles`).
 * @example
 * ```ts
 * const { result } = await runQuery({
 *   sql: 'SELECT region, count(*) n FROM logs GROUP BY ALL ORDER BY n DESC',
 *   tables: [{ table: 'logs', stream: 'web-logs' }],
 *   window: { type: 'iteration', name: 'web', iteration: 3 },
 * });
 * ```
 */
export async function runQuery(options: RunQueryOptions): Promise<QueryOutcome> {
  const format = options.out === undefined ? undefined : fileFormatOf(options.out);
  const ws = await openWindowSession(options);
  try {
    if (options.allowFiles !== true) await ws.session.lock();
    const result = await ws.session.run(options.sql);
    if (options.out !== undefined && format !== undefined) {
      await writeResultFile(result, options.out, ws);
    }
    return { result, loaded: ws.loaded, dynamo: ws.dynamo };
  } finally {
    await ws.close();
  }
}

/** The result, loaded with its own column types into a second database, copied to `path`. */
async function writeResultFile(
  result: QueryResult,
  path: string,
  ws: WindowSession,
): Promise<void> {
  const writer = await QuerySession.open({ spillDirectory: ws.spool.spillPath });
  try {
    const file = ws.spool.file('result');
    try {
      for (const row of result.rows) {
        file.push(JSON.stringify(rowObject(result, row)));
        await file.flushIfFull();
      }
    } finally {
      await file.close();
    }
    const names = Object.keys(
      rowObject(
        result,
        result.columns.map(() => null),
      ),
    );
    await writer.loadNdjson(
      'result',
      file.path,
      result.columns.map((c, i) => ({ name: names[i] ?? c.name, type: c.type as never })),
    );
    await writeTableFile(writer, `SELECT * FROM ${quoteIdent('result')}`, path, fileFormatOf(path));
  } finally {
    writer.close();
  }
}
