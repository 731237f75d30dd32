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
