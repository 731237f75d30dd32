/*
 *   Analyzer reads iteration n ─▶ begin: a private database + spool ─▶ each decoded event
 *   ─▶ table `logs` (the columns of `kinlog query`) ─▶ end(report): lock the database down, run
 *   every saved query (at most MAX_ROWS rows each) ─▶ a new iteration stores each result in its
 *   own item before the commit; a rerun only hands them on ─▶ close: database and spool gone
 */
import {
  SavedQueryLimits,
  StoredQueryResultFormats,
  WindowReadKinds,
  type DynamoCheckpointStore,
  type StoredQueryResult,
  type WindowHook,
  type WindowReadInfo,
  type WindowSink,
} from '@kinlog/analyzer';
import { ConfigError } from '@kinlog/core';
import { QuerySession } from '../session/query-session.js';
import { QueryError, SqlError } from '../errors.js';
import { SpoolDirectory } from '../load/ndjson-spool.js';
import { StreamTableLoad } from '../load/stream-table-load.js';
import { recordFormat } from '../window/read-window-rows.js';

/** The table a saved query reads the window's events from. */
export const SAVED_QUERY_TABLE = 'logs';

/** One saved query: `--query <name>=file.sql`. */
export interface SavedQuery {
  readonly name: string;
  readonly sql: string;
}

export interface SavedQueryHookOptions {
  readonly queries: readonly SavedQuery[];
  /** Where a new iteration's results are stored (the analyzer's store). */
  readonly store: DynamoCheckpointStore;
  readonly memoryLimit?: string;
  readonly maxSpoolBytes?: number;
  readonly tempDirectory?: string;
  /** Each read's results, in `queries` order (after they are stored, for a new iteration). */
  readonly onResults?: (info: WindowReadInfo, results: readonly StoredQueryResult[]) => void;
}

const QUERY_NAME = /^[\w.-]{1,64}$/;

/** Problems with a list of saved queries, named by option. */
export function savedQueryProblems(
  queries: readonly SavedQuery[],
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (queries.length > SavedQueryLimits.MAX_QUERIES)
    problems.push({
      path: '--query',
      message: `at most ${SavedQueryLimits.MAX_QUERIES} saved queries per iteration`,
    });
  const seen = new Set<string>();
  for (const q of queries) {
    if (!QUERY_NAME.test(q.name))
      problems.push({
        path: '--query',
        message: `name ${JSON.stringify(q.name)} must be 1 to 64 letters, digits, _ . or -`,
      });
    else if (seen.has(q.name))
      problems.push({ path: '--query', message: `${q.name} is used twice` });
    seen.add(q.name);
    if (q.sql.trim() === '') problems.push({ path: '--query', message: `${q.name} has no SQL` });
  }
  return problems;
}

/**
 * The window hook that runs saved queries over each iteration's window (the same records the
 * top-N counts, as table `logs`) and stores their results with the iteration.
 *
 * @example
 * ```ts
 * const analyzer = new Analyzer({
 *   name: 'web', stream: 'web-logs', store,
 *   windowHook: savedQueryHook({ store, queries: [{ name: 'by-host', sql: 'SELECT host, count(*) n FROM logs GROUP BY host ORDER BY n DESC' }] }),
 * });
 * ```
 */
export function savedQueryHook(options: SavedQueryHookOptions): WindowHook {
  const problems = savedQueryProblems(options.queries);
  if (problems.length > 0) throw new ConfigError(problems, 'invalid saved queries');
  return { begin: (info) => openSink(info, options) };
}

async function openSink(info: WindowReadInfo, options: SavedQueryHookOptions): Promise<WindowSink> {
  const spool = await SpoolDirectory.create(options.maxSpoolBytes, options.tempDirectory);
  let session: QuerySession;
  try {
    session = await QuerySession.open({
      ...(options.memoryLimit === undefined ? {} : { memoryLimit: options.memoryLimit }),
      spillDirectory: spool.spillPath,
    });
  } catch (err) {
    await spool.remove();
    throw err;
  }
  // The loader of `kinlog query`: a saved query sees the rows and types a query over the
  // stored window sees.
  const load = new StreamTableLoad(session, spool, SAVED_QUERY_TABLE, info.stream);
  let finished = false;
  let closed = false;
  return {
    event: (event, line, origin, format) =>
      load.row(event, line, { ...origin, format: recordFormat(origin.data, format) }),
    afterPage: () => load.afterPage(),
    end: async (report) => {
      await load.finish();
      finished = true;
      await session.lock();
      const results: StoredQueryResult[] = [];
      for (const q of options.queries) {
        const { columns, rows } = await runSaved(session, q);
        results.push({
          formatVersion: StoredQueryResultFormats.v1,
          name: report.name,
          iteration: report.iteration,
          query: q.name,
          sql: q.sql,
          columns,
          rows,
          ranAt: new Date().toISOString(),
          ofQueries: options.queries.length,
        });
      }
      if (info.kind === WindowReadKinds.iteration) {
        for (const [i, result] of results.entries())
          await options.store.putSavedQueryResult(result, i);
      }
      options.onResults?.(info, results);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      if (!finished) await load.abandon();
      session.close();
      await spool.remove();
    },
  };
}

async function runSaved(session: QuerySession, q: SavedQuery): ReturnType<QuerySession['run']> {
  try {
    return await session.run(q.sql, SavedQueryLimits.MAX_ROWS);
  } catch (err) {
    if (err instanceof SqlError)
      throw new SqlError(`saved query ${q.name}: ${err.message}`, undefined, err);
    if (err instanceof QueryError && err.code === 'RESULT_TOO_LARGE') {
      throw new QueryError(
        `saved query ${q.name} returned more than ${SavedQueryLimits.MAX_ROWS} rows, the most ` +
          'stored with an iteration: aggregate further or add a LIMIT',
        { code: 'RESULT_TOO_LARGE', cause: err },
      );
    }
    throw err;
  }
}
