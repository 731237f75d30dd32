import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from '@kinlog/core';
import { redactSecrets } from '../report-delivery/smtp-settings.js';
import { smtpPasswordProblems, smtpSecrets, type EmailOptions } from './email-options.js';

/**
 * Validates the raw options of a command that can email (`kinlog analyze`, `kinlog report`):
 * schema problems named by their `--option`, then the SMTP password problems, all at once.
 *
 * @throws {ConfigError} titled `invalid <command> options`.
 * @example
 * ```ts
 * const options = parseEmailCommandOptions(rawOptions, raw, 'kinlog report');
 * ```
 */
export function parseEmailCommandOptions<T extends EmailOptions>(
  schema: z.ZodType<T>,
  raw: Record<string, unknown>,
  command: string,
): T {
  const parsed = schema.safeParse(raw);
  const problems: ConfigProblem[] = parsed.success
    ? smtpPasswordProblems(parsed.data)
    : parsed.error.issues.map((issue) => ({
        path: `--${issue.path
          .map(String)
          .join('.')
          .replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
        message: issue.message,
      }));
  if (problems.length > 0 || !parsed.success) {
    throw new ConfigError(problems, `invalid ${command} options`);
  }
  return parsed.data;
}

/**
 * A commander action whose every error message is freed of the SMTP password (from the
 * environment or inside `--smtp-url`), whatever raised it.
 *
 * @example
 * ```ts
 * command.action(redactingAction((raw) => runReport(context, parse(raw))));
 * ```
 */
export function redactingAction(
  run: (raw: Record<string, unknown>) => Promise<void>,
): (raw: Record<string, unknown>) => Promise<void> {
  return async (raw) => {
    const secrets = smtpSecrets(raw);
    try {
      await run(raw);
    } catch (err) {
      // Only rewritten when it holds a secret: some errors' messages cannot be set (AbortError).
      if (err instanceof Error) {
        const redacted = redactSecrets(err.message, secrets);
        if (redacted !== err.message) err.message = redacted;
      }
      throw err;
    }
  };
}
