import { Command, Option } from 'commander';
import {
  ConfigError,
  ParserNames,
  requestTimeoutHelp,
  RequestTimeoutLimits,
  type CommandContext,
} from '@kinlog/core';
import { StateDirError } from '../errors.js';
import { loadShipConfig } from './load-ship-config.js';
import { ShipDefaults, resolveShipConfig, type ShipConfig } from './ship-config.js';
import { ShipDaemon } from './ship-daemon.js';
import { SinkDefaults } from '../sink/sink-options.js';
import { formatStatsLine } from './ship-stats.js';

/** Exit status for a bad configuration or an unusable state directory. */
export const SHIP_USAGE_EXIT_CODE = 2;
/** Exit status of `--once` when not every line it read was acknowledged (or a path was unreadable). */
export const SHIP_PARTIAL_EXIT_CODE = 3;

/** Bounds of the options the config schema holds in other units (its limits, restated). */
const MAX_STATS_INTERVAL_SECONDS = 24 * 3600;
const MAX_FLUSH_INTERVAL_MS = 60_000;

interface ShipCliOptions {
  config?: string;
  stream?: string;
  parser?: string;
  startAt?: string;
  stateDir?: string;
  statsInterval?: number;
  metricsPort?: number;
  endpoint?: string;
  region?: string;
  field: string[];
  partitionKey?: string;
  multilineStart?: string;
  output?: string;
  recordDelimiter?: string;
  exclude: string[];
  pollInterval?: number;
  flushInterval?: number;
  requestTimeout?: number;
  aggregate?: boolean;
  compress?: string;
  rateLimitFraction?: number;
  wireProtocol?: string;
  maxInFlight?: number;
  maxUncommitted?: number;
  commitInterval?: number;
  dryRun: boolean;
  once: boolean;
}

const EXAMPLES = `
Examples:
  # follow nginx access logs (rotated ones included) into the stream "logs"
  $ kinlog ship --stream logs --parser nginx '/var/log/nginx/access.log*'

  # several flows, from a YAML (or JSON) file
  $ kinlog ship --config /etc/kinlog/ship.yaml --state-dir /var/lib/kinlog

  # see what would be sent, without sending (no --parser: each line's format is detected)
  $ kinlog ship --dry-run --once --stream x app.log

  # send lines exactly as read, newline-terminated (Firehose to S3 concatenates records)
  $ kinlog ship --stream raw-logs --output line --record-delimiter newline '/var/log/app/*.log'

  # ship.yaml
  stateDir: /var/lib/kinlog
  flows:
    - paths: ['/var/log/nginx/access.log*']
      exclude: ['*.gz']
      stream: web-logs
      parser: nginx
      fields: { service: web, region: eu-west-1 }
    - paths: ['/opt/app/logs/*.log']
      stream: app-logs
      parser: log4j              # stack traces are joined to their line
      multiline: { startPattern: '^\\d{4}-\\d\\d-\\d\\d' }
      partitionKey: file
      startAt: tail
    - paths: ['/var/log/mixed/*.log']   # parser: auto (the default) detects each line's format
      stream: raw-logs
      output: line               # the line as read, no JSON wrapper
      recordDelimiter: "\\n"

On SIGTERM/SIGINT the daemon stops reading, delivers what it read for up to 3 s, saves the
offsets of what was acknowledged and exits 128+n (143, 130); what was not acknowledged is
listed and read again at the next start. A second signal exits at once. --once ends with a stats line; a last line without "\n" is
shipped (it is the end of the file). Exit status: 0 done, 1 failure, 2 invalid options,
configuration or state directory, 3 --once left lines undelivered or paths unreadable (listed).
`;

/** A numeric option within [min, max]; every mistake is a usage error naming the option and its limits. */
const int =
  (name: string, min: number, max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max)
      throw new ConfigError(
        [{ path: name, message: `expected a number from ${min} to ${max}, got "${value}"` }],
        'invalid ship options',
      );
    return n;
  };
const fraction =
  (name: string) =>
  (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 1)
      throw new ConfigError(
        [{ path: name, message: `expected a number greater than 0 and at most 1, got "${value}"` }],
        'invalid ship options',
      );
    return n;
  };
const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * `kinlog ship`: follows log files and ships every line to Kinesis. The first abort of
 * `context.signal` stops it gracefully (the `bin` entry turns a second signal into an exit).
 *
 * @example
 * ```ts
 * const program = new Command('kinlog').addCommand(shipCommand(context));
 * await program.parseAsync(['node', 'kinlog', 'ship', '--stream', 'logs', '--parser', 'nginx', 'access.log']);
 * ```
 */
export function shipCommand(context: CommandContext): Command {
  const cmd = new Command('ship')
    .description(
      'follow log files (globs, rotation-safe) and ship every line to Kinesis, at least once',
    )
    .argument('[paths...]', 'files or globs (a one-flow shortcut for --config)')
    .option('-c, --config <file>', 'YAML or JSON config with flows')
    .option('--stream <name>', 'target stream (one-flow shortcut)')
    .addOption(
      new Option(
        '--parser <name>',
        'line format (one-flow shortcut); default auto: each line read in its own format ' +
          '(JSON, Apache/nginx access, Apache error, log4j, syslog, else text), ' +
          'Java stack traces joined to their line',
      ).choices([...ParserNames]),
    )
    .addOption(
      new Option(
        '--output <mode>',
        'record content: json (parsed event, default) or line (the line exactly as read)',
      ).choices(['json', 'line']),
    )
    .addOption(
      new Option(
        '--record-delimiter <delimiter>',
        'append to every record, for consumers that concatenate records (Firehose to S3)',
      ).choices(['newline', 'crlf']),
    )
    .addOption(
      new Option('--start-at <where>', 'where to start files seen for the first time').choices([
        'head',
        'tail',
      ]),
    )
    .option('--state-dir <dir>', 'where offsets are kept (default $XDG_STATE_HOME/kinlog/ship)')
    .option(
      '--stats-interval <seconds>',
      'print a stats line this often (0: never)',
      int('--stats-interval', 0, MAX_STATS_INTERVAL_SECONDS),
    )
    .option(
      '--metrics-port <port>',
      'serve Prometheus metrics on this port',
      int('--metrics-port', 0, ShipDefaults.MAX_PORT),
    )
    .option('--endpoint <url>', 'Kinesis endpoint (default: AWS_ENDPOINT_URL_KINESIS or AWS)')
    .option('--region <region>', 'AWS region')
    .option('--field <key=value>', 'extra field on every event (repeatable)', collect, [])
    .option('--exclude <glob>', 'paths to leave out (repeatable)', collect, [])
    .option('--partition-key <policy>', 'random | file | field:<name>')
    .option('--multiline-start <regex>', 'a line matching this starts a new record')
    .option(
      '--poll-interval <ms>',
      'how often files are checked when idle',
      int('--poll-interval', 1, ShipDefaults.MAX_POLL_INTERVAL_MS),
    )
    .option(
      '--flush-interval <ms>',
      'longest wait before a partial batch is sent',
      int('--flush-interval', 1, MAX_FLUSH_INTERVAL_MS),
    )
    .option(
      '--request-timeout <ms>',
      requestTimeoutHelp('a failed request is retried with backoff until delivered'),
      int('--request-timeout', RequestTimeoutLimits.MIN_MS, RequestTimeoutLimits.MAX_MS),
    )
    .option(
      '--aggregate',
      'pack records into KPL aggregates, one per predicted shard (readers: KCL, aws-kinesis-agg, kinlog analyze); needs kinesis:ListShards',
    )
    .addOption(
      new Option('--compress <codec>', "gzip each record's data (inside aggregates too)").choices([
        'none',
        'gzip',
      ]),
    )
    .option(
      '--rate-limit-fraction <fraction>',
      'pace each shard at this fraction (0 to 1] of its write limits instead of being throttled; needs kinesis:ListShards',
      fraction('--rate-limit-fraction'),
    )
    .addOption(
      new Option(
        '--wire-protocol <protocol>',
        "PutRecords encoding: auto (default) is cbor for AWS's own endpoints and json with any other --endpoint (stock emulators such as kinesalite mishandle CBOR); cbor sends record bytes raw (as the AWS SDK for Java and the KPL do), json as base64 text, for a proxy that knows only JSON",
      ).choices(['auto', 'cbor', 'json']),
    )
    .option(
      '--max-in-flight <requests>',
      `PutRecords requests in flight per stream (default ${SinkDefaults.MAX_IN_FLIGHT})`,
      int('--max-in-flight', 1, SinkDefaults.MAX_MAX_IN_FLIGHT),
    )
    .option(
      '--max-uncommitted <lines>',
      'commit window: records per flow sent and not yet durably committed, at most; what a kill -9 may re-send ' +
        '(default: 4 × --max-in-flight full requests, 50,000 with --aggregate, and 8 MiB of records; see the README)',
      int('--max-uncommitted', 1, ShipDefaults.MAX_MAX_UNCOMMITTED_RECORDS),
    )
    .option(
      '--commit-interval <ms>',
      `group state commits (one fsync) this long after an acknowledgement (default ${ShipDefaults.COMMIT_INTERVAL_MS})`,
      int('--commit-interval', 0, ShipDefaults.MAX_COMMIT_INTERVAL_MS),
    )
    .option('--dry-run', 'print parsed events instead of sending them', false)
    .option('--once', 'read files to their current end, deliver, and exit', false)
    .addHelpText('after', EXAMPLES)
    .action(async (paths: string[], options: ShipCliOptions) => {
      let config: ShipConfig;
      try {
        config = await buildConfig(paths, options);
      } catch (err) {
        if (err instanceof ConfigError)
          cmd.error(err.message, { exitCode: SHIP_USAGE_EXIT_CODE, code: 'kinlog.config' });
        throw err;
      }
      await runShip(cmd, context, config, options);
    });
  return cmd;
}

async function runShip(
  cmd: Command,
  context: CommandContext,
  config: ShipConfig,
  options: ShipCliOptions,
): Promise<void> {
  if (context.signal.aborted) return;
  let daemon: ShipDaemon;
  try {
    daemon = await ShipDaemon.start({
      config,
      dryRun: options.dryRun,
      once: options.once,
      stdout: context.stdout,
      stderr: context.stderr,
    });
  } catch (err) {
    if (err instanceof StateDirError)
      cmd.error(`kinlog ship: ${err.message}`, {
        exitCode: SHIP_USAGE_EXIT_CODE,
        code: 'kinlog.stateDir',
      });
    throw err;
  }
  const stop = (): void => void daemon.stop({ drainMs: ShipDefaults.SIGNAL_DRAIN_MS });
  context.signal.addEventListener('abort', stop, { once: true });
  try {
    await daemon.done;
  } finally {
    context.signal.removeEventListener('abort', stop);
  }
  if (context.signal.aborted) {
    // Stopped: what was not acknowledged in time is uncommitted, so the next start reads it.
    const left = await daemon.undelivered();
    if (left.length > 0)
      context.stderr.write(
        `kinlog ship: stopped before everything was delivered; read again at the next start:\n  ${left.join('\n  ')}\n`,
      );
    return;
  }
  if (!options.once) return;
  // `--dry-run | head -1`: a reader that went away wants no summary either.
  if (!(await handedOver(context.stdout))) return;
  context.stderr.write(formatStatsLine(daemon.stats()) + '\n');
  const left = await daemon.undelivered();
  if (left.length > 0) {
    cmd.error(
      `kinlog ship: --once did not deliver everything; read again on the next run:\n  ${left.join('\n  ')}`,
      { exitCode: SHIP_PARTIAL_EXIT_CODE, code: 'kinlog.partialDelivery' },
    );
  }
}

/** Waits until what was written to `out` is handed over; false when its reader went away. */
function handedOver(out: CommandContext['stdout']): Promise<boolean> {
  if (out.destroyed || out.writableEnded) return Promise.resolve(false);
  // Writes complete in order: this callback runs after every earlier one, or with their error.
  return new Promise((resolve) => out.write('', (err) => resolve(err == null && !out.destroyed)));
}

async function buildConfig(paths: string[], o: ShipCliOptions): Promise<ShipConfig> {
  const overrides = {
    stateDir: o.stateDir,
    statsIntervalMs: o.statsInterval === undefined ? undefined : Math.round(o.statsInterval * 1000),
    metricsPort: o.metricsPort,
    endpoint: o.endpoint,
    region: o.region,
    pollIntervalMs: o.pollInterval,
    maxUncommittedRecords: o.maxUncommitted,
    commitIntervalMs: o.commitInterval,
  };
  const sinkOverrides = stripUndefined({
    flushIntervalMs: o.flushInterval,
    requestTimeoutMs: o.requestTimeout,
    aggregation: o.aggregate,
    compression: o.compress as 'none' | 'gzip' | undefined,
    rateLimitFraction: o.rateLimitFraction,
    wireProtocol: o.wireProtocol as 'auto' | 'cbor' | 'json' | undefined,
    maxInFlight: o.maxInFlight,
  });
  const recordDelimiter =
    o.recordDelimiter === undefined ? undefined : o.recordDelimiter === 'crlf' ? '\r\n' : '\n';
  const flowOverrides = { startAt: o.startAt, output: o.output, recordDelimiter };
  if (o.config !== undefined) {
    if (paths.length > 0 || o.stream !== undefined) {
      throw new ConfigError(
        [{ path: '', message: 'give either --config or paths with --stream, not both' }],
        'invalid ship options',
      );
    }
    const config = await loadShipConfig(o.config, overrides);
    if (o.startAt !== undefined)
      for (const f of config.flows) f.startAt = o.startAt as 'head' | 'tail';
    if (o.output !== undefined)
      for (const f of config.flows) f.output = o.output as 'json' | 'line';
    if (recordDelimiter !== undefined)
      for (const f of config.flows) f.recordDelimiter = recordDelimiter;
    Object.assign(config.sink, sinkOverrides);
    return config;
  }
  const problems = [];
  if (paths.length === 0)
    problems.push({ path: 'paths', message: 'give files or globs to follow, or --config <file>' });
  if (o.stream === undefined)
    problems.push({ path: '--stream', message: 'required without --config' });
  const fields: Record<string, string> = {};
  for (const f of o.field) {
    const eq = f.indexOf('=');
    if (eq <= 0) problems.push({ path: '--field', message: `expected key=value, got "${f}"` });
    else fields[f.slice(0, eq)] = f.slice(eq + 1);
  }
  if (problems.length > 0) throw new ConfigError(problems, 'invalid ship options');
  const pk = o.partitionKey;
  return resolveShipConfig({
    ...stripUndefined(overrides),
    sink: sinkOverrides,
    flows: [
      stripUndefined({
        paths,
        stream: o.stream,
        parser: o.parser,
        exclude: o.exclude.length > 0 ? o.exclude : undefined,
        fields: Object.keys(fields).length > 0 ? fields : undefined,
        partitionKey: pk?.startsWith('field:') ? { field: pk.slice('field:'.length) } : pk,
        multiline: o.multilineStart === undefined ? undefined : { startPattern: o.multilineStart },
        ...stripUndefined(flowOverrides),
      }),
    ],
  });
}

function stripUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
