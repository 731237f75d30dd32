/*
 *   rows ─▶ chunk file (≤ CHUNK_ROWS) ─┬─ full ─▶ ALTER for columns new or widened since
 *                                      │         the last chunk ─▶ INSERT … read_json(chunk)
 *                                      │         ─▶ chunk file removed
 *                                      └─ DuckDB loads chunk n while rows of chunk n+1 are
 *                                         encoded; at most MAX_PENDING_CHUNKS wait on disk
 * Every chunk is read with the columns known when it closed, so all its values fit; a later
 * chunk that widens a column (BIGINT → DOUBLE, → VARCHAR, → JSON) converts the rows already in.
 */
import { rm } from 'node:fs/promises';
import { ColumnTypes, type ColumnType } from '../columns/column-types.js';
import type { ColumnSpec, RowEncoder } from '../columns/row-encoder.js';
import { quoteIdent, type QuerySession } from '../session/query-session.js';
import { QueryError } from '../errors.js';
import type { SpoolDirectory, SpoolFile } from './ndjson-spool.js';
import { streamRowsSelect } from './stream-row-format.js';

/** Bounds of a table load. */
export const TableLoaderLimits = {
  /**
   * Rows per chunk file: large enough for DuckDB's parallel read, small enough to overlap; one
   * DuckDB row group (122,880 rows), so a chunk appended fills whole row groups instead of
   * topping up the last one (which cost about a fifth more of the load's CPU).
   */
  CHUNK_ROWS: 122_880,
  /**
   * Rows per chunk under a memory limit: DuckDB holds the chunk being inserted uncompressed
   * until it is stored, so smaller chunks lower the peak (loads run slower there anyway).
   */
  MEMORY_LIMITED_CHUNK_ROWS: 50_000,
  /** Chunks written and not yet loaded, at most (bounds the spool on disk). */
  MAX_PENDING_CHUNKS: 2,
  /** The smallest line size (and read buffer) a chunk of stream rows is read with. */
  MIN_LINE_BYTES: 1024 * 1024,
} as const;

/** How rows are spooled: NDJSON rows (encoder.encode), or stream rows (stream-row-format.ts). */
export const SpoolFormats = { ndjson: 'ndjson', streamRows: 'streamRows' } as const;
export type SpoolFormat = (typeof SpoolFormats)[keyof typeof SpoolFormats];

const LINE_END_BYTES = 1;
/** The name a table is copied under while its columns are put in order. */
const REORDER_SUFFIX = '__kinlog_ordered';

/** Integral doubles below this print as integers, as JSON wrote them. */
const MAX_EXACT_DOUBLE_INTEGER = 2 ** 53;

/**
 * The SQL turning a column of type `from` into `to` (a widening the encoder made), giving the
 * text the value had in its row: a double holding an integer came from `1`, not `1.0`.
 */
function widenExpression(column: string, from: ColumnType, to: ColumnType): string {
  if (to === ColumnTypes.json) return `to_json(${column})`;
  if (from === ColumnTypes.double && to === ColumnTypes.varchar) {
    return (
      `CASE WHEN ${column} = trunc(${column}) AND abs(${column}) < ${MAX_EXACT_DOUBLE_INTEGER} ` +
      `THEN CAST(CAST(${column} AS BIGINT) AS VARCHAR) ELSE CAST(${column} AS VARCHAR) END`
    );
  }
  return `CAST(${column} AS ${to})`;
}

/**
 * Loads rows made by one {@link RowEncoder} into one table, chunk by chunk: NDJSON rows, or
 * stream rows (see stream-row-format.ts) with `format` {@link SpoolFormats}.streamRows.
 *
 * @example
 * ```ts
 * const loader = new TableLoader(session, spool, 'logs', encoder);
 * loader.add(encoder.encode(event, meta));
 * await loader.settle();
 * const { rows } = await loader.finish();
 * ```
 */
export class TableLoader {
  rows = 0;
  private file: SpoolFile | undefined;
  private chunks = 0;
  private created = false;
  private readonly loadedTypes = new Map<string, ColumnType>();
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private failure: unknown;
  private filled: SpoolFile[] = [];

  constructor(
    private readonly session: QuerySession,
    private readonly spool: SpoolDirectory,
    private readonly table: string,
    private readonly encoder: RowEncoder,
    private readonly chunkRows: number = TableLoaderLimits.CHUNK_ROWS,
    private readonly format: SpoolFormat = SpoolFormats.ndjson,
    /** The stream stream rows come from (their `_stream`, the same for every row). */
    private readonly stream: string = '',
  ) {}

  /** Adds one row; {@link settle}, which callers run between pages, writes and loads it. */
  add(line: string): void {
    this.addParts(line, '', 0);
  }

  /**
   * Adds the row `head + tail` (see SpoolFile.pushParts), noting `flags` (the format's own bits)
   * for the chunk it lands in.
   */
  addParts(head: string, tail: string, flags: number): void {
    const file = (this.file ??= this.spool.file(`${this.table}-${++this.chunks}`));
    file.pushParts(head, tail);
    file.flags |= flags;
    this.rows++;
    if (file.lines >= this.chunkRows) {
      this.filled.push(file);
      this.file = undefined;
    }
  }

  /** Writes the rows added since the last call and starts loading every chunk that filled. */
  async settle(): Promise<void> {
    this.throwIfFailed();
    const filled = this.filled;
    this.filled = [];
    for (const file of filled) await this.rotate(file);
    await this.file?.flushIfFull();
  }

  /** Loads what is left and waits for every chunk; the table exists afterwards, maybe empty. */
  async finish(): Promise<{ rows: number; columns: ColumnSpec[] }> {
    await this.settle();
    if (this.file !== undefined) await this.rotate(this.file);
    this.file = undefined;
    await this.chain;
    this.throwIfFailed();
    if (!this.created) await this.create(this.encoder.columns());
    await this.reorder();
    return { rows: this.rows, columns: this.currentColumns() };
  }

  /**
   * Columns added after the first chunk were appended, after the `_` columns: the table is
   * copied once into the encoder's order (fields first), which only such loads pay for.
   */
  private async reorder(): Promise<void> {
    const order = this.encoder.columns().map((c) => c.name);
    const loaded = [...this.loadedTypes.keys()];
    if (order.length !== loaded.length || order.every((name, i) => name === loaded[i])) return;
    const table = quoteIdent(this.table);
    const staging = quoteIdent(`${this.table}${REORDER_SUFFIX}`);
    const list = order.map(quoteIdent).join(', ');
    try {
      await this.session.exec(
        `CREATE TABLE ${staging} AS SELECT ${list} FROM ${table} ORDER BY rowid`,
      );
      await this.session.exec(`DROP TABLE ${table}`);
      await this.session.exec(`ALTER TABLE ${staging} RENAME TO ${table}`);
    } catch (err) {
      this.failure ??= err;
      this.throwIfFailed();
    }
    const types = new Map(this.loadedTypes);
    this.loadedTypes.clear();
    for (const name of order) this.loadedTypes.set(name, types.get(name)!);
  }

  /** Removes chunk files not loaded (after a failure); the spool directory goes with its owner. */
  async abandon(): Promise<void> {
    for (const file of [...this.filled, this.file]) await file?.close();
    await this.chain.catch(() => undefined);
  }

  private currentColumns(): ColumnSpec[] {
    return [...this.loadedTypes].map(([name, type]) => ({ name, type }));
  }

  private async rotate(file: SpoolFile): Promise<void> {
    await file.close();
    const columns = this.encoder.columns();
    if (this.pending >= TableLoaderLimits.MAX_PENDING_CHUNKS) await this.chain;
    this.pending++;
    this.chain = this.chain
      .then(() => this.loadChunk(file.path, columns, file.longestLineBytes, file.flags))
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => {
        this.pending--;
      });
  }

  private async create(columns: readonly ColumnSpec[]): Promise<void> {
    const list = columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
    await this.session.exec(`CREATE TABLE ${quoteIdent(this.table)} (${list})`);
    for (const c of columns) this.loadedTypes.set(c.name, c.type);
    this.created = true;
  }

  private async loadChunk(
    path: string,
    columns: readonly ColumnSpec[],
    longestLineBytes: number,
    flags: number,
  ): Promise<void> {
    // DuckDB reads with buffers of at least the longest line: sized to this chunk's lines, not
    // the largest a line may be, they stay small for the common chunk.
    const lineBytes = Math.max(TableLoaderLimits.MIN_LINE_BYTES, longestLineBytes + LINE_END_BYTES);
    if (this.failure !== undefined) return;
    const table = quoteIdent(this.table);
    if (!this.created) await this.create(columns);
    for (const c of columns) {
      const had = this.loadedTypes.get(c.name);
      const name = quoteIdent(c.name);
      if (had === undefined) {
        await this.session.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${c.type}`);
      } else if (had !== c.type) {
        await this.session.exec(
          `ALTER TABLE ${table} ALTER ${name} TYPE ${c.type} USING ${widenExpression(name, had, c.type)}`,
        );
      }
      this.loadedTypes.set(c.name, c.type);
    }
    try {
      if (this.format === SpoolFormats.streamRows) {
        await this.session.insertSelect(
          this.table,
          streamRowsSelect(path, columns, lineBytes, this.stream, flags),
        );
      } else {
        await this.session.insertNdjson(this.table, path, columns);
      }
    } finally {
      await rm(path, { force: true });
    }
  }

  private throwIfFailed(): void {
    if (this.failure === undefined) return;
    if (this.failure instanceof QueryError) throw this.failure;
    const detail =
      this.failure instanceof Error
        ? this.failure.message.split('\n')[0]
        : JSON.stringify(this.failure);
    throw new QueryError(`loading table ${this.table} failed: ${detail}`, {
      code: 'LOAD',
      cause: this.failure,
    });
  }
}
