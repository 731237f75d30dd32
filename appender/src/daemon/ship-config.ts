import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  KinesisLimits,
  ParserNames,
  STACK_TRACE_CONTINUATION,
  RequestTimeoutLimits,
  defaultStartPattern,
  type ConfigProblem,
  type ParserName,
} from '@kinlog/core';
import { z } from 'zod';
import { SinkDefaults } from '../sink/sink-options.js';
import { MIN_OPEN_FILES } from './file-budget.js';

/** Where a file seen for the first time is read from. */
export const StartAt = { HEAD: 'head', TAIL: 'tail' } as const;
export type StartAt = (typeof StartAt)[keyof typeof StartAt];

/**
 * What a record holds: `json`, the parsed event as one JSON object (with `source`, `host` and
 * the flow's `fields`); `line`, the line (or joined entry) exactly as read, nothing added.
 */
export const ShipOutputs = { JSON: 'json', LINE: 'line' } as const;
export type ShipOutput = (typeof ShipOutputs)[keyof typeof ShipOutputs];

/**
 * Record delimiters a flow may append to every record, for consumers that concatenate records
 * (Firehose delivering to S3 writes them back to back).
 */
export const RecordDelimiters = ['\n', '\r\n'] as const;

/** What to do with a line longer than `maxLineBytes`. */
export const LongLines = { SPLIT: 'split', TRUNCATE: 'truncate' } as const;
export type LongLines = (typeof LongLines)[keyof typeof LongLines];

/** Defaults and bounds of a ship configuration. */
export const ShipDefaults = {
  POLL_INTERVAL_MS: 250,
  /**
   * Idle poll once every followed directory is watched (fs.watch): events wake the daemon at
   * once, this slow poll catches what a file system does not report (network file systems).
   */
  WATCHED_POLL_INTERVAL_MS: 10_000,
  MAX_POLL_INTERVAL_MS: 60_000,
  /**
   * Acknowledgements within this long share one state write (one fsync). A flow whose commit
   * window is full does not wait for it: its commit runs right after the acknowledgements.
   */
  COMMIT_INTERVAL_MS: 200,
  MAX_COMMIT_INTERVAL_MS: 600_000,
  STATS_INTERVAL_MS: 30_000,
  /** Records per flush are bounded by the sink; the daemon flushes partial batches this often. */
  FLUSH_INTERVAL_MS: 500,
  /** Below the 1 MiB record limit, leaving room for JSON escaping and the other fields. */
  MAX_LINE_BYTES: 512 * 1024,
  /**
   * JSON lines are parsed whole up to this size (their fields kept); a record still over the
   * 1 MiB limit then has its longest strings cut, like the transports do. Past it: `longLines`.
   */
  JSON_MAX_LINE_BYTES: 10 * 1024 * 1024,
  MIN_LINE_BYTES: 1024,
  MAX_MAX_LINE_BYTES: 10 * 1024 * 1024,
  /** An open multi-line entry is shipped after this long without a next line. */
  MULTILINE_TIMEOUT_MS: 1_000,
  /** A file that left the globs (rotated away, deleted) is let go after this long at its end. */
  RELEASE_IDLE_MS: 2_000,
  /**
   * Bytes read per read() call. Each read is followed by a re-read of the file's first bytes
   * (a copytruncate between two reads must not ship new content as old). Chunks of 1 MiB made
   * that check four times rarer per line but raised the peak RSS by about 25 MiB (records and
   * the sink keep ranges of chunks), so the chunk stays small.
   */
  READ_CHUNK_BYTES: 256 * 1024,
  /** Shutdown: how long to keep delivering before giving up (the rest is re-read next run). */
  SHUTDOWN_TIMEOUT_MS: 30_000,
  /**
   * A stop by SIGTERM/SIGINT: how long to keep delivering, so that stopping (drain, commit,
   * close) ends well within the 5 s every command promises; the rest is re-read next start.
   */
  SIGNAL_DRAIN_MS: 3_000,
  /**
   * Read-ahead held by a flow's sink. Small on purpose: a file is its own buffer, and reading far
   * ahead of delivery only keeps the event loop busy, delaying the commits that bound re-sends.
   */
  MAX_BUFFER_BYTES: 8 * 1024 * 1024,
  MAX_PORT: 65_535,
  /**
   * Followed files kept open at once (more are closed at their end and reopened in turn); also
   * capped by the process' open-file limit less a reserve for Node and Kinesis connections.
   */
  MAX_OPEN_FILES: 512,
  MAX_MAX_OPEN_FILES: 1_000_000,
  /**
   * Upper bound of `maxUncommittedRecords`. Its default is the flow's commit window:
   * {@link ShipDefaults.COMMIT_WINDOW_REQUESTS} times its sink's `maxInFlight` full requests
   * (4 × 4 × 500 = 8,000 records), so that many requests are pipelined while acknowledged ones
   * wait for a grouped commit; a kill -9 re-sends at most that many records per flow.
   */
  MAX_MAX_UNCOMMITTED_RECORDS: 10_000_000,
  /**
   * The default commit window, in requests in flight: `maxInFlight` requests are sent while
   * up to three times as many, acknowledged, wait for the next commit (grouped in time by
   * commitIntervalMs), so neither the commit's fsync nor the acknowledgements stall sending.
   */
  COMMIT_WINDOW_REQUESTS: 4,
  /**
   * Default `maxUncommittedRecords` of a flow that aggregates: an aggregate carries hundreds of
   * lines, so a window of a few requests' records would hold back all but a fraction of one.
   */
  AGGREGATED_MAX_UNCOMMITTED_RECORDS: 50_000,
  /**
   * Default `maxBatchBytes` of a flow that aggregates: requests of 1 MiB (about 20 aggregates),
   * so that the default window holds several of them and `maxInFlight` are sent at once (a
   * 5 MiB request would leave one in flight within the window).
   */
  AGGREGATED_REQUEST_BYTES: 1024 * 1024,
  /**
   * With the default window, the bytes of its records (as put: the line, or its JSON) are held
   * to this too: what a kill -9 re-sends, and what the sink and its requests hold, stay bounded
   * whatever the line length (an aggregated window of 50,000 records otherwise held ~300 MiB).
   * It matches the sink's read-ahead (MAX_BUFFER_BYTES). A `maxUncommittedRecords` that is set
   * is the only bound.
   */
  DEFAULT_MAX_UNCOMMITTED_BYTES: 8 * 1024 * 1024,
} as const;

const partitionKeySchema = z.union(
  [z.literal('random'), z.literal('file'), z.object({ field: z.string().min(1) }).strict()],
  { error: 'expected "random", "file" or { field: name }' },
);

const regexSource = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${String(err)}` });
  }
});

const int = (min: number, max: number) =>
  z
    .number({ error: 'expected a number' })
    .int({ error: 'expected a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const flowSchema = z
  .object({
    name: z.string().min(1).optional(),
    paths: z
      .array(z.string().min(1, { error: 'a path must not be empty' }), {
        error: 'expected a list of paths or globs',
      })
      .min(1, { error: 'expected at least one path or glob' }),
    exclude: z.array(z.string().min(1)).optional(),
    stream: z.string({ error: 'expected a stream name' }).regex(/^[a-zA-Z0-9_.-]{1,128}$/, {
      error: 'expected 1 to 128 characters of a-z, A-Z, 0-9, _ . -',
    }),
    parser: z
      .enum(ParserNames, { error: `expected one of ${ParserNames.join('|')}` })
      .default('auto'),
    output: z.enum(['json', 'line'], { error: 'expected json or line' }).optional(),
    recordDelimiter: z.enum(RecordDelimiters, { error: 'expected "\\n" or "\\r\\n"' }).optional(),
    multiline: z
      .union([
        z.literal(false),
        z
          .object({
            startPattern: regexSource,
            maxLines: int(1, 1_000_000).optional(),
            maxBytes: int(1, ShipDefaults.MAX_MAX_LINE_BYTES).optional(),
            timeoutMs: int(1, 600_000).optional(),
          })
          .strict(),
      ])
      .optional(),
    fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    partitionKey: partitionKeySchema.optional(),
    startAt: z.enum(['head', 'tail'], { error: 'expected head or tail' }).optional(),
    maxLineBytes: int(ShipDefaults.MIN_LINE_BYTES, ShipDefaults.MAX_MAX_LINE_BYTES).optional(),
    longLines: z.enum(['split', 'truncate'], { error: 'expected split or truncate' }).optional(),
    assumedUtcOffsetMinutes: int(-12 * 60, 14 * 60).optional(),
  })
  .strict();

const sinkSchema = z
  .object({
    flushIntervalMs: int(1, 60_000).optional(),
    maxInFlight: int(1, 64).optional(),
    maxBufferBytes: int(1024 * 1024, Number.MAX_SAFE_INTEGER).optional(),
    backoffBaseMs: int(1, 60_000).optional(),
    backoffMaxMs: int(1, 300_000).optional(),
    shutdownTimeoutMs: int(0, 24 * 3600_000).optional(),
    requestTimeoutMs: int(RequestTimeoutLimits.MIN_MS, RequestTimeoutLimits.MAX_MS).optional(),
    aggregation: z.boolean({ error: 'expected true or false' }).optional(),
    maxAggregateBytes: int(
      SinkDefaults.MIN_AGGREGATE_BYTES,
      KinesisLimits.MAX_RECORD_BYTES - KinesisLimits.MAX_PARTITION_KEY_CHARS * 4,
    ).optional(),
    compression: z.enum(['none', 'gzip'], { error: 'expected none or gzip' }).optional(),
    rateLimitFraction: z
      .number({ error: 'expected a number' })
      .gt(0, { error: 'must be greater than 0' })
      .max(1, { error: 'must be at most 1' })
      .optional(),
    wireProtocol: z
      .enum(['auto', 'cbor', 'json'], { error: 'expected auto, cbor or json' })
      .optional(),
  })
  .strict();

const shipSchema = z
  .object({
    stateDir: z.string().min(1).optional(),
    region: z.string().min(1).optional(),
    endpoint: z.url({ error: 'expected a URL such as http://127.0.0.1:4567' }).optional(),
    pollIntervalMs: int(1, ShipDefaults.MAX_POLL_INTERVAL_MS).optional(),
    commitIntervalMs: int(0, ShipDefaults.MAX_COMMIT_INTERVAL_MS).optional(),
    maxUncommittedRecords: int(1, ShipDefaults.MAX_MAX_UNCOMMITTED_RECORDS).optional(),
    statsIntervalMs: int(0, 24 * 3600_000).optional(),
    metricsPort: int(0, ShipDefaults.MAX_PORT).optional(),
    releaseIdleMs: int(0, 24 * 3600_000).optional(),
    maxOpenFiles: int(MIN_OPEN_FILES, ShipDefaults.MAX_MAX_OPEN_FILES).optional(),
    sink: sinkSchema.optional(),
    flows: z
      .array(flowSchema, { error: 'expected a list of flows' })
      .min(1, { error: 'expected at least one flow' }),
  })
  .strict();

/** A flow as written in a config file. */
export type ShipFlowInput = z.input<typeof flowSchema>;
/** A config file's content, before defaults. */
export type ShipConfigInput = z.input<typeof shipSchema>;

/**
 * Per-flow multi-line settings after defaults, or `undefined` for one record per line. Exactly
 * one of the patterns is set: a line matching `startPattern` starts a record; a line matching
 * `continuationPattern` (the `auto` parser's Java stack-trace lines) continues the one before.
 */
export interface ResolvedMultiline {
  startPattern?: RegExp;
  continuationPattern?: RegExp;
  maxLines?: number;
  maxBytes?: number;
  timeoutMs: number;
}

/** One flow with every default applied. */
export interface ShipFlow {
  name: string;
  paths: string[];
  exclude: string[];
  stream: string;
  parser: ParserName;
  /** Default `json`. */
  output: ShipOutput;
  /** Appended to every record; `''` (the default) for none. */
  recordDelimiter: string;
  multiline: ResolvedMultiline | undefined;
  fields: Record<string, string | number | boolean>;
  partitionKey: 'random' | 'file' | { field: string };
  startAt: StartAt;
  maxLineBytes: number;
  longLines: LongLines;
  assumedUtcOffsetMinutes: number;
}

/** A validated ship configuration with every default applied. */
export interface ShipConfig {
  stateDir: string;
  region: string | undefined;
  endpoint: string | undefined;
  pollIntervalMs: number;
  commitIntervalMs: number;
  /**
   * Per flow: records put to Kinesis whose offsets are not yet durably committed, at most; what
   * a kill -9 can re-send. `undefined`: {@link ShipDefaults.COMMIT_WINDOW_REQUESTS} ×
   * `maxInFlight` full requests, or {@link ShipDefaults.AGGREGATED_MAX_UNCOMMITTED_RECORDS} with
   * aggregation, and {@link ShipDefaults.DEFAULT_MAX_UNCOMMITTED_BYTES} of records either way.
   */
  maxUncommittedRecords: number | undefined;
  statsIntervalMs: number;
  metricsPort: number | undefined;
  releaseIdleMs: number;
  /** Followed files kept open at once (see {@link ShipDefaults.MAX_OPEN_FILES}). */
  maxOpenFiles: number;
  sink: z.output<typeof sinkSchema>;
  flows: ShipFlow[];
}

/**
 * The default state directory: `$KINLOG_STATE_DIR`, else `$XDG_STATE_HOME/kinlog/ship`, else
 * `~/.local/state/kinlog/ship`.
 *
 * @example
 * ```ts
 * defaultStateDir({ HOME: '/home/ops' }); // '/home/ops/.local/state/kinlog/ship' (via homedir())
 * ```
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KINLOG_STATE_DIR) return env.KINLOG_STATE_DIR;
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'kinlog', 'ship');
}

/** `['flows', 1, 'parser']` → `flows[1].parser`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/**
 * Validates a parsed config file (or the object the command line builds) and applies defaults.
 * Throws one {@link ConfigError} listing every problem with its path, e.g.
 * `flows[1].parser: expected one of auto|json|apache|nginx|log4j|apacheError|syslog|raw`.
 *
 * @example
 * ```ts
 * const config = resolveShipConfig({ flows: [{ paths: ['/var/log/nginx/access.log*'], stream: 'logs', parser: 'nginx' }] });
 * ```
 */
export function resolveShipConfig(
  input: unknown,
  env: NodeJS.ProcessEnv = process.env,
): ShipConfig {
  const parsed = shipSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const problems: ConfigProblem[] = parsed.error.issues.map((issue) => ({
      path: formatIssuePath(issue.path),
      message: issue.message,
    }));
    throw new ConfigError(problems, 'invalid ship configuration');
  }
  const c = parsed.data;
  const names = new Set<string>();
  const problems: ConfigProblem[] = [];
  const flows = c.flows.map((f, i): ShipFlow => {
    const name = f.name ?? `${f.stream}:${f.paths.join(',')}`;
    if (names.has(name)) {
      problems.push({ path: `flows[${i}].name`, message: `duplicate flow name "${name}"` });
    }
    names.add(name);
    return {
      name,
      paths: f.paths,
      exclude: f.exclude ?? [],
      stream: f.stream,
      parser: f.parser,
      output: f.output ?? ShipOutputs.JSON,
      recordDelimiter: f.recordDelimiter ?? '',
      multiline: resolveMultiline(f.multiline, f.parser),
      fields: f.fields ?? {},
      partitionKey: f.partitionKey ?? 'random',
      startAt: f.startAt ?? StartAt.HEAD,
      maxLineBytes:
        f.maxLineBytes ??
        (f.parser === 'json' ? ShipDefaults.JSON_MAX_LINE_BYTES : ShipDefaults.MAX_LINE_BYTES),
      longLines: f.longLines ?? LongLines.SPLIT,
      assumedUtcOffsetMinutes: f.assumedUtcOffsetMinutes ?? 0,
    };
  });
  if (problems.length > 0) throw new ConfigError(problems, 'invalid ship configuration');
  return {
    stateDir: c.stateDir ?? defaultStateDir(env),
    region: c.region,
    endpoint: c.endpoint,
    pollIntervalMs: c.pollIntervalMs ?? ShipDefaults.POLL_INTERVAL_MS,
    commitIntervalMs: c.commitIntervalMs ?? ShipDefaults.COMMIT_INTERVAL_MS,
    maxUncommittedRecords: c.maxUncommittedRecords,
    statsIntervalMs: c.statsIntervalMs ?? ShipDefaults.STATS_INTERVAL_MS,
    metricsPort: c.metricsPort,
    releaseIdleMs: c.releaseIdleMs ?? ShipDefaults.RELEASE_IDLE_MS,
    maxOpenFiles: c.maxOpenFiles ?? ShipDefaults.MAX_OPEN_FILES,
    sink: c.sink ?? {},
    flows,
  };
}

function resolveMultiline(
  input: ShipFlowInput['multiline'],
  parser: ParserName,
): ResolvedMultiline | undefined {
  if (input === false) return undefined;
  if (input === undefined) {
    // Formats whose records may span lines (stack traces) are joined unless told otherwise.
    if (parser === 'auto') {
      return {
        continuationPattern: STACK_TRACE_CONTINUATION,
        timeoutMs: ShipDefaults.MULTILINE_TIMEOUT_MS,
      };
    }
    const pattern = defaultStartPattern(parser);
    return pattern === undefined
      ? undefined
      : { startPattern: pattern, timeoutMs: ShipDefaults.MULTILINE_TIMEOUT_MS };
  }
  return {
    startPattern: new RegExp(input.startPattern),
    maxLines: input.maxLines,
    maxBytes: input.maxBytes,
    timeoutMs: input.timeoutMs ?? ShipDefaults.MULTILINE_TIMEOUT_MS,
  };
}
