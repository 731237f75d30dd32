/**
 * Base of every error kinlog raises. `retryable` tells callers whether the same call may
 * succeed later (throttling, network) or never will (bad config, missing stream).
 *
 * @example
 * ```ts
 * try { await sink.close(); } catch (err) {
 *   if (err instanceof KinlogError && !err.retryable) console.error(err.message);
 * }
 * ```
 */
export class KinlogError extends Error {
  /** Whether retrying the same operation may succeed. */
  readonly retryable: boolean;
  /** A stable machine-readable code, e.g. `STREAM_NOT_FOUND`. */
  readonly code: string;

  constructor(message: string, options: { code: string; retryable?: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retryable = options.retryable ?? false;
  }
}

/**
 * Invalid options or configuration. Carries every problem found, not just the first.
 *
 * @example
 * ```ts
 * throw new ConfigError([{ path: 'maxInFlight', message: 'must be between 1 and 64' }]);
 * ```
 */
export class ConfigError extends KinlogError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], context = 'invalid options') {
    super(`${context}: ${problems.map(formatProblem).join('; ')}`, { code: 'CONFIG' });
    this.problems = problems;
  }
}

/** One problem found while validating options or a config file. */
export interface ConfigProblem {
  /** Dotted path of the offending option, e.g. `flows[1].parser`. */
  readonly path: string;
  readonly message: string;
}

function formatProblem(p: ConfigProblem): string {
  return p.path === '' ? p.message : `${p.path}: ${p.message}`;
}

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
