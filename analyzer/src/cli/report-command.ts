/*
 *   argv ─▶ commander ─▶ zod (every problem at once) ─▶ stored report of n (never the stream)
 *     --run [r|latest] ─▶ the stored report of whole-stream run r instead (no trend)
 *     ─▶ --format table|json|csv|html ─▶ stdout or --out
 *     ─▶ --email ─▶ sendIterationReport (claim, send, mark: at most once per name and iteration)
 */
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { requestTimeoutHelp, type CommandContext } from '@kinlog/core';
import { TopNLimits } from '../aggregate/top-n-result.js';
import {
  DynamoCheckpointStore,
  type CheckpointStoreOptions,
} from '../checkpoint/dynamo-checkpoint-store.js';
import { ReportKinds, type StoredQueryResult } from '../checkpoint/stored-items.js';
import { IterationNotFoundError, RunNotFoundError } from '../errors.js';
import { loadReportView } from '../report-delivery/load-report-view.js';
import { renderCsv } from '../report/render-csv.js';
import { renderHtml } from '../report/render-html.js';
import { renderJson } from '../report/render-json.js';
import { renderTable } from '../report/render-table.js';
import { ReportViewDefaults, type ReportView } from '../report/report-view.js';
import {
  renderSavedQueriesText,
  withSavedQueriesHtml,
  withSavedQueriesJson,
} from '../report/render-saved-queries.js';
import { sendIterationReport } from '../report-delivery/send-iteration-report.js';
import {
  addEmailOptions,
  checkEmailOptions,
  EmailOptionsShape,
  emailOutcomeLine,
  smtpSettingsOf,
  smtpUrlPasswordWarning,
  splitAddresses,
} from './email-options.js';
import { requestTimeoutSchema } from './request-timeout.js';
import { parseEmailCommandOptions, redactingAction } from './email-command-options.js';

export { SMTP_PASSWORD_ENV } from './email-options.js';

/** Output formats of `kinlog report`. */
export const ReportFormats = { table: 'table', json: 'json', csv: 'csv', html: 'html' } as const;
export type ReportFormat = (typeof ReportFormats)[keyof typeof ReportFormats];

const NAME = /^[\w.-]{1,128}$/;

const rawOptions = z
  .object({
    name: z
      .string({ error: 'is required' })
      .regex(NAME, 'must be 1 to 128 letters, digits, _ . or -'),
    iteration: z.coerce.number().int().min(1, 'must be an integer ≥ 1').optional(),
    latest: z.boolean().optional(),
    // `--run` alone (true) or `--run latest`: the latest stored run.
    run: z
      .union([
        z.literal(true),
        z.string().regex(/^(latest|[1-9]\d*)$/, 'must be a run number ≥ 1, or latest'),
      ])
      .optional(),
    format: z.enum(Object.values(ReportFormats)).optional(),
    out: z.string().min(1).optional(),
    top: z.coerce
      .number()
      .int()
      .min(1, `must be from 1 to ${TopNLimits.MAX_TOP_N}`)
      .max(TopNLimits.MAX_TOP_N, `must be from 1 to ${TopNLimits.MAX_TOP_N}`),
    ...EmailOptionsShape,
    resend: z.boolean().optional(),
    ownersTable: z.string().min(3).max(255).optional(),
    endpoint: z.url().optional(),
    dynamodbEndpoint: z.url().optional(),
    region: z.string().optional(),
    requestTimeout: requestTimeoutSchema,
    iterationsTable: z.string().min(3).max(255).optional(),
  })
  .superRefine((o, ctx) => {
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (o.iteration !== undefined && o.latest === true)
      problem('latest', 'cannot be used with --iteration');
    if (o.run !== undefined && o.iteration !== undefined)
      problem('run', 'cannot be used with --iteration (runs are numbered apart from iterations)');
    if (o.run !== undefined && o.latest === true)
      problem('latest', 'is the latest iteration; the latest run is --run alone');
    if (o.resend === true && o.email === undefined) problem('resend', 'needs --email');
    checkEmailOptions(o, problem);
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
  return addEmailOptions(
    new Command('report')
      .description('render or email the stored top-N report of an iteration (reads no stream)')
      .option('--name <logical-name>', 'logical name the iterations are kept under')
      .option('--iteration <n>', 'a committed iteration (default: the latest committed)')
      .option('--latest', 'the latest committed iteration (the default)')
      .option(
        '--run [r]',
        'a stored whole-stream run (kinlog analyze --whole-stream --every/--email) instead of ' +
          "an iteration; --run alone or '--run latest': the latest run",
      )
      .addOption(
        new Option('--format <format>', 'output format (default table)').choices(
          Object.values(ReportFormats),
        ),
      )
      .option('--out <file>', 'write the output here instead of stdout')
      .option(
        '--top <n>',
        'rows shown, up to the rows the iteration stored (50 by default; a note says when fewer)',
        String(ReportViewDefaults.TOP),
      ),
  )
    .option('--resend', 'send even if this iteration (or run) was emailed already')
    .option('--owners-table <table>', 'DynamoDB table mapping page → owner and team')
    .option('--endpoint <url>', 'DynamoDB endpoint (local services)')
    .option('--dynamodb-endpoint <url>', 'DynamoDB endpoint')
    .option('--region <region>', 'AWS region')
    .option('--request-timeout <ms>', requestTimeoutHelp())
    .option('--iterations-table <name>', 'DynamoDB table of iterations and reports')
    .action(
      redactingAction((raw) => {
        const warning = smtpUrlPasswordWarning(raw, 'kinlog report');
        if (warning !== undefined) context.stderr.write(warning + '\n');
        return runReport(context, parseEmailCommandOptions(rawOptions, raw, 'kinlog report'));
      }),
    );
}

function render(
  view: ReportView,
  saved: readonly StoredQueryResult[],
  format: ReportFormat,
  context: CommandContext,
): string {
  const tty = context.stdout as { isTTY?: boolean; columns?: number };
  switch (format) {
    case ReportFormats.json:
      return withSavedQueriesJson(renderJson(view), saved);
    case ReportFormats.csv:
      return renderCsv(view);
    case ReportFormats.html:
      return withSavedQueriesHtml(renderHtml(view), saved);
    case ReportFormats.table:
      return (
        renderTable(view, {
          ...(tty.isTTY === true && tty.columns !== undefined ? { width: tty.columns } : {}),
          color: tty.isTTY === true && process.env.NO_COLOR === undefined,
        }) + renderSavedQueriesText(saved)
      );
  }
}

/** The saved-query results stored with the iteration (none: empty). */
async function savedQueryResults(
  dynamodb: CheckpointStoreOptions,
  name: string,
  iteration: number,
): Promise<StoredQueryResult[]> {
  const store = new DynamoCheckpointStore(dynamodb);
  try {
    return await store.getSavedQueryResults(name, iteration);
  } finally {
    store.close();
  }
}

async function runReport(context: CommandContext, o: ReportOptions): Promise<void> {
  const dynamodb: CheckpointStoreOptions = {
    ...((o.dynamodbEndpoint ?? o.endpoint) === undefined
      ? {}
      : { endpoint: o.dynamodbEndpoint ?? o.endpoint }),
    ...(o.region === undefined ? {} : { region: o.region }),
    ...(o.iterationsTable === undefined ? {} : { iterationsTable: o.iterationsTable }),
    ...(o.requestTimeout === undefined ? {} : { requestTimeoutMs: o.requestTimeout }),
    signal: context.signal,
  };
  const run = o.run === undefined ? undefined : await runNumber(dynamodb, o.name, o.run);
  const kind = run === undefined ? ReportKinds.iteration : ReportKinds.run;
  const view = await loadReportView({
    name: o.name,
    ...(o.iteration === undefined ? {} : { iteration: o.iteration }),
    ...(run === undefined ? {} : { run }),
    top: o.top,
    ...(o.ownersTable === undefined ? {} : { ownersTable: o.ownersTable }),
    dynamodb,
  }).catch(async (err: unknown) => {
    // A name kept only by whole-stream runs: say what is there.
    if (err instanceof IterationNotFoundError && o.iteration === undefined && run === undefined) {
      const runs = await runRangeOf(dynamodb, o.name);
      if (runs !== undefined)
        throw new IterationNotFoundError(
          o.name,
          err.iteration,
          `${o.name} has whole-stream runs ${runs.first} to ${runs.latest}: ` +
            `kinlog report --name ${o.name} --run ${runs.latest} (--run alone: the latest)`,
        );
    }
    throw err;
  });
  // With --email, the rendered report goes out only when asked for with --format or --out.
  if (o.email === undefined || o.format !== undefined || o.out !== undefined) {
    const saved =
      run === undefined ? await savedQueryResults(dynamodb, o.name, view.iteration) : [];
    const text = render(view, saved, o.format ?? ReportFormats.table, context);
    if (o.out === undefined) context.stdout.write(text);
    else await writeFile(o.out, text);
  }
  if (o.email === undefined) return;
  const outcome = await sendIterationReport({
    name: o.name,
    iteration: view.iteration,
    kind,
    to: splitAddresses(o.email),
    ...(o.from === undefined ? {} : { from: o.from }),
    smtp: smtpSettingsOf(o),
    dynamodb,
    top: o.top,
    ...(o.ownersTable === undefined ? {} : { ownersTable: o.ownersTable }),
    resend: o.resend === true,
  });
  context.stderr.write(emailOutcomeLine(o.name, view.iteration, outcome, kind) + '\n');
}

/** The first and latest run of a name (none: `undefined`). */
async function runRangeOf(
  dynamodb: CheckpointStoreOptions,
  name: string,
): Promise<{ first: number; latest: number } | undefined> {
  const store = new DynamoCheckpointStore(dynamodb);
  try {
    return await store.runRange(name);
  } finally {
    store.close();
  }
}

/** `--run r` as a number; `--run` alone or `--run latest`: the latest stored run. */
async function runNumber(
  dynamodb: CheckpointStoreOptions,
  name: string,
  option: true | string,
): Promise<number> {
  if (option !== true && option !== 'latest') return Number(option);
  const runs = await runRangeOf(dynamodb, name);
  if (runs === undefined)
    throw new RunNotFoundError(
      name,
      undefined,
      'kinlog analyze --whole-stream with --every or --email stores them',
    );
  return runs.latest;
}
