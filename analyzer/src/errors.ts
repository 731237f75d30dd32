import { KinlogError } from '@kinlog/core';

/** A missing stream: one class for every package. */
export { StreamNotFoundError } from '@kinlog/core';

/**
 * Base of every error `kinlog analyze` raises. Subclasses name what went wrong; `code` is stable.
 *
 * @example
 * ```ts
 * try { await runIteration(options); } catch (err) {
 *   if (err instanceof AnalyzerError && err.retryable) scheduleRetry();
 * }
 * ```
 */
export class AnalyzerError extends KinlogError {}

/**
 * A DynamoDB table the analyzer needs does not exist. `kinlog analyze --create-tables` makes it.
 *
 * @example
 * ```ts
 * throw new TableMissingError('kinlog-checkpoints');
 * ```
 */
export class TableMissingError extends AnalyzerError {
  readonly table: string;

  constructor(table: string, cause?: unknown) {
    super(
      `DynamoDB table ${table} does not exist: create it with \`kinlog analyze --create-tables\``,
      { code: 'TABLE_MISSING', cause },
    );
    this.table = table;
  }
}

/**
 * Another run holds a live lease on the iteration, or committed it first.
 *
 * @example
 * ```ts
 * throw new IterationConflictError('web', 7, 'owned by host-a:123 until 2025-01-01T00:00:00Z');
 * ```
 */
export class IterationConflictError extends AnalyzerError {
  readonly iteration: number;

  constructor(name: string, iteration: number, detail: string, cause?: unknown) {
    super(`iteration ${iteration} of ${name} is taken: ${detail}`, {
      code: 'ITERATION_CONFLICT',
      retryable: true,
      cause,
    });
    this.iteration = iteration;
  }
}

/**
 * Iteration n cannot start because n−1 was never committed (a gap would lose records).
 *
 * @example
 * ```ts
 * throw new PreviousIterationMissingError('web', 8);
 * ```
 */
export class PreviousIterationMissingError extends AnalyzerError {
  readonly iteration: number;

  constructor(name: string, iteration: number) {
    super(
      `iteration ${iteration} of ${name} needs iteration ${iteration - 1}, which is not committed`,
      { code: 'PREVIOUS_ITERATION_MISSING' },
    );
    this.iteration = iteration;
  }
}

/**
 * A rerun asked for an iteration that was never committed.
 *
 * @example
 * ```ts
 * throw new IterationNotFoundError('web', 42);
 * ```
 */
export class IterationNotFoundError extends AnalyzerError {
  readonly iteration: number;

  /** @param detail what the name has instead, and what to run (appended after `; `). */
  constructor(name: string, iteration: number, detail?: string) {
    super(
      `iteration ${iteration} of ${name} is not committed${detail === undefined ? '' : `; ${detail}`}`,
      { code: 'ITERATION_NOT_FOUND' },
    );
    this.iteration = iteration;
  }
}

/**
 * A rerun could not read exactly the records of the stored window (they were trimmed from the
 * stream by its retention, or the shard is gone).
 *
 * @example
 * ```ts
 * throw new WindowNotReplayableError('shardId-000000000001', 'expected 120 records, read 80');
 * ```
 */
export class WindowNotReplayableError extends AnalyzerError {
  readonly shardId: string;

  constructor(shardId: string, detail: string, cause?: unknown) {
    super(`cannot replay the window of ${shardId}: ${detail}`, {
      code: 'WINDOW_NOT_REPLAYABLE',
      cause,
    });
    this.shardId = shardId;
  }
}

/**
 * A stored checkpoint names a sequence number this stream never issued: the stream was deleted
 * and created again under the same name, and the checkpoints belong to the earlier one. Not
 * retryable; the message says how to go on.
 *
 * @example
 * ```ts
 * throw new StreamRecreatedError('logs', 'shardId-000000000000', '4960…', err);
 * ```
 */
export class StreamRecreatedError extends AnalyzerError {
  readonly stream: string;

  constructor(stream: string, shardId: string, sequenceNumber: string, cause?: unknown) {
    super(
      `stream ${stream} has no sequence number ${sequenceNumber} on ${shardId}: the stored ` +
        `checkpoints belong to an earlier stream of that name (deleted and created again). ` +
        `Analyze it under a new --name, or delete the items of this name from the checkpoints ` +
        `and iterations tables to start over`,
      { code: 'STREAM_RECREATED', cause },
    );
    this.stream = stream;
  }
}

/**
 * A Kinesis call failed for a reason other than throttling or an expired iterator (those are
 * handled where they occur).
 *
 * @example
 * ```ts
 * throw new StreamReadError('GetRecords on shardId-000000000000 failed', true, err);
 * ```
 */
export class StreamReadError extends AnalyzerError {
  constructor(message: string, retryable: boolean, cause?: unknown) {
    super(message, { code: 'STREAM_READ', retryable, cause });
  }
}

/**
 * A DynamoDB call failed for a reason other than a missing table or a failed condition.
 *
 * @example
 * ```ts
 * throw new CheckpointStoreError('PutItem on kinlog-iterations failed', true, err);
 * ```
 */
export class CheckpointStoreError extends AnalyzerError {
  constructor(message: string, retryable: boolean, cause?: unknown) {
    super(message, { code: 'CHECKPOINT_STORE', retryable, cause });
  }
}

/**
 * A stored item is not what this version of kinlog writes (edited by hand, or a newer format).
 *
 * @example
 * ```ts
 * throw new CorruptItemError('web#ITER / 3', 'report is not JSON');
 * ```
 */
export class CorruptItemError extends AnalyzerError {
  constructor(key: string, detail: string, cause?: unknown) {
    super(`stored item ${key} is not readable: ${detail}`, { code: 'CORRUPT_ITEM', cause });
  }
}

/**
 * A saved query's result would not fit one DynamoDB item.
 *
 * @example
 * ```ts
 * throw new SavedQueryTooLargeError('errors-by-host', 512_000, 409_600);
 * ```
 */
export class SavedQueryTooLargeError extends AnalyzerError {
  constructor(query: string, bytes: number, limitBytes: number) {
    super(
      `saved query ${query}: its result of ${bytes} bytes exceeds the DynamoDB item limit of ` +
        `${limitBytes} bytes; select fewer columns or rows (add a LIMIT or aggregate further)`,
      { code: 'SAVED_QUERY_TOO_LARGE' },
    );
  }
}

/**
 * A stored report would not fit one DynamoDB item even after cutting it down.
 *
 * @example
 * ```ts
 * throw new ReportTooLargeError(512_000, 409_600);
 * ```
 */
export class ReportTooLargeError extends AnalyzerError {
  constructor(bytes: number, limitBytes: number) {
    super(`report item of ${bytes} bytes exceeds the DynamoDB item limit of ${limitBytes} bytes`, {
      code: 'REPORT_TOO_LARGE',
    });
  }
}

/**
 * Sending a report email failed (connection refused, TLS mismatch, authentication, rejected
 * recipients). The message is one line and never contains the SMTP password.
 *
 * @example
 * ```ts
 * throw new ReportEmailError('authentication failed on smtp.example.com:465 (535 5.7.8)', false);
 * ```
 */
export class ReportEmailError extends AnalyzerError {
  constructor(message: string, retryable: boolean, cause?: unknown) {
    super(message, { code: 'REPORT_EMAIL', retryable, cause });
  }
}

/**
 * A report email was claimed by a run that never confirmed it was sent (it crashed, or lost the
 * connection after handing the message over): it may or may not have gone out. `--resend` sends
 * it again.
 *
 * @example
 * ```ts
 * throw new ReportEmailUnconfirmedError('web', 42, 'host-a:123', '2025-01-01T00:00:00.000Z');
 * ```
 */
export class ReportEmailUnconfirmedError extends AnalyzerError {
  readonly iteration: number;

  /** @param what names the report in the message; default `<name> #<iteration>`. */
  constructor(
    name: string,
    iteration: number,
    claimedBy: string,
    claimedAt: string,
    what = `${name} #${iteration}`,
  ) {
    super(
      `the email of ${what} was claimed by ${claimedBy} at ${claimedAt} and never ` +
        'confirmed as sent; it may have gone out: check the inbox, then use --resend to send it again',
      { code: 'REPORT_EMAIL_UNCONFIRMED' },
    );
    this.iteration = iteration;
  }
}

/**
 * A shard lease changed hands (its counter moved) since this worker last held it: the worker
 * must stop writing for that shard. Another worker owns it now.
 *
 * @example
 * ```ts
 * throw new LeaseLostError('web', 'logs#shardId-000000000003', 'counter 7 is now 9');
 * ```
 */
export class LeaseLostError extends AnalyzerError {
  readonly leaseKey: string;

  constructor(name: string, leaseKey: string, detail: string, cause?: unknown) {
    super(`lease ${leaseKey} of ${name} is no longer ours: ${detail}`, {
      code: 'LEASE_LOST',
      retryable: true,
      cause,
    });
    this.leaseKey = leaseKey;
  }
}

/**
 * A report asked for a whole-stream run that is not stored (or for any run of a name that has
 * none).
 *
 * @example
 * ```ts
 * throw new RunNotFoundError('web', 3, 'runs 1 to 2 are stored');
 * ```
 */
export class RunNotFoundError extends AnalyzerError {
  readonly run: number | undefined;

  constructor(name: string, run: number | undefined, detail: string) {
    super(`${run === undefined ? 'no whole-stream run' : `run ${run}`} of ${name}: ${detail}`, {
      code: 'RUN_NOT_FOUND',
    });
    this.run = run;
  }
}

/**
 * A name is being advanced in the other way: by `--workers` (shard leases) while a single
 * process runs it, or the other way round. Two ways at once would cut iterations twice.
 *
 * @example
 * ```ts
 * throw new NameInUseError('web', 'workers', 'host-a:42', '2026-01-01T10:00:30.000Z');
 * ```
 */
export class NameInUseError extends AnalyzerError {
  constructor(name: string, holder: string, detail: string, cause?: unknown) {
    super(`name ${name} is being analyzed by ${holder}: ${detail}`, {
      code: 'NAME_IN_USE',
      retryable: true,
      cause,
    });
  }
}

/**
 * A lease worker was stopped (`close()`, or its signal: SIGINT/SIGTERM in `kinlog analyze
 * --workers`) before the iteration it took part in was committed. Its leases are handed back
 * already, so the other workers take them at once; nothing it read is lost (they read it again).
 *
 * @example
 * ```ts
 * try { await worker.runIteration(); } catch (err) {
 *   if (err instanceof WorkerStoppedError) return; // asked to stop
 * }
 * ```
 */
export class WorkerStoppedError extends AnalyzerError {
  readonly workerId: string;

  constructor(name: string, workerId: string, during: string, cause?: unknown) {
    super(`worker ${workerId} of ${name} stopped during ${during}; its leases are handed back`, {
      code: 'WORKER_STOPPED',
      cause,
    });
    this.workerId = workerId;
  }
}
