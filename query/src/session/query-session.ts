/*
 *   open (memory limit: tables compressed in memory; spill dir) ─▶ loadNdjson / loadRows (CREATE TABLE … read_json)
 *   ─▶ lock(): external access off, no extension installs or autoloads, configuration locked
 *   ─▶ run(user SQL) ─▶ columns + rows (bounded)
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ConfigError } from '@kinlog/core';
import type { ColumnSpec } from '../columns/row-encoder.js';
import { QueryError } from '../errors.js';
import { InsertLane, loadError } from './insert-lane.js';
import { quoteIdent, quoteLiteral } from './quote.js';
import { sqlErrorOf } from './sql-error-of.js';

/** Bounds of a query session. */
export const QuerySessionLimits = {
  /**
   * A row of NDJSON may be this large (DuckDB holds two of these per reading thread, so it
   * sets the smallest workable memory limit); larger rows are loaded without their fields.
   */
  MAX_OBJECT_BYTES: 16 * 1024 * 1024,
  /** The smallest --memory-limit accepted: room for loading rows of MAX_OBJECT_BYTES. */
  MIN_MEMORY_LIMIT_BYTES: 128_000_000,
  /** Rows of one result brought into the process (for printing or writing a file). */
  MAX_RESULT_ROWS: 1_000_000,
} as const;

/** Settings run once tables are loaded, in this order, unless files are allowed. */
export const LOCKDOWN_SETTINGS = [
  'SET enable_external_access = false',
  'SET autoinstall_known_extensions = false',
  'SET autoload_known_extensions = false',
  'SET lock_configuration = true',
] as const;

const MEMORY_LIMIT = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;
const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/**
 * Bytes of a DuckDB size text, `undefined` when it is not one.
 *
 * @example
 * ```ts
 * memoryLimitBytes('256MB'); // 256000000
 * ```
 */
export function memoryLimitBytes(text: string): number | undefined {
  const match = MEMORY_LIMIT.exec(text.trim());
  if (match === null) return undefined;
  return Number(match[1]) * UNIT_BYTES[match[2]!.toLowerCase()]!;
}

/** Why `text` is no usable memory limit, `undefined` when it is one. */
export function memoryLimitProblem(text: string): string | undefined {
  const bytes = memoryLimitBytes(text);
  return bytes === undefined || bytes < QuerySessionLimits.MIN_MEMORY_LIMIT_BYTES
    ? `must be a size like 256MB or 2GB, at least ${QuerySessionLimits.MIN_MEMORY_LIMIT_BYTES / 1e6}MB`
    : undefined;
}

/**
 * DuckDB hands memory back to the system after a task once its allocator holds this much
 * (its default, 128MB, kept a 2,000,000-row load well above --memory-limit).
 */
const ALLOCATOR_FLUSH_THRESHOLD = '16MB';

/**
 * With a memory limit, tables are loaded into an in-memory database compressed like a database
 * file (dictionary, FSST, bit packing): DuckDB's default in-memory database keeps columns
 * uncompressed, and a 2,000,000-record window then took about 4.5 times the memory, passed a
 * 256MB limit and spilled. Compressing costs about 40 % more CPU over the load, so a session
 * without a limit keeps the default.
 */
const COMPRESSED_DATABASE = 'kinlog';
const COMPRESSED_DATABASE_STATEMENTS = [
  `ATTACH ':memory:' AS ${COMPRESSED_DATABASE} (COMPRESS)`,
  `USE ${COMPRESSED_DATABASE}`,
] as const;

const WIDE_INTEGER = /^(BIGINT|HUGEINT|UBIGINT|UHUGEINT)$/;

/**
 * DuckDB threads of each insert lane: one. On two cores, two threads for one insert cost about
 * half as much CPU again (the CSV read and the row groups split across threads) and were no
 * faster, while two lanes of one thread each load two chunks at once for the CPU of one after
 * the other. Queries get every thread back once the lanes are closed.
 */
const LANE_THREADS = 1;

/** One result: column names and DuckDB types, rows as JSON-safe values. */
export interface QueryResult {
  readonly columns: readonly ColumnSpecText[];
  readonly rows: readonly (readonly unknown[])[];
}

/** A result column; `type` is DuckDB's type text (`BIGINT`, `STRUCT("a" INTEGER)`, …). */
export interface ColumnSpecText {
  readonly name: string;
  readonly type: string;
}

export interface QuerySessionOptions {
  /**
   * DuckDB memory limit, e.g. `256MB`; past it, work spills to `spillDirectory`. With a limit,
   * tables are stored compressed (smaller, slower to load).
   */
  readonly memoryLimit?: string;
  readonly spillDirectory?: string;
  readonly threads?: number;
}

export { quoteIdent, quoteLiteral };

/**
 * One in-process DuckDB database: tables loaded by kinlog, then user SQL, locked down.
 *
 * @example
 * ```ts
 * const session = await QuerySession.open({ memoryLimit: '256MB', spillDirectory: dir });
 * await session.loadNdjson('logs', '/tmp/rows.ndjson', encoder.columns());
 * await session.lock();
 * const { columns, rows } = await session.run('SELECT count(*) FROM logs');
 * session.close();
 * ```
 */
export class QuerySession {
  private closed = false;
  private locked = false;
  /** Insert lanes open. */
  private lanes = 0;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** Opened with a memory limit (tables stored compressed). */
    readonly memoryLimited: boolean,
    /** DuckDB's threads for everything but kinlog's inserts. */
    private readonly threads: number,
  ) {}

  static async open(options: QuerySessionOptions = {}): Promise<QuerySession> {
    const config: Record<string, string> = {};
    if (options.memoryLimit !== undefined) {
      const problem = memoryLimitProblem(options.memoryLimit);
      if (problem !== undefined) {
        throw new ConfigError([{ path: '--memory-limit', message: problem }]);
      }
      config['memory_limit'] = options.memoryLimit;
    }
    if (options.spillDirectory !== undefined) config['temp_directory'] = options.spillDirectory;
    if (options.threads !== undefined) config['threads'] = String(options.threads);
    config['allocator_flush_threshold'] = ALLOCATOR_FLUSH_THRESHOLD;
    const instance = await DuckDBInstance.create(':memory:', config);
    try {
      const connection = await instance.connect();
      if (options.memoryLimit !== undefined)
        for (const statement of COMPRESSED_DATABASE_STATEMENTS) await connection.run(statement);
      const threads = await connection.runAndReadAll(`SELECT current_setting('threads')`);
      return new QuerySession(
        instance,
        connection,
        options.memoryLimit !== undefined,
        Number(threads.getRowsJson()[0]?.[0] ?? 1),
      );
    } catch (err) {
      instance.closeSync();
      throw err;
    }
  }

  /** Loads an NDJSON file written with `columns` into a new table `name`. */
  async loadNdjson(name: string, file: string, columns: readonly ColumnSpec[]): Promise<void> {
    await this.readNdjson(`CREATE TABLE ${quoteIdent(name)} AS SELECT *`, name, file, columns);
  }

  /** Appends an NDJSON file written with `columns` to table `name` (columns matched by name). */
  async insertNdjson(name: string, file: string, columns: readonly ColumnSpec[]): Promise<void> {
    await this.readNdjson(`INSERT INTO ${quoteIdent(name)} BY NAME SELECT *`, name, file, columns);
  }

  /**
   * A connection of its own for inserting kinlog's rows while others insert too (see
   * insert-lane.ts); DuckDB runs with one thread per lane until every lane is closed.
   */
  async openInsertLane(): Promise<InsertLane> {
    this.mustBeOpen();
    const connection = await this.instance.connect();
    try {
      // A new connection starts in the default database, not the compressed one tables live in.
      if (this.memoryLimited) await connection.run(`USE ${COMPRESSED_DATABASE}`);
      if (this.lanes === 0 && this.threads !== LANE_THREADS)
        await this.connection.run(`SET threads = ${LANE_THREADS}`);
    } catch (err) {
      connection.closeSync();
      throw err;
    }
    this.lanes++;
    return new InsertLane(connection, async () => {
      if (--this.lanes === 0 && this.threads !== LANE_THREADS && !this.closed)
        await this.connection.run(`SET threads = ${this.threads}`);
    });
  }

  /** DuckDB's threads outside of kinlog's inserts. */
  get threadCount(): number {
    return this.threads;
  }

  private async readNdjson(
    into: string,
    name: string,
    file: string,
    columns: readonly ColumnSpec[],
  ): Promise<void> {
    this.mustBeOpen();
    const spec = columns.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(c.type)}`).join(', ');
    try {
      await this.connection.run(
        `${into} FROM read_json(${quoteLiteral(file)}, ` +
          `format = 'newline_delimited', columns = {${spec}}, ` +
          `maximum_object_size = ${QuerySessionLimits.MAX_OBJECT_BYTES})`,
      );
    } catch (err) {
      throw loadError(name, err);
    }
  }

  /** Turns file access, network and extension loading off; calling it again does nothing. */
  async lock(): Promise<void> {
    this.mustBeOpen();
    if (this.locked) return;
    for (const setting of LOCKDOWN_SETTINGS) await this.connection.run(setting);
    this.locked = true;
  }

  /**
   * Runs SQL (several statements: the last one's result) and reads up to
   * {@link QuerySessionLimits.MAX_RESULT_ROWS} rows.
   *
   * @throws {SqlError} for SQL DuckDB refuses, with its position.
   */
  async run(
    sql: string,
    maxRows: number = QuerySessionLimits.MAX_RESULT_ROWS,
  ): Promise<QueryResult> {
    this.mustBeOpen();
    let reader;
    try {
      reader = await this.connection.streamAndReadUntil(sql, maxRows + 1);
    } catch (err) {
      throw sqlErrorOf(err);
    }
    const names = reader.columnNames();
    const types = reader.columnTypes().map(String);
    const rows = reader.getRowsJson() as unknown[][];
    if (rows.length > maxRows) {
      throw new QueryError(
        `the result has more than ${maxRows} rows: add a LIMIT or aggregate further`,
        { code: 'RESULT_TOO_LARGE' },
      );
    }
    // 64- and 128-bit integers come as text (exact); those a double holds exactly become numbers.
    types.forEach((type, column) => {
      if (!WIDE_INTEGER.test(type)) return;
      for (const row of rows) {
        const value = row[column];
        if (typeof value !== 'string') continue;
        const n = Number(value);
        if (Number.isSafeInteger(n)) row[column] = n;
      }
    });
    return { columns: names.map((name, i) => ({ name, type: types[i] ?? 'VARCHAR' })), rows };
  }

  /** Runs kinlog's own statements (loading, exporting); errors stay DuckDB's. */
  async exec(sql: string): Promise<void> {
    this.mustBeOpen();
    await this.connection.run(sql);
  }

  /** Closes the database; safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private mustBeOpen(): void {
    if (this.closed) throw new QueryError('the query session is closed', { code: 'CLOSED' });
  }
}
