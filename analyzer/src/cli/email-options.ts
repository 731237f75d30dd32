/*
 * The report email options shared by `kinlog report` and `kinlog analyze`:
 *
 *   addEmailOptions(command) ─▶ --email --from --smtp-url | --smtp-host --smtp-port --smtp-user
 *                               --smtp-secure --smtp-require-tls
 *   z.object({ ...EmailOptionsShape, … }).superRefine(… checkEmailOptions(o, problem) …)
 *   smtpPasswordProblems(o) (reads the environment) ─▶ smtpSettingsOf(o) ─▶ sendIterationReport
 */
import { ReportKinds, type ReportKind } from '../checkpoint/stored-items.js';
import type { Command } from 'commander';
import { z } from 'zod';
import { ConfigError, type ConfigProblem } from '@kinlog/core';
import type { SendIterationReportOutcome } from '../report-delivery/send-iteration-report.js';
import {
  smtpSettingsFromUrl,
  SmtpDefaults,
  type SmtpSettings,
} from '../report-delivery/smtp-settings.js';

/** Environment variable holding the SMTP password for `--smtp-host`. */
export const SMTP_PASSWORD_ENV = 'SMTP_PASSWORD';

/** The zod fields of the email options, spread into a command's option object. */
export const EmailOptionsShape = {
  email: z.string().optional(),
  from: z.email('must be an email address').optional(),
  smtpUrl: z.string().optional(),
  smtpHost: z.string().min(1).optional(),
  smtpPort: z.coerce.number().int().min(1).max(65_535, 'must be a port (1 to 65535)').optional(),
  smtpUser: z.string().min(1).optional(),
  smtpSecure: z.boolean().optional(),
  smtpRequireTls: z.boolean().optional(),
} as const;

/** Validated email options. */
export type EmailOptions = z.infer<z.ZodObject<typeof EmailOptionsShape>>;

/** Reports one problem of an option (its camelCase name) from inside a zod refinement. */
export type ProblemSink = (option: string, message: string) => void;

/**
 * Adds the email options to a command.
 *
 * @example
 * ```ts
 * addEmailOptions(new Command('report').option('--name <logical-name>'));
 * ```
 */
export function addEmailOptions(command: Command): Command {
  return command
    .option('--email <addresses>', 'email the report to these comma-separated addresses')
    .option(
      '--from <address>',
      'sender address (default: the SMTP user if it is an address, else kinlog@<hostname>)',
    )
    .option('--smtp-url <url>', 'smtps://user:password@host:465 or smtp://host:587 (STARTTLS)')
    .option('--smtp-host <host>', `SMTP server (password from ${SMTP_PASSWORD_ENV})`)
    .option('--smtp-port <port>', 'SMTP port (default 587, or 465 with --smtp-secure)')
    .option('--smtp-user <user>', 'SMTP user')
    .option('--smtp-secure', 'TLS from the first byte (port 465) instead of STARTTLS')
    .option('--smtp-require-tls', 'refuse to send when the server offers no STARTTLS');
}

/**
 * Cross-option checks of the email options, for a command's zod `superRefine`.
 *
 * @example
 * ```ts
 * schema.superRefine((o, ctx) => checkEmailOptions(o, (path, message) =>
 *   ctx.addIssue({ code: 'custom', path: [path], message })));
 * ```
 */
export function checkEmailOptions(o: EmailOptions, problem: ProblemSink): void {
  if (o.email === undefined) {
    if (
      o.smtpUrl !== undefined ||
      o.smtpHost !== undefined ||
      o.smtpPort !== undefined ||
      o.smtpUser !== undefined
    )
      problem('email', 'is required with the --smtp-* options');
    return;
  }
  const addresses = splitAddresses(o.email);
  for (const address of addresses) {
    if (!z.email().safeParse(address).success)
      problem('email', `${JSON.stringify(address.slice(0, 80))} is not an email address`);
  }
  if (addresses.length === 0) problem('email', 'needs at least one address');
  if (o.smtpUrl !== undefined && o.smtpHost !== undefined)
    problem('smtpUrl', 'cannot be used with --smtp-host');
  if (o.smtpUrl === undefined && o.smtpHost === undefined)
    problem('email', 'needs --smtp-url or --smtp-host');
  if (o.smtpUrl !== undefined) {
    if (o.smtpPort !== undefined || o.smtpUser !== undefined)
      problem('smtpUrl', 'already holds the port and user: drop --smtp-port / --smtp-user');
    try {
      smtpSettingsFromUrl(o.smtpUrl);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const p of err.problems) problem('smtpUrl', p.message);
    }
  }
}

/**
 * Problems that depend on the environment (kept out of the schema so it stays pure).
 *
 * @example
 * ```ts
 * problems.push(...smtpPasswordProblems(parsed.data));
 * ```
 */
export function smtpPasswordProblems(
  o: EmailOptions,
  env: NodeJS.ProcessEnv = process.env,
): ConfigProblem[] {
  return o.smtpUser !== undefined && (env[SMTP_PASSWORD_ENV] ?? '') === ''
    ? [{ path: '--smtp-user', message: `needs the password in ${SMTP_PASSWORD_ENV}` }]
    : [];
}

/**
 * The recipients of `--email a@x, b@y`.
 *
 * @example
 * ```ts
 * splitAddresses('a@x.org, b@y.org,'); // ['a@x.org', 'b@y.org']
 * ```
 */
export function splitAddresses(list: string): string[] {
  return list
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

/**
 * The SMTP settings the validated options describe.
 *
 * @example
 * ```ts
 * smtpSettingsOf({ smtpUrl: 'smtp://127.0.0.1:2525' }); // { host: '127.0.0.1', port: 2525, … }
 * ```
 */
export function smtpSettingsOf(
  o: EmailOptions,
  env: NodeJS.ProcessEnv = process.env,
): SmtpSettings {
  if (o.smtpUrl !== undefined) {
    const fromUrl = smtpSettingsFromUrl(o.smtpUrl);
    return o.smtpRequireTls === true ? { ...fromUrl, requireTls: true } : fromUrl;
  }
  const secure = o.smtpSecure === true;
  const password = env[SMTP_PASSWORD_ENV];
  return {
    host: o.smtpHost ?? '',
    port: o.smtpPort ?? (secure ? SmtpDefaults.SECURE_PORT : SmtpDefaults.SUBMISSION_PORT),
    secure,
    requireTls: o.smtpRequireTls === true,
    ...(o.smtpUser === undefined ? {} : { user: o.smtpUser }),
    ...(o.smtpUser === undefined || password === undefined ? {} : { password }),
  };
}

/**
 * The secrets the raw (not yet validated) options may carry, for `redactSecrets`: the password
 * from the environment and the one inside `--smtp-url`.
 *
 * @example
 * ```ts
 * err.message = redactSecrets(err.message, smtpSecrets(raw));
 * ```
 */
export function smtpSecrets(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): (string | undefined)[] {
  const url = raw['smtpUrl'];
  return [env[SMTP_PASSWORD_ENV], typeof url === 'string' ? passwordOf(url) : undefined];
}

/**
 * The warning for a password written inside `--smtp-url`, where `ps` and `/proc/<pid>/cmdline`
 * show it to every user of the machine; `undefined` when the URL holds none.
 *
 * @example
 * ```ts
 * const warning = smtpUrlPasswordWarning(raw, 'kinlog report');
 * if (warning !== undefined) context.stderr.write(warning + '\n');
 * ```
 */
export function smtpUrlPasswordWarning(
  raw: Record<string, unknown>,
  command: string,
): string | undefined {
  const url = raw['smtpUrl'];
  if (typeof url !== 'string' || passwordOf(url) === undefined) return undefined;
  return (
    `${command}: warning: the SMTP password in --smtp-url can be read by any user of this ` +
    `machine (ps, /proc/<pid>/cmdline); give it in ${SMTP_PASSWORD_ENV} instead, with ` +
    '--smtp-host, --smtp-port and --smtp-user (for cron or systemd: an env file of mode 0600)'
  );
}

/**
 * One line saying how an email attempt ended, for stderr.
 *
 * @example
 * ```ts
 * context.stderr.write(emailOutcomeLine('web', 42, outcome) + '\n');
 * ```
 */
export function emailOutcomeLine(
  name: string,
  iteration: number,
  outcome: SendIterationReportOutcome,
  kind: ReportKind = ReportKinds.iteration,
): string {
  const what = `${name} ${kind === ReportKinds.run ? 'run ' : '#'}${iteration}`;
  switch (outcome.status) {
    case 'sent':
      return `emailed ${what} to ${outcome.accepted.join(', ')}: ${outcome.subject}`;
    case 'already-sent':
      return `${what} was emailed at ${outcome.sentAt}; kinlog report --resend sends it again`;
    case 'in-progress':
      return `${what} is being emailed by ${outcome.claimedBy} since ${outcome.claimedAt}`;
  }
}

function passwordOf(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password === '' ? undefined : decodeURIComponent(password);
  } catch {
    return undefined;
  }
}
