/*
 *   argv ─▶ commander ─▶ zod (every problem at once) ─▶ stored report of n (never the stream)
 *     ─▶ --format table|json|csv|html ─▶ stdout or --out
 *     ─▶ --email ─▶ sendIterationReport (claim, send, mark: at most once per name and iteration)
 */
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { ConfigError, type CommandContext, type ConfigProblem } from '@kinlog/core';
import { TopNLimits } from '../aggregate/top-n-result.js';
import type { CheckpointStoreOptions } from '../checkpoint/dynamo-checkpoint-store.js';
import { loadReportView } from '../report/load-report-view.js';
import { renderCsv } from '../report/render-csv.js';
import { renderHtml } from '../report/render-html.js';
import { renderJson } from '../report/render-json.js';
import { renderTable } from '../report/render-table.js';
import { ReportViewDefaults, type ReportView } from '../report/report-view.js';
import { sendIterationReport } from '../report/send-iteration-report.js';
import {
  redactSecrets,
  smtpSettingsFromUrl,
  SmtpDefaults,
  type SmtpSettings,
} from '../report/smtp-settings.js';

/** Output formats of `kinlog report`. */
export const ReportFormats = { table: 'table', json: 'json', csv: 'csv', html: 'html' } as const;
export type ReportFormat = (typeof ReportFormats)[keyof typeof ReportFormats];

/** Environment variable holding the SMTP password for `--smtp-host`. */
export const SMTP_PASSWORD_ENV = 'SMTP_PASSWORD';

const NAME = /^[\w.-]{1,128}$/;

const rawOptions = z
  .object({
    name: z
      .string({ error: 'is required' })
      .regex(NAME, 'must be 1 to 128 letters, digits, _ . or -'),
    iteration: z.coerce.number().int().min(1, 'must be an integer ≥ 1').optional(),
    latest: z.boolean().optional(),
    format: z.enum(Object.values(ReportFormats)).optional(),
    out: z.string().min(1).optional(),
    top: z.coerce
      .number()
      .int()
      .min(1, `must be from 1 to ${TopNLimits.MAX_TOP_N}`)
      .max(TopNLimits.MAX_TOP_N, `must be from 1 to ${TopNLimits.MAX_TOP_N}`),
    email: z.string().optional(),
    from: z.email('must be an email address').optional(),
    smtpUrl: z.string().optional(),
    smtpHost: z.string().min(1).optional(),
    smtpPort: z.coerce.number().int().min(1).max(65_535, 'must be a port (1 to 65535)').optional(),
    smtpUser: z.string().min(1).optional(),
    smtpSecure: z.boolean().optional(),
    smtpRequireTls: z.boolean().optional(),
    resend: z.boolean().optional(),
    ownersTable: z.string().min(3).max(255).optional(),
    endpoint: z.url().optional(),
    dynamodbEndpoint: z.url().optional(),
    region: z.string().optional(),
    iterationsTable: z.string().min(3).max(255).optional(),
  })
  .superRefine((o, ctx) => {
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (o.iteration !== undefined && o.latest === true)
      problem('latest', 'cannot be used with --iteration');
    const smtpGiven =
      o.smtpUrl !== undefined ||
      o.smtpHost !== undefined ||
      o.smtpPort !== undefined ||
      o.smtpUser !== undefined;
    if (o.email === undefined) {
      if (smtpGiven) problem('email', 'is required with the --smtp-* options');
      if (o.resend === true) problem('resend', 'needs --email');
      return;
    }
    for (const address of splitAddresses(o.email)) {
      if (!z.email().safeParse(address).success)
        problem('email', `${JSON.stringify(address.slice(0, 80))} is not an email address`);
    }
    if (splitAddresses(o.email).length === 0) problem('email', 'needs at least one address');
    if (o.smtpUrl !== undefined && o.smtpHost !== undefined)
      problem('smtp-url', 'cannot be used with --smtp-host');
    if (o.smtpUrl === undefined && o.smtpHost === undefined)
      problem('email', 'needs --smtp-url or --smtp-host');
    if (o.smtpUrl !== undefined) {
      if (o.smtpPort !== undefined || o.smtpUser !== undefined)
        problem('smtp-url', 'already holds the port and user: drop --smtp-port / --smtp-user');
      try {
        smtpSettingsFromUrl(o.smtpUrl);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        for (const p of err.problems) problem('smtp-url', p.message);
      }
    }
  });

type ReportOptions = z.infer<typeof rawOptions>;

/**
 * The `kinlog report` subcommand: renders or emails the stored report of an iteration.
 *
 * @example
 * ```ts
 * program.addCommand(reportCommand(context));
 * // kinlog report --name web --latest --format html --out report.html
 * // kinlog report --name web --email ops@example.com --smtp-url smtps://ana:pw@mail.example.com
 * ```
 */
export function reportCommand(context: CommandContext): Command {
  return new Command('report')
    .description('render or email the stored top-N report of an iteration (reads no stream)')
    .option('--name <logical-name>', 'logical name the iterations are kept under')
    .option('--iteration <n>', 'a committed iteration (default: the latest committed)')
    .option('--latest', 'the latest committed iteration (the default)')
    .addOption(
      new Option('--format <format>', 'output format (default table)').choices(
        Object.values(ReportFormats),
      ),
    )
    .option('--out <file>', 'write the output here instead of stdout')
    .option('--top <n>', 'rows in the report', String(ReportViewDefaults.TOP))
    .option('--email <addresses>', 'email the report to these comma-separated addresses')
    .option('--from <address>', 'sender address (default kinlog@<hostname>)')
    .option('--smtp-url <url>', 'smtps://user:password@host:465 or smtp://host:587 (STARTTLS)')
    .option('--smtp-host <host>', `SMTP server (password from ${SMTP_PASSWORD_ENV})`)
    .option('--smtp-port <port>', 'SMTP port (default 587, or 465 with --smtp-secure)')
    .option('--smtp-user <user>', 'SMTP user')
    .option('--smtp-secure', 'TLS from the first byte (port 465) instead of STARTTLS')
    .option('--smtp-require-tls', 'refuse to send when the server offers no STARTTLS')
    .option('--resend', 'send even if this iteration was emailed already')
    .option('--owners-table <table>', 'DynamoDB table mapping page → owner and team')
    .option('--endpoint <url>', 'DynamoDB endpoint (local services)')
    .option('--dynamodb-endpoint <url>', 'DynamoDB endpoint')
    .option('--region <region>', 'AWS region')
    .option('--iterations-table <name>', 'DynamoDB table of iterations and reports')
    .action(async (raw: Record<string, unknown>) => {
      const secrets = [
        process.env[SMTP_PASSWORD_ENV],
        typeof raw['smtpUrl'] === 'string' ? passwordOf(raw['smtpUrl']) : undefined,
      ];
      try {
        await runReport(context, validate(raw));
      } catch (err) {
        // Every message leaving this command is free of the SMTP password, whatever raised it.
        if (err instanceof Error) err.message = redactSecrets(err.message, secrets);
        throw err;
      }
    });
}

function validate(raw: Record<string, unknown>): ReportOptions {
  const parsed = rawOptions.safeParse(raw);
  const problems: ConfigProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        path: `--${issue.path
          .map(String)
          .join('.')
          .replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
        message: issue.message,
      }));
  if (
    parsed.success &&
    parsed.data.smtpUser !== undefined &&
    (process.env[SMTP_PASSWORD_ENV] ?? '') === ''
  ) {
    problems.push({ path: '--smtp-user', message: `needs the password in ${SMTP_PASSWORD_ENV}` });
  }
  if (problems.length > 0 || !parsed.success)
    throw new ConfigError(problems, 'invalid kinlog report options');
  return parsed.data;
}

function splitAddresses(list: string): string[] {
  return list
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

function passwordOf(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password === '' ? undefined : decodeURIComponent(password);
  } catch {
    return undefined;
  }
}

function smtpSettings(o: ReportOptions): SmtpSettings {
  if (o.smtpUrl !== undefined) {
    const fromUrl = smtpSettingsFromUrl(o.smtpUrl);
    return o.smtpRequireTls === true ? { ...fromUrl, requireTls: true } : fromUrl;
  }
  const secure = o.smtpSecure === true;
  const password = process.env[SMTP_PASSWORD_ENV];
  return {
    host: o.smtpHost ?? '',
    port: o.smtpPort ?? (secure ? SmtpDefaults.SECURE_PORT : SmtpDefaults.SUBMISSION_PORT),
    secure,
    requireTls: o.smtpRequireTls === true,
    ...(o.smtpUser === undefined ? {} : { user: o.smtpUser }),
    ...(o.smtpUser === undefined || password === undefined ? {} : { password }),
  };
}

function render(view: ReportView, format: ReportFormat, context: CommandContext): string {
  const tty = context.stdout as { isTTY?: boolean; columns?: number };
  switch (format) {
    case ReportFormats.json:
      return renderJson(view);
    case ReportFormats.csv:
      return renderCsv(view);
    case ReportFormats.html:
      return renderHtml(view);
    case ReportFormats.table:
      return renderTable(view, {
        ...(tty.isTTY === true && tty.columns !== undefined ? { width: tty.columns } : {}),
        color: tty.isTTY === true && process.env.NO_COLOR === undefined,
      });
  }
}

async function runReport(context: CommandContext, o: ReportOptions): Promise<void> {
  const dynamodb: CheckpointStoreOptions = {
    ...((o.dynamodbEndpoint ?? o.endpoint) === undefined
      ? {}
      : { endpoint: o.dynamodbEndpoint ?? o.endpoint }),
    ...(o.region === undefined ? {} : { region: o.region }),
    ...(o.iterationsTable === undefined ? {} : { iterationsTable: o.iterationsTable }),
  };
  const view = await loadReportView({
    name: o.name,
    ...(o.iteration === undefined ? {} : { iteration: o.iteration }),
    top: o.top,
    ...(o.ownersTable === undefined ? {} : { ownersTable: o.ownersTable }),
    dynamodb,
  });
  // With --email, the rendered report goes out only when asked for with --format or --out.
  if (o.email === undefined || o.format !== undefined || o.out !== undefined) {
    const text = render(view, o.format ?? ReportFormats.table, context);
    if (o.out === undefined) context.stdout.write(text);
    else await writeFile(o.out, text);
  }
  if (o.email === undefined) return;
  const outcome = await sendIterationReport({
    name: o.name,
    iteration: view.iteration,
    to: splitAddresses(o.email),
    ...(o.from === undefined ? {} : { from: o.from }),
    smtp: smtpSettings(o),
    dynamodb,
    top: o.top,
    ...(o.ownersTable === undefined ? {} : { ownersTable: o.ownersTable }),
    resend: o.resend === true,
  });
  const what = `${o.name} #${view.iteration}`;
  switch (outcome.status) {
    case 'sent':
      context.stderr.write(
        `emailed ${what} to ${outcome.accepted.join(', ')}: ${outcome.subject}\n`,
      );
      break;
    case 'already-sent':
      context.stderr.write(`${what} was emailed at ${outcome.sentAt}; --resend sends it again\n`);
      break;
    case 'in-progress':
      context.stderr.write(
        `${what} is being emailed by ${outcome.claimedBy} since ${outcome.claimedAt}\n`,
      );
      break;
  }
}
