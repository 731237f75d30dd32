import type { ShardSource } from '@kinlog/analyzer';
import { EventColumns, MetaColumns } from '../columns/column-types.js';
import {
  RowEncoder,
  timestampText,
  type ColumnSpec,
  type EncodeStats,
} from '../columns/row-encoder.js';
import { QuerySessionLimits, type QuerySession } from '../engine/query-session.js';
import { readWindowRows, type ReadWindowOptions } from '../window/read-window-rows.js';
import type { StreamWindow } from '../window/stream-window.js';
import type { SpoolDirectory } from './ndjson-spool.js';

/** Counted in `nulled` for rows past MAX_OBJECT_BYTES, loaded with their meta columns only. */
export const OVERSIZED_ROW = 'oversized rows (fields and _raw)';

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
  options: ReadWindowOptions = {},
): Promise<LoadedTable> {
  const encoder = new RowEncoder(EventColumns, MetaColumns);
  const file = await spool.file(table);
  let outcome;
  try {
    outcome = await readWindowRows(
      source,
      window,
      {
        row: (event, line, origin) => {
          const meta = {
            _stream: window.stream,
            _shard: origin.shardId,
            _seq: origin.sequenceNumber,
            _arrival: timestampText(origin.arrivalMs),
            _partition_key: origin.partitionKey,
            _format: origin.format,
          };
          const row = encoder.encode(event, { ...meta, _raw: line });
          // UTF-8 takes at most 3 bytes per UTF-16 unit: only then is the row measured.
          if (
            row.length * 3 <= QuerySessionLimits.MAX_OBJECT_BYTES ||
            Buffer.byteLength(row) <= QuerySessionLimits.MAX_OBJECT_BYTES
          ) {
            file.push(row);
            return;
          }
          encoder.stats.nulled[OVERSIZED_ROW] = (encoder.stats.nulled[OVERSIZED_ROW] ?? 0) + 1;
          file.push(encoder.encode({}, meta));
        },
        afterPage: () => file.flushIfFull(),
      },
      options,
    );
  } finally {
    await file.close();
  }
  const columns = encoder.columns();
  await session.loadNdjson(table, file.path, columns);
  return {
    table,
    stream: window.stream,
    window: window.label,
    records: outcome.records,
    rows: file.lines,
    columns,
    encode: encoder.stats,
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
  const file = await spool.file(table);
  try {
    for await (const row of rows) {
      file.push(encoder.encode(row));
      await file.flushIfFull();
    }
  } finally {
    await file.close();
  }
  const columns = encoder.columns();
  await session.loadNdjson(table, file.path, columns);
  return { rows: file.lines, columns };
}
