/*
 *   decoded event + line + origin ─▶ StreamRowWriter (fields JSON ⇥ meta ⇥ raw) ─▶ TableLoader
 *   (chunk files of stream rows, each read by read_csv + json_transform while the next fills)
 * The one way a stream's events become a table: `kinlog query`, `kinlog export` and the saved
 * queries of `kinlog analyze --query` all load through it, so their rows and types are the same.
 */
import type { LogEvent } from '@kinlog/core';
import { fixedColumns } from '../columns/column-schema.js';
import { MetaColumns, type ColumnType } from '../columns/column-types.js';
import { RowEncoder, type ColumnSpec, type EncodeStats } from '../columns/row-encoder.js';
import type { QuerySession } from '../session/query-session.js';
import type { RowOrigin } from '../window/read-window-rows.js';
import type { SpoolDirectory } from './ndjson-spool.js';
import { StreamRowWriter } from './stream-row-writer.js';
import { SpoolFormats, TableLoader, TableLoaderLimits } from './table-loader.js';

/**
 * One stream table being loaded: rows go in one decoded event at a time, and are written out
 * and loaded between pages, so only about a chunk of rows is held in the process.
 *
 * @example
 * ```ts
 * const load = new StreamTableLoad(session, spool, 'logs', 'web-logs');
 * load.row(event, line, origin);
 * await load.afterPage();
 * const { rows, columns } = await load.finish();
 * ```
 */
export class StreamTableLoad {
  readonly encoder: RowEncoder;
  private readonly loader: TableLoader;
  private readonly writer: StreamRowWriter;

  constructor(
    session: QuerySession,
    spool: SpoolDirectory,
    readonly table: string,
    readonly stream: string,
    /** Column types pinned beyond the common event fields' (a `--schema` file). */
    columnTypes?: Readonly<Record<string, ColumnType>>,
    /** Rows per chunk file (fewer under a memory limit: see TableLoaderLimits). */
    readonly chunkRows: number = session.memoryLimited
      ? TableLoaderLimits.MEMORY_LIMITED_CHUNK_ROWS
      : TableLoaderLimits.CHUNK_ROWS,
  ) {
    this.encoder = new RowEncoder(fixedColumns(columnTypes), MetaColumns);
    this.loader = new TableLoader(
      session,
      spool,
      table,
      this.encoder,
      chunkRows,
      SpoolFormats.streamRows,
      stream,
    );
    this.writer = new StreamRowWriter(this.encoder, this.loader);
  }

  /** What the encoder changed to make values fit, so far. */
  get stats(): EncodeStats {
    return this.encoder.stats;
  }

  /** Adds the row of one decoded event. */
  row(event: LogEvent, line: string, origin: RowOrigin): void {
    this.writer.row(event, line, origin);
  }

  /** Writes the rows added so far and starts loading full chunks (call between pages). */
  afterPage(): Promise<void> {
    return this.loader.settle();
  }

  /** Loads what is left; the table exists afterwards, maybe empty. */
  finish(): Promise<{ rows: number; columns: ColumnSpec[] }> {
    return this.loader.finish();
  }

  /** Stops after a failure: removes the chunk files not loaded and waits for the one loading. */
  abandon(): Promise<void> {
    return this.loader.abandon();
  }
}
