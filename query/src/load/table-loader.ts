/*
 *   rows ─▶ chunk file (≤ CHUNK_ROWS; the first ≤ FIRST_CHUNK_ROWS, lanes opened meanwhile)
 *                                      ┬─ full ─▶ ALTER for columns new or widened since
 *                                      │         the last chunk ─▶ INSERT … read_csv(chunk)
 *                                      │         on a free insert lane ─▶ chunk file removed
 *                                      └─ DuckDB loads chunks n and n+1 on two lanes (one
 *                                         thread each) while rows of chunk n+2 are encoded;
 *                                         at most MAX_PENDING_CHUNKS wait on disk
 *   lane 1  ──[ INSERT chunk 1 ]─COMMIT──[ INSERT chunk 3 ]─────COMMIT
 *   lane 2  ─────[ INSERT chunk 2 ]──────COMMIT──[ INSERT chunk 4 ]──COMMIT
 * Chunks commit in the order they were written, so rows keep their order; a chunk that needs
 * an ALTER waits until every chunk before it has committed. Every chunk is read with the
 * columns known when it closed, so all its values fit; a later chunk that widens a column
 * (BIGINT → DOUBLE, → VARCHAR, → JSON) converts the rows already in.
 */
import { rm } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ColumnType } from '../columns/column-types.js';
import type { ColumnSpec, RowEncoder } from '../columns/row-encoder.js';
import type { InsertLane } from '../session/insert-lane.js';
import { quoteIdent, type QuerySession } from '../session/query-session.js';
import { QueryError } from '../errors.js';
import type { SpoolDirectory, SpoolFile } from './ndjson-spool.js';
import {
  STORED_ROWS_SCHEMA,
  storedRowsTable,
  storedStreamColumns,
  streamRowsSelect,
} from './stream-row-format.js';
import { widenExpression } from './widen-expression.js';

/** Bounds of a table load. */
export const TableLoaderLimits = {
  /**
   * Rows per chunk file: large enough for DuckDB's parallel read, small enough to overlap; one
   * DuckDB row group (122,880 rows), so a chunk appended fills whole row groups instead of
   * topping up the last one (which cost about a fifth more of the load's CPU).
   */
  CHUNK_ROWS: 122_880,
  /**
   * Rows of the first chunk when chunks load on several lanes: DuckDB starts on it while the
   * rows of the next are encoded, instead of leaving a core idle until a whole chunk is. It
   * goes into the empty table whole, so the chunks after it still append whole row groups
   * (the load's wall time measured about 4 % shorter).
   */
  FIRST_CHUNK_ROWS: 15_360,
  /**
   * Rows per chunk under a memory limit: DuckDB holds the chunk being inserted uncompressed
   * until it is stored, so smaller chunks lower the peak (loads run slower there anyway).
   */
  MEMORY_LIMITED_CHUNK_ROWS: 50_000,
  /**
   * Chunks of stream rows inserted at once, each on a DuckDB connection and thread of its own
   * (one under a memory limit, where each holds its chunk uncompressed until stored).
   */
  INSERT_LANES: 2,
  /** Chunks written and not yet loaded, at most: one per lane and one waiting (bounds the spool). */
  MAX_PENDING_CHUNKS: 3,
  /**
   * The smallest line size (and read buffer) a chunk of stream rows is read with. DuckDB's CSV
   * scan reads each buffer again right after filling it: at 512 KiB it was still in the CPU's
   * cache, and whole loads took 8 to 9 % less CPU than with 1 MiB (256, 384 and 768 KiB were
   * slower than 512 KiB too).
   */
  MIN_LINE_BYTES: 512 * 1024,
} as const;

/** How rows are spooled: NDJSON rows (encoder.encode), or stream rows (stream-row-format.ts). */
export const SpoolFormats = { ndjson: 'ndjson', streamRows: 'streamRows' } as const;
export type SpoolFormat = (typeof SpoolFormats)[keyof typeof SpoolFormats];

const LINE_END_BYTES = 1;
/** The name a table is copied under while its columns are put in order. */
const REORDER_SUFFIX = '__kinlog_ordered';

/**
 * Loads rows made by one {@link RowEncoder} into one table, chunk by chunk: NDJSON rows, or
 * stream rows (see stream-row-format.ts) with `format` {@link SpoolFormats}.streamRows, which
 * go into the table {@link storedRowsTable} names (the caller puts its view in front).
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
  /** Chunks start one after another (ALTERs, lanes taken in order). */
  private starting: Promise<void> = Promise.resolve();
  /** Whether the last chunk started was committed (false: failed or rolled back). */
  private last: Promise<boolean> = Promise.resolve(true);
  /** The ends of chunks written and not yet loaded. */
  private readonly pendingEnds = new Set<Promise<void>>();
  private failure: unknown;
  private filled: SpoolFile[] = [];
  private readonly lanes: InsertLane[] = [];
  private readonly freeLanes: InsertLane[] = [];
  private readonly laneWaiters: ((lane: InsertLane) => void)[] = [];
  private readonly laneCount: number;
  /** The lanes opened while the first chunk fills (see openLanes); undefined before. */
  private lanesOpened: Promise<void> | undefined;
  /** Rows the current spool file takes before its chunk is loaded. */
  private fileRows: number;
  /** The quoted name of the table rows go into. */
  private readonly target: string;

  constructor(
    private readonly session: QuerySession,
    private readonly spool: SpoolDirectory,
    private readonly table: string,
    private readonly encoder: RowEncoder,
    private readonly chunkRows: number = TableLoaderLimits.CHUNK_ROWS,
    private readonly format: SpoolFormat = SpoolFormats.ndjson,
  ) {
    this.laneCount =
      format === SpoolFormats.streamRows && !session.memoryLimited
        ? Math.max(1, Math.min(TableLoaderLimits.INSERT_LANES, session.threadCount))
        : 1;
    this.fileRows = chunkRows;
    this.target =
      format === SpoolFormats.streamRows ? storedRowsTable(table) : quoteIdent(this.table);
  }

  /** Adds one row; {@link settle}, which callers run between pages, writes and loads it. */
  add(line: string): void {
    this.addParts(line, '', 0);
  }

  /**
   * Adds the row `head + tail` (see SpoolFile.pushParts), noting `flags` (the format's own bits)
   * for the chunk it lands in.
   */
  addParts(head: string, tail: string, flags: number): void {
    const file = this.currentFile();
    file.pushParts(head, tail);
    file.flags |= flags;
    this.added(file);
  }

  /**
   * Adds the row `write` puts into the spool file it is given (SpoolFile.startLine and what
   * follows, ended), with no flags; when `write` returns false the row is not added (nor
   * counted) and false is returned.
   */
  addLine(write: (file: SpoolFile) => boolean): boolean {
    const file = this.currentFile();
    if (!write(file)) return false;
    this.added(file);
    return true;
  }

  private currentFile(): SpoolFile {
    return this.file ?? this.newFile();
  }

  private newFile(): SpoolFile {
    const file = (this.file = this.spool.file(`${this.table}-${++this.chunks}`));
    this.fileRows = this.chunkRows;
    if (this.chunks === 1 && this.laneCount > 1) {
      this.fileRows = Math.min(this.chunkRows, TableLoaderLimits.FIRST_CHUNK_ROWS);
      this.lanesOpened = this.openLanes();
    }
    return file;
  }

  private added(file: SpoolFile): void {
    this.rows++;
    if (file.lines >= this.fileRows) {
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
    // A turn of the event loop, so that what chunks wait on (a lane opening, a write or an
    // insert ending) moves on now: pages that come without I/O of their own (the benchmark, a
    // source already in memory) would otherwise hold it until the reader next blocks.
    if (this.lanesOpened !== undefined) await nextTurn();
  }

  /** Loads what is left and waits for every chunk; the table exists afterwards, maybe empty. */
  async finish(): Promise<{ rows: number; columns: ColumnSpec[] }> {
    try {
      await this.settle();
      if (this.file !== undefined) await this.rotate(this.file);
      this.file = undefined;
    } catch (err) {
      await this.abandon();
      throw err;
    }
    // Chunks still inserting finish (or roll back) before their lanes close.
    await this.last;
    await this.closeLanes();
    this.throwIfFailed();
    if (!this.created) await this.create(this.encoder.columns());
    await this.reorder();
    return { rows: this.rows, columns: this.currentColumns() };
  }

  /**
   * Columns added after the first chunk were appended, after the `_` columns: the table is
   * copied once into the encoder's order (fields first), which only such loads pay for. Stream
   * rows are not: their view lists the columns in that order.
   */
  private async reorder(): Promise<void> {
    const order = this.encoder.columns().map((c) => c.name);
    const loaded = [...this.loadedTypes.keys()];
    if (order.length !== loaded.length || order.every((name, i) => name === loaded[i])) return;
    if (this.format !== SpoolFormats.streamRows) await this.copyInOrder(order);
    const types = new Map(this.loadedTypes);
    this.loadedTypes.clear();
    for (const name of order) this.loadedTypes.set(name, types.get(name)!);
  }

  private async copyInOrder(order: readonly string[]): Promise<void> {
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
  }

  /**
   * Stops after a failure: removes the chunk files not started (once their writes ended) and
   * waits for every chunk started, which removes its own file, before closing the lanes.
   */
  async abandon(): Promise<void> {
    const files = [...this.filled, this.file];
    this.filled = [];
    this.file = undefined;
    for (const file of files) {
      if (file === undefined) continue;
      await file.close().catch(() => undefined);
      await rm(file.path, { force: true }).catch(() => undefined);
    }
    await this.last;
    await this.closeLanes();
  }

  private currentColumns(): ColumnSpec[] {
    return [...this.loadedTypes].map(([name, type]) => ({ name, type }));
  }

  private async rotate(file: SpoolFile): Promise<void> {
    // The file's last buffers are written while the next rows are encoded; its chunk starts
    // once they are (a failure to write fails the load like one to insert).
    const written = file.close();
    written.catch(() => undefined);
    const columns = this.encoder.columns();
    while (this.pendingEnds.size >= this.laneCount + 1) await Promise.race(this.pendingEnds);
    const previous = this.last;
    const started = this.starting.then(() => this.startChunk(file, written, columns, previous));
    this.starting = started.then(() => undefined);
    const committed = started.then((chunk) => chunk.committed);
    this.last = committed;
    const end: Promise<void> = committed.then(() => {
      this.pendingEnds.delete(end);
    });
    this.pendingEnds.add(end);
  }

  /**
   * Starts loading one chunk file once it is `written` and `previous` (the chunk before)
   * allows: at once on a free lane, or after it committed when the table must change first.
   * Never rejects: a failure is kept for {@link throwIfFailed}, and the chunk then counts as
   * not committed.
   */
  private async startChunk(
    file: SpoolFile,
    written: Promise<void>,
    columns: readonly ColumnSpec[],
    previous: Promise<boolean>,
  ): Promise<{ committed: Promise<boolean> }> {
    const path = file.path;
    // A skipped chunk still ends after the one before it: awaiting the last chunk then awaits
    // every chunk (and the removal of its file), even when a later one was skipped at once.
    const skipped = async () => {
      await written.catch(() => undefined);
      await rm(path, { force: true });
      return { committed: previous.then(() => false) };
    };
    try {
      await written;
      if (this.failure !== undefined) return await skipped();
      const altered = !this.created || columns.some((c) => this.loadedTypes.get(c.name) !== c.type);
      if (this.format !== SpoolFormats.streamRows || altered || this.laneCount === 1) {
        // Every chunk before has committed once the one just before has (commits keep order).
        if (!(await previous)) return await skipped();
        await this.fitTable(columns);
      }
      if (this.format !== SpoolFormats.streamRows) {
        await this.loadNdjsonChunk(path, columns);
        return { committed: Promise.resolve(true) };
      }
      const lane = await this.takeLane();
      if (this.failure !== undefined) {
        // The load failed while this chunk waited for a lane: nothing more is inserted.
        await this.giveBack(lane);
        return await skipped();
      }
      // DuckDB reads with buffers of at least the longest line: sized to this chunk's lines,
      // not the largest a line may be, they stay small for the common chunk.
      const lineBytes = Math.max(
        TableLoaderLimits.MIN_LINE_BYTES,
        file.longestLineBytes + LINE_END_BYTES,
      );
      const select = streamRowsSelect(path, columns, lineBytes, file.flags, file.shared);
      const committed = lane
        .insertSelect(this.table, select, previous, this.target)
        .catch((err: unknown) => {
          this.failure ??= err;
          return false;
        })
        .finally(async () => {
          await this.giveBack(lane).catch((err: unknown) => {
            this.failure ??= err;
          });
          await rm(path, { force: true }).catch((err: unknown) => {
            this.failure ??= err;
          });
        });
      return { committed };
    } catch (err) {
      this.failure ??= err;
      return await skipped();
    }
  }

  /**
   * Opens every lane while the first chunk fills: a connection and DuckDB's change of threads
   * then no longer wait for a turn of the event loop between pages, on the way to the first
   * insert. Never rejects: a failure is kept for {@link throwIfFailed}.
   */
  private async openLanes(): Promise<void> {
    // All at once: each opening waits for turns of the event loop, which the rows hold up.
    const opened = await Promise.allSettled(
      Array.from({ length: this.laneCount }, () => this.session.openInsertLane()),
    );
    for (const lane of opened) {
      if (lane.status === 'rejected') {
        this.failure ??= lane.reason;
        continue;
      }
      this.lanes.push(lane.value);
      this.freeLanes.push(lane.value);
    }
  }

  private async takeLane(): Promise<InsertLane> {
    await this.lanesOpened;
    const free = this.freeLanes.pop();
    if (free !== undefined) return free;
    if (this.lanes.length < this.laneCount) {
      const lane = await this.session.openInsertLane();
      this.lanes.push(lane);
      return lane;
    }
    return new Promise((resolve) => this.laneWaiters.push(resolve));
  }

  private async giveBack(lane: InsertLane): Promise<void> {
    if (this.laneCount === 1) {
      // One lane (under a memory limit) closes after each chunk, so DuckDB has its threads
      // back in between: the peak of 2,000,000 records measured 415 and 441 MB so, against
      // 464 to 499 MB with one thread through the whole load.
      this.lanes.splice(this.lanes.indexOf(lane), 1);
      await lane.close();
      return;
    }
    const waiter = this.laneWaiters.shift();
    if (waiter !== undefined) waiter(lane);
    else this.freeLanes.push(lane);
  }

  private async closeLanes(): Promise<void> {
    await this.lanesOpened;
    const lanes = this.lanes.splice(0);
    this.freeLanes.length = 0;
    for (const lane of lanes) await lane.close();
  }

  private async create(columns: readonly ColumnSpec[]): Promise<void> {
    const streamRows = this.format === SpoolFormats.streamRows;
    const stored = streamRows ? storedStreamColumns(columns) : columns;
    const list = stored.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
    if (streamRows)
      await this.session.exec(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(STORED_ROWS_SCHEMA)}`);
    await this.session.exec(`CREATE TABLE ${this.target} (${list})`);
    for (const c of columns) this.loadedTypes.set(c.name, c.type);
    this.created = true;
  }

  /** Adds the columns new since the last chunk and widens those whose type changed. */
  private async fitTable(columns: readonly ColumnSpec[]): Promise<void> {
    const table = this.target;
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
  }

  private async loadNdjsonChunk(path: string, columns: readonly ColumnSpec[]): Promise<void> {
    try {
      await this.session.insertNdjson(this.table, path, columns);
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
