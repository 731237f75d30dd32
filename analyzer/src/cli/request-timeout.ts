import { z } from 'zod';
import { RequestTimeoutLimits } from '@kinlog/core';

/**
 * The zod schema of `--request-timeout` (analyze, report): milliseconds within core's limits.
 *
 * @example
 * ```ts
 * z.object({ requestTimeout: requestTimeoutSchema }).parse({ requestTimeout: '500' });
 * ```
 */
export const requestTimeoutSchema = z.coerce
  .number({ error: 'must be a number of milliseconds' })
  .int('must be a whole number of milliseconds')
  .min(RequestTimeoutLimits.MIN_MS, RANGE())
  .max(RequestTimeoutLimits.MAX_MS, RANGE())
  .optional();

function RANGE(): string {
  return `must be from ${RequestTimeoutLimits.MIN_MS} to ${RequestTimeoutLimits.MAX_MS} ms`;
}
