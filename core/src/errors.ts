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

/**
 * The Kinesis stream does not exist (or is not visible with these credentials). Not retryable:
 * a sink reports it once instead of retrying every batch; analyze stops. The one class every
 * package raises for a missing stream.
 *
 * @example
 * ```ts
 * if (err instanceof StreamNotFoundError) console.error(`create ${err.streamName} first`);
 * ```
 */
export class StreamNotFoundError extends KinlogError {
  readonly streamName: string;

  constructor(
    target: { readonly streamName: string; readonly endpoint?: string },
    cause?: unknown,
  ) {
    const where = target.endpoint === undefined ? '' : ` at ${target.endpoint}`;
    super(
      `Kinesis stream "${target.streamName}" was not found${where}: create it, or check the stream name, region and endpoint`,
      { code: 'STREAM_NOT_FOUND', retryable: false, cause },
    );
    this.streamName = target.streamName;
  }
}
