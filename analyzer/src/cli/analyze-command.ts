/*
 *   argv ─▶ commander ─▶ zod (every problem at once) ─▶ Analyzer
 *     --whole-stream ─▶ wholeStream()        --iteration n ─▶ rerunIteration(n)
 *       with --every/--cron or --email ─▶ wholeStreamRun(): each run stored as run r of the
 *       name (no checkpoint, no iteration), repeated and emailed like iterations below
 *     otherwise      ─▶ runIteration(), repeated on --every until the context's signal aborts
 *                       └─ --email ─▶ IterationEmailer (one SMTP connection for the whole run):
 *                          n and the unsent ones just before it; a failure waits for the next tick,
 *                          or fails a single run once n is committed
 *     --query name=file.sql ─▶ the caller's saved-query hook (the CLI wires @kinlog/query) reads
 *                          the window with the top-N; results are stored with n and printed
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import {
  ConfigError,
  FORMAT_DETECTOR_VERSION,
  ParserNames,
  requestTimeoutHelp,
  type CommandContext,
} from '@kinlog/core';
import { TopNDefaults } from '../aggregate/top-n-aggregator.js';
import { TopNLimits, type TopNResult } from '../aggregate/top-n-result.js';
import { AUTO_PARSER } from '../decode/record-decoder.js';
import {
  ReportKinds,
  RunnerModes,
  SavedQueryLimits,
  type StoredQueryResult,
} from '../checkpoint/stored-items.js';
import type { StoredFormats } from '../checkpoint/stored-report.js';
import { DynamoCheckpointStore } from '../checkpoint/dynamo-checkpoint-store.js';
import { renderSavedQueriesText, savedQueriesJson } from '../report/render-saved-queries.js';
import type { WindowHook, WindowReadInfo } from '../window/window-hook.js';
import { IterationConflictError, WorkerStoppedError } from '../errors.js';
import type { AnalyzeProgress } from '../window/analyze-shards.js';
import {
  IterationEmailer,
  IterationEmailerDefaults,
} from '../report-delivery/iteration-emailer.js';
import { redactSecrets } from '../report-delivery/smtp-settings.js';
import { Analyzer } from '../window/analyzer.js';
import { RunnerGuard, RunnerGuardDefaults } from '../window/runner-guard.js';
import {
  addEmailOptions,
  checkEmailOptions,
  EmailOptionsShape,
  emailOutcomeLine,
  smtpSecrets,
  smtpSettingsOf,
  smtpUrlPasswordWarning,
  splitAddresses,
} from './email-options.js';
import { requestTimeoutSchema } from './request-timeout.js';
import { parseEmailCommandOptions, redactingAction } from './email-command-options.js';
import { AnalyzeFormats, formatTable } from './format-report.js';
import { startAnalyzeMetricsRun } from './analyze-metrics-run.js';
import { leaseWorkerRun } from './lease-worker-run.js';
import { isDuration, isTimeZone, parseSchedule, type Schedule } from './schedule.js';

/** Defaults of `kinlog analyze`. */
export const AnalyzeCommandDefaults = {
  TOP: 10,
  FORMAT: AnalyzeFormats.table,
  /** The progress bar appears once a read is this far behind the stream's tip… */
  PROGRESS_MIN_BEHIND_MS: 60_000,
  /** …or has read this many records. */
  PROGRESS_MIN_RECORDS: 50_000,
  /** Streams one name may cut together (`--stream`, repeated). */
  MAX_STREAMS: 8,
} as const;

const STREAM_NAME = /^[\w.-]{1,128}$/;
const RELATIVE_TIME = /^(\d+)(s|m|h|d)$/;
const RELATIVE_UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const rawOptions = z
  .object({
    // Checked as a whole (problems name --stream, not one element of it).
    stream: z
      .array(z.string(), { error: 'is required' })
      .min(1, 'is required')
      .max(
        AnalyzeCommandDefaults.MAX_STREAMS,
        `at most ${AnalyzeCommandDefaults.MAX_STREAMS} streams under one name`,
      )
      .refine(
        (streams) => streams.every((x) => STREAM_NAME.test(x)),
        'must be a Kinesis stream name',
      )
      .refine((streams) => new Set(streams).size === streams.length, 'names a stream twice'),
    name: z
      .string()
      .regex(/^[\w.-]{1,128}$/, 'must be 1 to 128 letters, digits, _ . or -')
      .optional(),
    iteration: z.coerce.number().int().min(1, 'must be an integer ≥ 1').optional(),
    wholeStream: z.boolean().optional(),
    since: z.string().optional(),
    every: z.string().optional(),
    cron: z.string().optional(),
    tz: z.string().optional(),
    top: z.coerce
      .number()
      .int()
      .min(1)
      .max(TopNLimits.MAX_TOP_N, `must be from 1 to ${TopNLimits.MAX_TOP_N}`),
    format: z.enum([AnalyzeFormats.table, AnalyzeFormats.json]),
    parser: z.enum(ParserNames),
    count4xx: z.boolean(),
    createTables: z.boolean().optional(),
    endpoint: z.url().optional(),
    kinesisEndpoint: z.url().optional(),
    dynamodbEndpoint: z.url().optional(),
    region: z.string().optional(),
    requestTimeout: requestTimeoutSchema,
    checkpointsTable: z.string().min(3).max(255).optional(),
    iterationsTable: z.string().min(3).max(255).optional(),
    workers: z.boolean().optional(),
    workerId: z.string().min(1).max(256).optional(),
    failoverMs: z.coerce.number().int().min(30, 'must be an integer ≥ 30').optional(),
    leasesTable: z.string().min(3).max(255).optional(),
    query: z
      .array(z.string().regex(/^[^=]+=.+$/, 'must be name=file.sql'))
      .max(SavedQueryLimits.MAX_QUERIES, `at most ${SavedQueryLimits.MAX_QUERIES} saved queries`)
      .optional(),
    metricsPort: z.coerce
      .number()
      .int()
      .min(0, 'must be a port from 0 to 65535')
      .max(65535, 'must be a port from 0 to 65535')
      .optional(),
    metricsHost: z.string().min(1).optional(),
    ...EmailOptionsShape,
  })
  .superRefine((o, ctx) => {
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (o.wholeStream !== true && o.name === undefined)
      problem('name', 'is required unless --whole-stream');
    if (
      o.wholeStream === true &&
      o.name === undefined &&
      (o.every !== undefined || o.cron !== undefined || o.email !== undefined)
    )
      problem(
        'name',
        'is required with --whole-stream and --every, --cron or --email (runs are stored under it)',
      );
    if (o.wholeStream === true && o.iteration !== undefined)
      problem('iteration', 'cannot be used with --whole-stream');
    if (o.since !== undefined && o.wholeStream !== true) problem('since', 'needs --whole-stream');
    if (o.since !== undefined && parseSince(o.since, Date.now()) === undefined) {
      problem('since', 'must be an ISO-8601 time or a relative one like 30m, 6h, 2d');
    }
    const tzValid = o.tz === undefined || isTimeZone(o.tz);
    if (!tzValid)
      problem('tz', `${JSON.stringify(o.tz)} is not an IANA time zone (e.g. Europe/Berlin, UTC)`);
    for (const [option, text] of [
      ['every', o.every],
      ['cron', o.cron],
    ] as const) {
      if (text === undefined) continue;
      if (o.iteration !== undefined)
        problem(option, 'only repeats new iterations or whole-stream runs');
      if (option === 'cron' && isDuration(text)) {
        problem(option, `${JSON.stringify(text)} is a duration: use --every ${text}`);
        continue;
      }
      const schedule = parseSchedule(text, tzValid ? timezoneOption(o.tz) : {});
      if (typeof schedule === 'string') problem(option, schedule);
    }
    if (o.every !== undefined && o.cron !== undefined)
      problem('cron', 'cannot be used with --every (one schedule per run)');
    const cronText = o.cron ?? o.every;
    if (o.tz !== undefined && (cronText === undefined || isDuration(cronText)))
      problem('tz', 'applies to a cron schedule (--cron, or --every with a cron expression)');
    if (o.email !== undefined && o.iteration !== undefined)
      problem(
        'email',
        'sends new iterations as they commit; for a committed one use kinlog report --iteration n --email',
      );
    for (const key of ['workerId', 'failoverMs', 'leasesTable'] as const) {
      if (o[key] !== undefined && o.workers !== true) problem(key, 'needs --workers');
    }
    if (o.workers === true && o.wholeStream === true)
      problem(
        'workers',
        'shares iterations (new ones, or a rerun with --iteration), not --whole-stream',
      );
    if (o.query !== undefined && o.workers === true)
      problem(
        'query',
        'runs where one process reads the whole window, not with --workers; query a committed ' +
          'iteration afterwards with kinlog query --name N --iteration k',
      );
    if (o.stream.length > 1) {
      for (const [key, on] of [
        ['wholeStream', o.wholeStream],
        ['workers', o.workers],
      ] as const) {
        if (on === true) problem(key, 'reads one stream: give a single --stream');
      }
      if (o.query !== undefined)
        problem(
          'query',
          'reads one stream; with several, query an iteration with kinlog query --table a=s1 --table b=s2',
        );
    }
    if (o.query !== undefined && o.wholeStream === true)
      problem(
        'query',
        'runs over iterations; for the whole stream use kinlog query --whole-stream',
      );
    if (o.metricsHost !== undefined && o.metricsPort === undefined)
      problem('metricsHost', 'needs --metrics-port');
    checkEmailOptions(o, problem);
  });

type AnalyzeOptions = z.infer<typeof rawOptions>;

/** One saved query, read from its file: `--query <name>=<file.sql>`. */
export interface SavedQuerySpec {
  readonly name: string;
  readonly sql: string;
}

/** What `kinlog analyze` can be given by the program that builds it. */
export interface AnalyzeCommandExtensions {
  /**
   * Builds the window hook that runs `--query` saved queries (`savedQueryHook` of
   * `@kinlog/query`); without it `--query` is refused, so this package needs no SQL engine.
   */
  readonly savedQueryHook?: (options: {
    readonly queries: readonly SavedQuerySpec[];
    readonly store: DynamoCheckpointStore;
    readonly onResults: (info: WindowReadInfo, results: readonly StoredQueryResult[]) => void;
  }) => WindowHook;
}

/**
 * The `kinlog analyze` subcommand.
 *
 * @example
 * ```ts
 * program.addCommand(analyzeCommand({ signal, stdout: process.stdout, stderr: process.stderr }));
 * // kinlog analyze --stream logs --name web --top 10 --format table
 * ```
 */
export function analyzeCommand(
  context: CommandContext,
  extensions: AnalyzeCommandExtensions = {},
): Command {
  const command = new Command('analyze')
    .description('count the top errors by region and page in the next window of a Kinesis stream')
    .option(
      '--stream <name>',
      'Kinesis stream to read; repeat it to cut several streams in each iteration of the ' +
        'name (one consistent batch: kinlog query --iteration k joins them)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--name <logical-name>', 'logical name iterations and checkpoints are kept under')
    .option('--iteration <n>', 'rerun committed iteration n over exactly its records')
    .option(
      '--whole-stream',
      'read everything retained, write no checkpoint; with --every/--cron or --email each run ' +
        'is stored as run 1, 2, … of --name (kinlog report --name N --run r)',
    )
    .option('--since <time>', 'with --whole-stream: start here (ISO-8601, or 30m / 6h / 2d ago)')
    .option('--every <interval|cron>', "keep running: '5m', '1h' or a cron expression")
    .option(
      '--cron <expression>',
      "keep running on a cron schedule: '*/15 * * * *', '0 8 * * MON-FRI', '@daily'",
    )
    .option('--tz <zone>', 'IANA time zone the cron schedule is read in (default: local time)')
    .option(
      '--top <n>',
      `rows shown (${TopNDefaults.storedRows} are stored, or n if more, for kinlog report --top)`,
      String(AnalyzeCommandDefaults.TOP),
    )
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(Object.values(AnalyzeFormats))
        .default(AnalyzeCommandDefaults.FORMAT),
    )
    .option(
      '--parser <parser>',
      `how to read text records: ${AUTO_PARSER} (each record's own format: JSON, Apache/nginx ` +
        `access, Apache error, log4j, syslog, else text with its level word) or one of ` +
        ParserNames.filter((p) => p !== AUTO_PARSER).join(', '),
      AUTO_PARSER,
    )
    .option('--no-count-4xx', 'do not count 4xx statuses as (client) errors')
    .option('--create-tables', 'create the DynamoDB tables (on-demand billing) first')
    .option('--endpoint <url>', 'one endpoint for both Kinesis and DynamoDB (local services)')
    .option('--kinesis-endpoint <url>', 'Kinesis endpoint')
    .option('--dynamodb-endpoint <url>', 'DynamoDB endpoint')
    .option('--region <region>', 'AWS region')
    .option('--request-timeout <ms>', requestTimeoutHelp())
    .option('--checkpoints-table <name>', 'DynamoDB table of per-shard checkpoints')
    .option('--iterations-table <name>', 'DynamoDB table of iterations and reports')
    .option(
      '--workers',
      'share the name with other workers: each reads the shards it leases, one merges; with ' +
        '--iteration n, the workers rerunning n share its stored cut the same way',
    )
    .option('--worker-id <id>', 'with --workers: this worker (default host:pid)')
    .option(
      '--failover-ms <ms>',
      'with --workers: a lease not renewed for this long is taken over (default 10000)',
    )
    .option('--leases-table <name>', 'with --workers: DynamoDB table of leases and partials')
    .option(
      '--query <name=file.sql>',
      'saved query (repeatable): run over the same window as the top-N, table logs; its result ' +
        `(at most ${SavedQueryLimits.MAX_ROWS} rows, end it with ORDER BY for a stable order) is ` +
        'stored with the iteration and shown by kinlog report; not with --workers',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option(
      '--metrics-port <port>',
      'serve Prometheus metrics on http://127.0.0.1:<port>/metrics (0: any free port, printed)',
    )
    .option(
      '--metrics-host <host>',
      'with --metrics-port: address to listen on (default 127.0.0.1)',
    );
  return addEmailOptions(command)
    .addHelpText('after', ANALYZE_HELP_EXAMPLES)
    .action(
      redactingAction((raw) => {
        const warning = smtpUrlPasswordWarning(raw, 'kinlog analyze');
        if (warning !== undefined) context.stderr.write(warning + '\n');
        return runAnalyze(
          context,
          parseEmailCommandOptions(rawOptions, raw, 'kinlog analyze'),
          extensions,
        );
      }),
    );
}

const ANALYZE_HELP_EXAMPLES = `
With --email, each committed iteration's report is emailed at most once per name
and iteration (as with kinlog report), after any of the ${IterationEmailerDefaults.LOOK_BACK_ITERATIONS} iterations before it
that are committed but not emailed yet. A failed email does not stop --every (the
next tick sends it); a single run exits non-zero once the iteration is committed.

--whole-stream with --every/--cron or --email is a sliding-window report: each run
reads the whole retained stream (or the last --since, measured from each run's
start), stores its report as the next numbered run of --name (apart from
iterations; no checkpoint), and is emailed at most once, a restart included.
kinlog report --name N --run r (or --run for the latest) shows a run again.

New iterations of a name are advanced either by single runs or by --workers,
never both at once: started the other way, kinlog analyze fails (NAME_IN_USE)
naming who holds the name; a clean stop frees it at once, a crash within ${RunnerGuardDefaults.HOLD_MS / 1000} s.

Examples:
  kinlog analyze --stream logs --name web --create-tables
  kinlog analyze --stream logs --name web --iteration 7 --format json
  kinlog analyze --stream logs --whole-stream --since 6h
  kinlog analyze --stream logs --name web-24h --whole-stream --since 24h --every 1h \\
    --email ops@example.com --smtp-host mail.example.com
  kinlog analyze --stream logs --name web --workers --every 5m   (on each of N hosts)
  kinlog analyze --stream logs --name web --workers --iteration 7 (rerun, on each of N hosts)
  kinlog analyze --stream logs --name web --query errors-by-host=errors-by-host.sql
  kinlog analyze --stream web-logs --stream clicks --name shop   (one cut of both)
  kinlog analyze --stream logs --name web --every 5m --metrics-port 9465
  kinlog analyze --stream logs --name web --every 15m \\
    --email ops@example.com,dev@example.com --smtp-url smtps://kinlog:PASSWORD@mail.example.com
  SMTP_PASSWORD=... kinlog analyze --stream logs --name web --cron '0 8 * * MON-FRI' \\
    --tz Europe/Berlin \\
    --email ops@example.com --smtp-host mail.example.com --smtp-user kinlog --smtp-require-tls
`;

function timezoneOption(tz: string | undefined): { timezone?: string } {
  return tz === undefined ? {} : { timezone: tz };
}

function parseSince(text: string, nowMs: number): Date | undefined {
  const relative = RELATIVE_TIME.exec(text);
  if (relative !== null) {
    return new Date(
      nowMs - Number(relative[1]) * RELATIVE_UNIT_MS[relative[2] as keyof typeof RELATIVE_UNIT_MS],
    );
  }
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

async function readSavedQueries(
  specs: readonly string[] | undefined,
): Promise<SavedQuerySpec[] | undefined> {
  if (specs === undefined) return undefined;
  const queries: SavedQuerySpec[] = [];
  const problems: { path: string; message: string }[] = [];
  for (const spec of specs) {
    const at = spec.indexOf('=');
    const name = spec.slice(0, at);
    const file = spec.slice(at + 1);
    try {
      queries.push({ name, sql: await readFile(file, 'utf8') });
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      problems.push({
        path: 'query',
        message: `${name}: cannot read ${file}${typeof code === 'string' ? ` (${code})` : ''}`,
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems, 'invalid kinlog analyze options');
  return queries;
}

async function runAnalyze(
  context: CommandContext,
  o: AnalyzeOptions,
  extensions: AnalyzeCommandExtensions,
): Promise<void> {
  if (o.query !== undefined && extensions.savedQueryHook === undefined) {
    throw new ConfigError([
      { path: 'query', message: 'needs the SQL engine: run it through the kinlog command' },
    ]);
  }
  const queries = await readSavedQueries(o.query);
  const connection = (endpoint: string | undefined) => ({
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(o.region === undefined ? {} : { region: o.region }),
    ...(o.requestTimeout === undefined ? {} : { requestTimeoutMs: o.requestTimeout }),
  });
  const progress = progressReporter(context);
  const dynamodb = {
    ...connection(o.dynamodbEndpoint ?? o.endpoint),
    ...(o.checkpointsTable === undefined ? {} : { checkpointsTable: o.checkpointsTable }),
    ...(o.iterationsTable === undefined ? {} : { iterationsTable: o.iterationsTable }),
    signal: context.signal,
  };
  let saved: readonly StoredQueryResult[] = [];
  const store = queries === undefined ? undefined : new DynamoCheckpointStore(dynamodb);
  const windowHook =
    queries === undefined || store === undefined
      ? undefined
      : extensions.savedQueryHook?.({
          queries,
          store,
          onResults: (_info, results) => {
            saved = results;
          },
        });
  const metricsRun =
    o.metricsPort === undefined
      ? undefined
      : await startAnalyzeMetricsRun({
          port: o.metricsPort,
          kinesis: connection(o.kinesisEndpoint ?? o.endpoint),
          ...(o.metricsHost === undefined ? {} : { host: o.metricsHost }),
        });
  if (metricsRun !== undefined) {
    const host = o.metricsHost ?? '127.0.0.1';
    context.stderr.write(`metrics on http://${host}:${metricsRun.port}/metrics\n`);
  }
  const metrics = metricsRun?.metrics;
  const analyzer = new Analyzer({
    name: o.name ?? 'whole-stream',
    stream: o.stream[0]!,
    ...(o.stream.length > 1 ? { streams: o.stream } : {}),
    ...(store === undefined ? {} : { store }),
    ...(windowHook === undefined ? {} : { windowHook }),
    ...(metricsRun === undefined ? {} : { source: metricsRun.source }),
    kinesis: connection(o.kinesisEndpoint ?? o.endpoint),
    dynamodb,
    topN: o.top,
    parser: o.parser,
    count4xx: o.count4xx,
    signal: context.signal,
    onProgress: progress.update,
  });
  const leaseRun =
    o.workers === true
      ? leaseWorkerRun({
          name: o.name ?? '',
          stream: o.stream[0]!,
          store: analyzer.checkpointStore,
          kinesis: connection(o.kinesisEndpoint ?? o.endpoint),
          dynamodb: connection(o.dynamodbEndpoint ?? o.endpoint),
          topN: o.top,
          parser: o.parser,
          count4xx: o.count4xx,
          signal: context.signal,
          ...(o.workerId === undefined ? {} : { workerId: o.workerId }),
          ...(o.failoverMs === undefined ? {} : { failoverMs: o.failoverMs }),
          ...(o.leasesTable === undefined ? {} : { leasesTable: o.leasesTable }),
          onCleanupError: (err) => {
            metrics?.onError(err);
            const message = err instanceof Error ? err.message : String(err);
            context.stderr.write(
              `partials not deleted (the next commit sweeps them): ${message.replace(/[\r\n]+/g, ' ')}\n`,
            );
          },
          ...(metrics === undefined
            ? {}
            : {
                source: metricsRun!.source,
                onLeaseTick: (tick) => metrics.onLeaseTick(tick),
                onLeaseTickError: (err) => metrics.onError(err),
              }),
        })
      : undefined;
  const print = (
    title: string,
    body: object,
    result: TopNResult,
    formats: StoredFormats | undefined,
  ): void => {
    progress.stop();
    context.stdout.write(
      o.format === AnalyzeFormats.json
        ? JSON.stringify(
            saved.length === 0 ? body : { ...body, savedQueries: savedQueriesJson(saved) },
          ) + '\n'
        : formatTable(title, result, o.top, formats) + renderSavedQueriesText(saved),
    );
    saved = [];
  };
  const name = o.name ?? '';
  const scheduleText = o.cron ?? o.every;
  // A whole-stream read that repeats or emails is kept: each run is stored and numbered.
  const storesRuns =
    o.wholeStream === true && (scheduleText !== undefined || o.email !== undefined);
  const kind = storesRuns ? ReportKinds.run : ReportKinds.iteration;
  // New iterations are advanced either by single runs or by --workers, never both at once.
  const guard =
    o.iteration !== undefined || o.wholeStream === true
      ? undefined
      : new RunnerGuard({
          store: analyzer.checkpointStore,
          name,
          mode: leaseRun === undefined ? RunnerModes.single : RunnerModes.workers,
          owner: leaseRun?.worker.workerId ?? `${hostname()}:${process.pid}`,
        });
  const emailer =
    o.email === undefined
      ? undefined
      : new IterationEmailer({
          name,
          kind,
          to: splitAddresses(o.email),
          ...(o.from === undefined ? {} : { from: o.from }),
          smtp: smtpSettingsOf(o),
          dynamodb,
          top: o.top,
          onOutcome: (n, outcome) =>
            context.stderr.write(emailOutcomeLine(name, n, outcome, kind) + '\n'),
        });
  try {
    if (o.createTables === true) await analyzer.checkpointStore.createTables();
    if (o.createTables === true) await leaseRun?.leases.createTable();
    if (o.wholeStream === true && !storesRuns) {
      const since = o.since === undefined ? undefined : parseSince(o.since, Date.now());
      const out = await analyzer.wholeStream(since === undefined ? {} : { since });
      print(`${o.stream[0]!} (whole stream)`, out, out.result, {
        detectorVersion: FORMAT_DETECTOR_VERSION,
        parser: o.parser,
        counts: out.formats,
      });
      return;
    }
    if (o.iteration !== undefined) {
      // With --workers, every worker rerunning n reads the shards it leases of n's stored cut.
      const out = await (leaseRun?.worker ?? analyzer).rerunIteration(o.iteration);
      const other = out.countedByOtherDetector;
      // Without --query (or with a recount refused), the results stored with n are shown.
      if (queries === undefined || other !== undefined)
        saved = await analyzer.checkpointStore.getSavedQueryResults(name, o.iteration);
      if (other !== undefined) {
        const by =
          other.detectorVersion === null
            ? `before formats were recorded (stored format ${out.report.formatVersion})`
            : `by format detector v${other.detectorVersion}`;
        context.stderr.write(
          `iteration ${out.iteration} was counted ${by}; this is v${FORMAT_DETECTOR_VERSION}, ` +
            `which may read its records differently: showing the stored result, not a recount\n`,
        );
      }
      print(
        `${o.name ?? ''} #${out.iteration} (${other === undefined ? 'rerun' : 'stored'})`,
        out.report,
        out.report.result,
        out.report.formats,
      );
      return;
    }
    const schedule =
      scheduleText === undefined
        ? undefined
        : (parseSchedule(scheduleText, timezoneOption(o.tz)) as Schedule);
    for (;;) {
      const startedAt = new Date();
      const seconds = () => (Date.now() - startedAt.getTime()) / 1000;
      try {
        let number: number;
        if (storesRuns) {
          // --since is measured from each run's start: the window slides.
          const since = o.since === undefined ? undefined : parseSince(o.since, Date.now());
          const run = await analyzer.wholeStreamRun(since === undefined ? {} : { since });
          number = run.iteration;
          print(`${name} run ${run.iteration} (whole stream)`, run, run.result, run.formats);
        } else {
          await guard?.hold();
          const out = await (leaseRun?.worker ?? analyzer).runIteration().then(
            (done) => {
              metrics?.onIteration('committed', seconds());
              return done;
            },
            (err: unknown) => {
              // Asked to stop: not an outcome of the iteration, which the others finish.
              if (err instanceof WorkerStoppedError) throw err;
              const conflict = err instanceof IterationConflictError;
              metrics?.onIteration(conflict ? 'conflict' : 'failed', seconds());
              metrics?.onError(err);
              throw err;
            },
          );
          number = out.iteration;
          print(
            `${name} #${out.iteration}${out.recovered ? ' (recovered)' : ''}`,
            out.report,
            out.report.result,
            out.report.formats,
          );
        }
        // The iteration (or run) is stored whatever happens to its email.
        if (emailer !== undefined) {
          try {
            await emailer.emailThrough(number);
          } catch (err) {
            if (schedule === undefined) throw err;
            const message = err instanceof Error ? err.message : String(err);
            context.stderr.write(
              `${redactSecrets(message, smtpSecrets(o)).replace(/[\r\n]+/g, ' ')}; retrying at the next tick\n`,
            );
          }
        }
      } catch (err) {
        // On a schedule, another run holding the iteration is normal: try again next tick.
        if (schedule === undefined || !(err instanceof IterationConflictError)) throw err;
        progress.stop();
        context.stderr.write(`${err.message}; retrying at the next tick\n`);
      }
      if (schedule === undefined) return;
      const waitMs = schedule(startedAt).getTime() - Date.now();
      try {
        await delay(Math.max(0, waitMs), undefined, { signal: context.signal });
      } catch {
        return; // aborted: stop between iterations
      }
    }
  } catch (err) {
    // Stopped mid-iteration (SIGINT, SIGTERM): leases are handed back, and that is no failure.
    if (err instanceof WorkerStoppedError) {
      progress.stop();
      context.stderr.write(`${err.message}\n`);
    } else if (stoppedBy(context.signal, err)) {
      // A single run's reads end with the stop's abort: nothing of the open window was stored.
      progress.stop();
      context.stderr.write(
        `stopped: ${name}'s unfinished window was not stored; the next run reads it again\n`,
      );
    } else throw err;
  } finally {
    progress.stop();
    // Not ended (stopped by a signal, DynamoDB unreachable): the hold runs out by itself.
    await guard?.close().catch(() => undefined);
    emailer?.close();
    await leaseRun?.close();
    analyzer.close();
    store?.close();
    await metricsRun?.close();
  }
}

/** Whether `err` is the abort of the command's own stop signal (not a failure of its own). */
function stoppedBy(signal: AbortSignal | undefined, err: unknown): boolean {
  if (signal?.aborted !== true) return false;
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; depth++) {
    if (e === signal.reason || e.name === 'AbortError') return true;
    e = e.cause;
  }
  return false;
}

function progressReporter(context: CommandContext): {
  update: (p: AnalyzeProgress) => void;
  stop: () => void;
} {
  const tty = (context.stdout as { isTTY?: boolean }).isTTY === true;
  let bar: cliProgress.SingleBar | undefined;
  return {
    update: (p) => {
      if (!tty) return;
      if (bar === undefined) {
        if (
          p.millisBehind < AnalyzeCommandDefaults.PROGRESS_MIN_BEHIND_MS &&
          p.records < AnalyzeCommandDefaults.PROGRESS_MIN_RECORDS
        )
          return;
        bar = new cliProgress.SingleBar(
          {
            stream: context.stderr,
            format: 'shards {bar} {value}/{total} | {records} records | {behind} behind',
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.shardsTotal, p.shardsDone, { records: p.records, behind: '' });
      }
      bar.update(p.shardsDone, {
        records: p.records,
        behind: `${Math.round(p.millisBehind / 1000)} s`,
      });
    },
    stop: () => {
      bar?.stop();
      bar = undefined;
    },
  };
}
