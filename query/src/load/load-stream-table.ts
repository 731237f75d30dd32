import type { ShardSource } from '@kinlog/analyzer';
import type { ColumnType } from '../columns/column-types.js';
import { RowEncoder, type ColumnSpec, type EncodeStats } from '../columns/row-encoder.js';
import type { QuerySession } from '../session/query-session.js';
import { readWindowRows, type ReadWindowOptions } from '../window/read-window-rows.js';
import type { StreamWindow } from '../window/stream-window.js';
import type { SpoolDirectory } from './ndjson-spool.js';
import { OVERSIZED_ROW } from './stream-row-writer.js';
import { StreamTableLoad } from './stream-table-load.js';
import { TableLoader } from './table-loader.js';

/** Rows of a plain-row load written out together. */
const LOAD_ROWS_BATCH = 1_000;

export { OVERSIZED_ROW };

export interface LoadStreamOptions extends ReadWindowOptions {
  /** Column types pinned beyond the common event fields' (a `--schema` file). */
  readonly columnTypes?: Readonly<Record<string, ColumnType>>;
}

/** What loading one stream table did. */
export interface LoadedTable {
  readonly table: string;
  readonly stream: string;
  readonly window: string;
  readonly records: number;
  readonly rows: number;
  readonly columns: readonly ColumnSpec[];
  readonly encode: EncodeStats;
}

/**
 * Reads `window` and loads its events as table `table`: one row per decoded event, fixed event
 * columns, the window's other fields, and `_stream`, `_shard`, `_seq`, `_arrival`,
 * `_partition_key`, `_format`, `_raw`.
 *
 * @example
 * ```ts
 * await loadStreamTable(session, spool, source, 'logs', await iterationWindow(store, 'web', 3, 'web-logs'));
 * ```
 */
export async function loadStreamTable(
  session: QuerySession,
  spool: SpoolDirectory,
  source: ShardSource,
  table: string,
  window: StreamWindow,
  options: LoadStreamOptions = {},
): Promise<LoadedTable> {
  const load = new StreamTableLoad(session, spool, table, window.stream, options.columnTypes);
  let outcome;
  try {
    outcome = await readWindowRows(
      source,
      window,
      {
        row: (event, line, origin) => load.row(event, line, origin),
        afterPage: () => load.afterPage(),
      },
      options,
    );
  } catch (err) {
    await load.abandon();
    throw err;
  }
  const { rows, columns } = await load.finish();
  return {
    table,
    stream: window.stream,
    window: window.label,
    records: outcome.records,
    rows,
    columns,
    encode: load.stats,
  };
}

/**
 * Loads plain JSON rows (a DynamoDB scan, a result being written out) as table `table`, each
 * column typed by the values it holds.
 *
 * @example
 * ```ts
 * await loadRows(session, spool, 'campaigns', [{ id: 'c1', category: 'shoes' }]);
 * ```
 */
export async function loadRows(
  session: QuerySession,
  spool: SpoolDirectory,
  table: string,
  rows:
    Iterable<Readonly<Record<string, unknown>>> | AsyncIterable<Readonly<Record<string, unknown>>>,
  fixed: Readonly<Record<string, ColumnSpec['type']>> = {},
): Promise<{ rows: number; columns: ColumnSpec[] }> {
  const encoder = new RowEncoder(fixed);
  const loader = new TableLoader(session, spool, table, encoder);
  try {
    for await (const row of rows) {
      loader.add(encoder.encode(row));
      if (encoder.stats.rows % LOAD_ROWS_BATCH === 0) await loader.settle();
    }
  } catch (err) {
    await loader.abandon();
    throw err;
  }
  return loader.finish();
}
