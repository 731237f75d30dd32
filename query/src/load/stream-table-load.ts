/*
 *   decoded event + line + origin ─▶ StreamRowWriter (fields JSON ⇥ meta ⇥ raw) ─▶ TableLoader
 *   (chunk files of stream rows, each read by read_csv + json_transform while the next fills)
 *   ─▶ the stored rows, and the view of the table's name in front of them (stream-row-format.ts)
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
import { streamRowsView, type MetaCodes } from './stream-row-format.js';
import { StreamRowWriter } from './stream-row-writer.js';
import { SpoolFormats, TableLoader, TableLoaderLimits } from './table-loader.js';
import { ValueCodes } from './value-codes.js';

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
  private readonly codes: MetaCodes = { _shard: new ValueCodes(), _format: new ValueCodes() };

  constructor(
    private readonly session: QuerySession,
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
    );
    this.writer = new StreamRowWriter(this.encoder, this.loader, this.codes);
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
  async finish(): Promise<{ rows: number; columns: ColumnSpec[] }> {
    const loaded = await this.loader.finish();
    await this.session.exec(streamRowsView(this.table, loaded.columns, this.stream, this.codes));
    return loaded;
  }

  /** Stops after a failure: removes the chunk files not loaded and waits for the one loading. */
  abandon(): Promise<void> {
    return this.loader.abandon();
  }
}
