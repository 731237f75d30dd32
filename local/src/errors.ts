import { KinlogError } from '@kinlog/core';

/** Why the local Kinesis/DynamoDB servers could not start or stopped. */
export const LocalServicesFailures = {
  /** A requested port is taken by another process. */
  PORT_IN_USE: 'PORT_IN_USE',
  /** An npm package behind a server (`kinesalite`, `dynalite`, `kinesis-local`) is not installed. */
  PACKAGE_MISSING: 'PACKAGE_MISSING',
  /** A server did not answer within the start-up bound. */
  START_TIMEOUT: 'START_TIMEOUT',
  /** The process running the servers ended on its own. */
  EXITED: 'EXITED',
  /** Any other start-up failure; see `cause` and the message. */
  START_FAILED: 'START_FAILED',
} as const;

/** One of {@link LocalServicesFailures}. */
export type LocalServicesFailure =
  (typeof LocalServicesFailures)[keyof typeof LocalServicesFailures];

/**
 * The local Kinesis/DynamoDB servers failed to start or died. `reason` says which way.
 *
 * @example
 * ```ts
 * try { await startLocalServices({ kinesisPort: 4567 }); } catch (err) {
 *   if (err instanceof LocalServicesError && err.reason === 'PORT_IN_USE') console.error(err.message);
 * }
 * ```
 */
export class LocalServicesError extends KinlogError {
  readonly reason: LocalServicesFailure;

  constructor(message: string, reason: LocalServicesFailure, cause?: unknown) {
    super(message, { code: 'LOCAL_SERVICES', cause });
    this.reason = reason;
  }
}
