import type { ShardSource } from '@kinlog/analyzer';
import type { LogEvent } from '@kinlog/core';
import { fixedColumns } from '../columns/column-schema.js';
import { MetaColumns, type ColumnType } from '../columns/column-types.js';
import {
  RowEncoder,
  timestampText,
  type ColumnSpec,
  type EncodeStats,
} from '../columns/row-encoder.js';
import { QuerySessionLimits, type QuerySession } from '../session/query-session.js';
import {
  readWindowRows,
  type ReadWindowOptions,
  type RowOrigin,
} from '../window/read-window-rows.js';
import type { StreamWindow } from '../window/stream-window.js';
import type { SpoolDirectory } from './ndjson-spool.js';
import { OVERSIZED_ROW, StreamRowWriter } from './stream-row-writer.js';
import { SpoolFormats, TableLoader, TableLoaderLimits } from './table-loader.js';

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
  const encoder = new RowEncoder(fixedColumns(options.columnTypes), MetaColumns);
  const loader = new TableLoader(
    session,
    spool,
    table,
    encoder,
    TableLoaderLimits.CHUNK_ROWS,
    SpoolFormats.streamRows,
  );
  const writer = new StreamRowWriter(encoder, loader, window.stream);
  let outcome;
  try {
    outcome = await readWindowRows(
      source,
      window,
      {
        row: (event, line, origin) => writer.row(event, line, origin),
        afterPage: () => loader.settle(),
      },
      options,
    );
  } catch (err) {
    await loader.abandon();
    throw err;
  }
  const { rows, columns } = await loader.finish();
  return {
    table,
    stream: window.stream,
    window: window.label,
    records: outcome.records,
    rows,
    columns,
    encode: encoder.stats,
  };
}

/**
 * The row handler of a stream table loaded as NDJSON rows (a `TableLoader` in its default
 * format): each event with its meta columns, encoded and added to `loader` (a row past
 * `MAX_OBJECT_BYTES` keeps its meta columns only, and is counted). The same rows as
 * {@link StreamRowWriter} spools for {@link loadStreamTable}.
 *
 * @example
 * ```ts
 * const add = streamRowAdder(new RowEncoder(EventColumns, MetaColumns), loader, 'web-logs');
 * add({ status: 500 }, '{"status":500}', origin);
 * ```
 */
export function streamRowAdder(
  encoder: RowEncoder,
  loader: TableLoader,
  stream: string,
): (event: LogEvent, line: string, origin: RowOrigin) => void {
  // Records of a page mostly share their arrival millisecond: its text is made once.
  let arrivalMs = Number.NaN;
  let arrival: string | undefined;
  return (event, line, origin) => {
    if (origin.arrivalMs !== arrivalMs) {
      arrivalMs = origin.arrivalMs;
      arrival = timestampText(arrivalMs);
    }
    const meta = {
      _stream: stream,
      _shard: origin.shardId,
      _seq: origin.sequenceNumber,
      _arrival: arrival,
      _partition_key: origin.partitionKey,
      _format: origin.format,
    };
    const row = encoder.encode(event, { ...meta, _raw: line });
    // UTF-8 takes at most 3 bytes per UTF-16 unit: only then is the row measured.
    if (
      row.length * 3 <= QuerySessionLimits.MAX_OBJECT_BYTES ||
      Buffer.byteLength(row) <= QuerySessionLimits.MAX_OBJECT_BYTES
    ) {
      loader.add(row);
      return;
    }
    encoder.stats.nulled[OVERSIZED_ROW] = (encoder.stats.nulled[OVERSIZED_ROW] ?? 0) + 1;
    loader.add(encoder.encode({}, meta));
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
