import { KinlogError } from '@kinlog/core';

/**
 * Base of every error `kinlog query` and `kinlog export` raise; `code` is stable.
 *
 * @example
 * ```ts
 * try { await session.run(sql); } catch (err) {
 *   if (err instanceof QueryError) console.error(err.message);
 * }
 * ```
 */
export class QueryError extends KinlogError {
  /** Exit status the command line gives this error. */
  readonly exitCode: number = 1;
}

/**
 * The SQL could not be parsed, bound or run. One line: DuckDB's message and where it points.
 *
 * @example
 * ```ts
 * throw new SqlError('Parser Error: syntax error at or near "selec"', { line: 1, column: 1 });
 * ```
 */
export class SqlError extends QueryError {
  override readonly exitCode: number = 2;
  readonly position: { readonly line: number; readonly column: number } | undefined;

  constructor(
    message: string,
    position: { readonly line: number; readonly column: number } | undefined,
    cause?: unknown,
  ) {
    super(
      position === undefined
        ? message
        : `${message} (line ${position.line}, column ${position.column})`,
      { code: 'SQL', cause },
    );
    this.position = position;
  }
}

/**
 * The iteration has no stored window: it was never run, or is still running.
 *
 * @example
 * ```ts
 * throw new WindowNotStoredError('web', 7);
 * ```
 */
export class WindowNotStoredError extends QueryError {
  constructor(name: string, iteration: number) {
    super(
      `iteration ${iteration} of ${name} has no stored window: run \`kinlog analyze --name ${name}\` until it is stored`,
      { code: 'WINDOW_NOT_STORED' },
    );
  }
}

/**
 * A table asked for reads a stream the iteration did not cut.
 *
 * @example
 * ```ts
 * throw new StreamNotInWindowError('web', 3, 'clicks', ['web-logs']);
 * ```
 */
export class StreamNotInWindowError extends QueryError {
  constructor(name: string, iteration: number, stream: string, cut: readonly string[]) {
    super(
      `iteration ${iteration} of ${name} holds no cut of stream ${stream} (it cut ${cut.join(', ')})`,
      { code: 'STREAM_NOT_IN_WINDOW' },
    );
  }
}

/**
 * Loading a window would pass a bound (spool bytes, DynamoDB items).
 *
 * @example
 * ```ts
 * throw new LoadLimitError('--max-spool-bytes', 8_000_000_000);
 * ```
 */
export class LoadLimitError extends QueryError {
  constructor(what: string, limit: number) {
    super(`loading stopped: ${what} would pass its limit of ${limit}`, { code: 'LOAD_LIMIT' });
  }
}

/**
 * DynamoDB could not be scanned (table missing, access denied, network).
 *
 * @example
 * ```ts
 * throw new DynamoScanError('ad-campaigns', 'ResourceNotFoundException: table not found', false);
 * ```
 */
export class DynamoScanError extends QueryError {
  constructor(table: string, detail: string, retryable: boolean, cause?: unknown) {
    super(`scan of DynamoDB table ${table} failed: ${detail}`, {
      code: 'DYNAMO_SCAN',
      retryable,
      cause,
    });
  }
}

/**
 * Writing a result or export file failed.
 *
 * @example
 * ```ts
 * throw new OutputError('out/result.parquet', 'directory does not exist');
 * ```
 */
export class OutputError extends QueryError {
  constructor(path: string, detail: string, cause?: unknown) {
    super(`cannot write ${path}: ${detail}`, { code: 'OUTPUT', cause });
  }
}
