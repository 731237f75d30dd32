import { KinlogError } from '@kinlog/core';

/** A missing stream: one class for every package, raised by the sink for a stream not found. */
export { StreamNotFoundError } from '@kinlog/core';

/**
 * Base of the appender's errors. Subclasses say what went wrong with Kinesis in words a user can
 * act on, name the stream and the endpoint, and keep the SDK error as `cause`.
 *
 * @example
 * ```ts
 * sink.on('error', (err: AppenderError) => console.error(err.message, err.retryable));
 * ```
 */
export class AppenderError extends KinlogError {}

/** Where a request went: used to make every message name the stream and the endpoint. */
export interface KinesisTarget {
  readonly streamName: string;
  readonly endpoint: string;
}

/**
 * Credentials are missing, invalid or lack permission (`kinesis:PutRecords`). Not retryable.
 *
 * @example
 * ```ts
 * if (err instanceof KinesisAccessError) console.error('fix IAM:', err.message);
 * ```
 */
export class KinesisAccessError extends AppenderError {
  constructor(target: KinesisTarget, detail: string, cause?: unknown) {
    super(
      `Kinesis refused access to stream "${target.streamName}" at ${target.endpoint}: ${detail}`,
      { code: 'ACCESS_DENIED', retryable: false, cause },
    );
  }
}

/**
 * The endpoint could not be reached (connection refused, reset, DNS, timeout). Retryable: an
 * outage ends; a wrong endpoint shows up as this error, reported once.
 *
 * @example
 * ```ts
 * if (err instanceof KinesisUnreachableError) console.error(err.message);
 * ```
 */
export class KinesisUnreachableError extends AppenderError {
  constructor(target: KinesisTarget, detail: string, cause?: unknown) {
    super(
      `cannot reach Kinesis at ${target.endpoint} for stream "${target.streamName}": ${detail}`,
      { code: 'UNREACHABLE', retryable: true, cause },
    );
  }
}

/**
 * Any other failed PutRecords request: throttling and 5xx are retryable, validation errors not.
 *
 * @example
 * ```ts
 * if (err instanceof KinesisRequestError && err.retryable) scheduleRetry();
 * ```
 */
export class KinesisRequestError extends AppenderError {
  /** The AWS error name, e.g. `ProvisionedThroughputExceededException`. */
  readonly awsCode: string;
  constructor(
    target: KinesisTarget,
    awsCode: string,
    detail: string,
    retryable: boolean,
    cause?: unknown,
  ) {
    super(
      `PutRecords to stream "${target.streamName}" at ${target.endpoint} failed: ${awsCode}: ${detail}`,
      {
        code: retryable ? 'REQUEST_RETRYABLE' : 'REQUEST_REJECTED',
        retryable,
        cause,
      },
    );
    this.awsCode = awsCode;
  }
}

/**
 * The daemon's state directory cannot be created or written: offsets could not be kept, so the
 * daemon refuses to start (`kinlog ship` exits with status 2).
 *
 * @example
 * ```ts
 * if (err instanceof StateDirError) console.error(err.message); // names the directory
 * ```
 */
export class StateDirError extends AppenderError {
  readonly stateDir: string;
  constructor(stateDir: string, detail: string, cause?: unknown) {
    super(
      `state directory ${stateDir} is not writable (${detail}): pass --state-dir (or stateDir in the config) with a directory this user can write`,
      { code: 'STATE_DIR_NOT_WRITABLE', retryable: false, cause },
    );
    this.stateDir = stateDir;
  }
}

/**
 * Bytes that are not one well-formed CBOR item (truncated, a reserved head, text that is not
 * UTF-8, nesting too deep, bytes after the item); the message says at which byte.
 *
 * @example
 * ```ts
 * try { decodeCbor(answer); } catch (err) { if (err instanceof CborDecodeError) … }
 * ```
 */
export class CborDecodeError extends AppenderError {
  constructor(detail: string) {
    super(detail, { code: 'CBOR_INVALID', retryable: false });
  }
}
