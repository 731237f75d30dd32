import { ConfigError, type ConfigProblem } from '../errors.js';

/**
 * Options shared by the line parsers.
 *
 * @example
 * ```ts
 * const parse = getParser('log4j', { assumedUtcOffsetMinutes: 60 }); // logs written in UTC+1
 * ```
 */
export interface ParserOptions {
  /**
   * UTC offset, in minutes, of timestamps that carry no zone (log4j, Spark, HDFS, Apache error
   * logs write local time). Default 0: such times are read as UTC.
   */
  assumedUtcOffsetMinutes?: number;
}

/**
 * Bounds and defaults of {@link ParserOptions}.
 *
 * @example
 * ```ts
 * z.number().int().min(ParserOptionLimits.MIN_UTC_OFFSET_MINUTES).max(ParserOptionLimits.MAX_UTC_OFFSET_MINUTES);
 * ```
 */
export const ParserOptionLimits = {
  DEFAULT_ASSUMED_UTC_OFFSET_MINUTES: 0,
  /** Real zones span UTC−12:00 to UTC+14:00. */
  MIN_UTC_OFFSET_MINUTES: -12 * 60,
  MAX_UTC_OFFSET_MINUTES: 14 * 60,
} as const;

/** {@link ParserOptions} with defaults filled in. */
export interface ResolvedParserOptions {
  readonly assumedUtcOffsetMinutes: number;
}

/**
 * Validates parser options eagerly and fills defaults.
 *
 * @example
 * ```ts
 * resolveParserOptions({ assumedUtcOffsetMinutes: 120 }); // { assumedUtcOffsetMinutes: 120 }
 * resolveParserOptions({ assumedUtcOffsetMinutes: 5000 }); // throws ConfigError
 * ```
 */
export function resolveParserOptions(options: ParserOptions = {}): ResolvedParserOptions {
  const problems: ConfigProblem[] = [];
  const offset =
    options.assumedUtcOffsetMinutes ?? ParserOptionLimits.DEFAULT_ASSUMED_UTC_OFFSET_MINUTES;
  if (
    !Number.isInteger(offset) ||
    offset < ParserOptionLimits.MIN_UTC_OFFSET_MINUTES ||
    offset > ParserOptionLimits.MAX_UTC_OFFSET_MINUTES
  ) {
    problems.push({
      path: 'assumedUtcOffsetMinutes',
      message: `must be an integer between ${ParserOptionLimits.MIN_UTC_OFFSET_MINUTES} and ${ParserOptionLimits.MAX_UTC_OFFSET_MINUTES}, got ${String(offset)}`,
    });
  }
  if (problems.length > 0) throw new ConfigError(problems, 'invalid parser options');
  return { assumedUtcOffsetMinutes: offset };
}
