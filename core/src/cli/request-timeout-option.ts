import { AwsClientDefaults } from '../aws/aws-client-config.js';
import { RETRY_BUDGET_REQUEST_TIMEOUTS } from '../aws/backoff.js';

/**
 * Bounds of `--request-timeout <ms>`, the option of the commands that call AWS (analyze, report,
 * ship): every AWS call ends within it.
 *
 * @example
 * ```ts
 * z.coerce.number().int().min(RequestTimeoutLimits.MIN_MS).max(RequestTimeoutLimits.MAX_MS);
 * ```
 */
export const RequestTimeoutLimits = {
  MIN_MS: 100,
  MAX_MS: 600_000,
} as const;

/**
 * The help text of `--request-timeout <ms>`; `retries` says what happens to a failed call (by
 * default: it is retried for at most twice as long).
 *
 * @example
 * ```ts
 * command.option('--request-timeout <ms>', requestTimeoutHelp());
 * ```
 */
export function requestTimeoutHelp(
  retries = `a failing call is retried for at most ${RETRY_BUDGET_REQUEST_TIMEOUTS}× as long`,
): string {
  return (
    `bound of each AWS call, answer included (${RequestTimeoutLimits.MIN_MS}–${RequestTimeoutLimits.MAX_MS}, ` +
    `default ${AwsClientDefaults.REQUEST_TIMEOUT_MS}); ${retries}`
  );
}
