/*
 *   lane 1:  BEGIN ─ INSERT chunk 1 ─────────── COMMIT
 *   lane 2:     BEGIN ─ INSERT chunk 2 ─ (turn) ─────── COMMIT
 * Each lane is a connection of its own inserting one chunk at a time on one DuckDB thread;
 * a chunk commits only after the one before it, so rows keep the order they were written in.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { QueryError } from '../errors.js';
import { quoteIdent } from './quote.js';

/**
 * The error of a table that failed to load, with the first line of DuckDB's message.
 *
 * @example
 * ```ts
 * throw loadError('logs', err); // QueryError: loading table logs failed: …
 * ```
 */
export function loadError(table: string, err: unknown): QueryError {
  const detail = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
  return new QueryError(`loading table ${table} failed: ${detail}`, { code: 'LOAD', cause: err });
}

/**
 * A DuckDB connection of its own for kinlog's inserts, so that several chunks load at once,
 * each on one thread (see QuerySession.openInsertLane).
 *
 * @example
 * ```ts
 * const lane = await session.openInsertLane();
 * await lane.insertSelect('logs', select, Promise.resolve(true));
 * await lane.close();
 * ```
 */
export class InsertLane {
  private closed = false;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly onClose: () => Promise<void>,
  ) {}

  /**
   * Appends the rows of `select` to table `table` (stored in the table `into` names, quoted)
   * in a transaction committed once `turn` resolves to true (the chunk before committed),
   * rolled back when it resolves to false. Failures name `table`, the table users know.
   * Whatever happens, it returns or throws only after `turn` settled: a chunk that fails at
   * once still ends after the chunk before it, so awaiting the last chunk awaits them all.
   *
   * @returns whether the rows were committed.
   */
  async insertSelect(
    table: string,
    select: string,
    turn: Promise<boolean>,
    into: string = quoteIdent(table),
  ): Promise<boolean> {
    let open = false;
    let turnTaken = false;
    try {
      // One call, so the insert does not wait for a turn of the event loop after the BEGIN.
      open = true;
      await this.connection.run(`BEGIN TRANSACTION; INSERT INTO ${into} BY NAME ${select}`);
      turnTaken = true;
      if (!(await turn)) {
        open = false;
        await this.connection.run('ROLLBACK');
        return false;
      }
      open = false;
      await this.connection.run('COMMIT');
      return true;
    } catch (err) {
      // A failed COMMIT leaves no transaction; a failed INSERT leaves one to roll back.
      if (open) await this.connection.run('ROLLBACK').catch(() => undefined);
      if (!turnTaken) await turn.catch(() => false);
      throw loadError(table, err);
    }
  }

  /** Closes the connection; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connection.closeSync();
    await this.onClose();
  }
}
