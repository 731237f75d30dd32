/*
 * Options `kinlog query` and `kinlog export` share: tables, window, connections, limits. One
 * zod schema reports every problem at once, named by its --option.
 */
import { ConfigError, ParserNames, type ConfigProblem } from '@kinlog/core';
import { AUTO_PARSER } from '@kinlog/analyzer';
import type { Command } from 'commander';
import { z } from 'zod';
import { readColumnSchema } from '../columns/column-schema.js';
import type { ColumnType } from '../columns/column-types.js';
import { memoryLimitProblem } from '../session/query-session.js';
import type { DynamoTable, StreamTable, WindowSessionOptions } from '../engine/window-session.js';

const RELATIVE_TIME = /^(\d+)(s|m|h|d)$/;
const RELATIVE_UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const NAME = /^[\w.-]{1,128}$/;
const PAIR = /^([^=]+)=(.+)$/;

/** The table a lone `--stream` is given. */
export const DEFAULT_TABLE = 'logs';

/** Adds the shared options to a command. */
export function addWindowOptions(command: Command, withWholeStream: boolean): Command {
  command
    .option(
      '--table <name=stream>',
      'a SQL table read from a Kinesis stream (repeatable)',
      collect,
      [],
    )
    .option('--stream <stream>', `the one stream, as table "${DEFAULT_TABLE}"`)
    .option('--name <logical-name>', 'logical name the analyzer keeps iterations under')
    .option('--iteration <k>', "read exactly iteration k's stored window");
  if (withWholeStream) {
    command
      .option('--whole-stream', 'read everything the stream retains (no checkpoint)')
      .option('--since <time>', 'with --whole-stream: start here (ISO-8601, or 30m / 6h / 2d ago)');
  }
  return command
    .option(
      '--parser <parser>',
      `how to read text records: ${AUTO_PARSER} or a parser name`,
      AUTO_PARSER,
    )
    .option(
      '--schema <file>',
      'pin column types: a JSON file of {"column": "TYPE"} (BIGINT, DOUBLE, VARCHAR, JSON…)',
    )
    .option(
      '--memory-limit <size>',
      "DuckDB's memory limit, e.g. 256MB: tables are then stored compressed, and work past it spills to disk",
    )
    .option('--temp-dir <dir>', 'where rows are spooled and spills go (removed afterwards)')
    .option('--endpoint <url>', 'one endpoint for both Kinesis and DynamoDB (local services)')
    .option('--kinesis-endpoint <url>', 'Kinesis endpoint')
    .option('--dynamodb-endpoint <url>', 'DynamoDB endpoint')
    .option('--region <region>', 'AWS region')
    .option('--checkpoints-table <name>', 'DynamoDB table of per-shard checkpoints')
    .option('--iterations-table <name>', 'DynamoDB table of iterations and reports');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A time given as ISO-8601 or as `30m`/`6h`/`2d` ago. */
export function parseSince(text: string, nowMs: number): number | undefined {
  const relative = RELATIVE_TIME.exec(text);
  if (relative !== null) {
    return (
      nowMs - Number(relative[1]) * RELATIVE_UNIT_MS[relative[2] as keyof typeof RELATIVE_UNIT_MS]
    );
  }
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

export const WindowOptionsShape = {
  table: z.array(z.string()).default([]),
  stream: z.string().regex(NAME, 'must be a Kinesis stream name').optional(),
  name: z.string().regex(NAME, 'must be 1 to 128 letters, digits, _ . or -').optional(),
  iteration: z.coerce.number().int().min(1, 'must be an integer ≥ 1').optional(),
  wholeStream: z.boolean().optional(),
  since: z.string().optional(),
  parser: z.enum([AUTO_PARSER, ...ParserNames]),
  memoryLimit: z.string().optional(),
  schema: z.string().optional(),
  tempDir: z.string().optional(),
  endpoint: z.url().optional(),
  kinesisEndpoint: z.url().optional(),
  dynamodbEndpoint: z.url().optional(),
  region: z.string().optional(),
  checkpointsTable: z.string().min(3).max(255).optional(),
  iterationsTable: z.string().min(3).max(255).optional(),
};

type WindowOptions = z.infer<z.ZodObject<typeof WindowOptionsShape>>;

/** `name=target` pairs, each checked. */
export function parsePairs(
  values: readonly string[],
  option: string,
  problem: (path: string, message: string) => void,
): { name: string; target: string }[] {
  const out: { name: string; target: string }[] = [];
  for (const value of values) {
    const match = PAIR.exec(value);
    if (match === null) problem(option, `must be name=target, got ${JSON.stringify(value)}`);
    else out.push({ name: match[1]!.trim(), target: match[2]!.trim() });
  }
  return out;
}

/** Problems of the window options, reported with the rest of the command's. */
export function checkWindowOptions(
  o: WindowOptions,
  problem: (path: string, message: string) => void,
  nowMs: number,
): void {
  if (o.table.length === 0 && o.stream === undefined)
    problem('table', 'give --table name=stream (repeatable) or --stream');
  if (o.table.length > 0 && o.stream !== undefined)
    problem('stream', 'cannot be used with --table (name the table: --table logs=stream)');
  for (const t of parsePairs(o.table, 'table', problem)) {
    if (!NAME.test(t.target)) problem('table', `${t.target} is not a Kinesis stream name`);
  }
  if (o.wholeStream === true) {
    if (o.iteration !== undefined) problem('iteration', 'cannot be used with --whole-stream');
  } else {
    if (o.name === undefined) problem('name', 'is required (or --whole-stream)');
    if (o.iteration === undefined) problem('iteration', 'is required (or --whole-stream)');
  }
  const memory = o.memoryLimit === undefined ? undefined : memoryLimitProblem(o.memoryLimit);
  if (memory !== undefined) problem('memoryLimit', memory);
  if (o.since !== undefined) {
    if (o.wholeStream !== true) problem('since', 'needs --whole-stream');
    const since = parseSince(o.since, nowMs);
    if (since === undefined)
      problem('since', 'must be an ISO-8601 time or a relative one like 30m, 6h, 2d');
    else if (since > nowMs) problem('since', 'is in the future');
  }
}

/**
 * The column types a `--schema` file pins, read and checked.
 *
 * @throws {ConfigError} naming every problem of the file.
 */
export async function schemaOption(
  o: Pick<WindowOptions, 'schema'>,
): Promise<{ columnTypes?: Record<string, ColumnType> }> {
  return o.schema === undefined ? {} : { columnTypes: await readColumnSchema(o.schema) };
}

/** The window session options the parsed command options describe. */
export function windowSessionOptions(
  o: WindowOptions,
  signal: AbortSignal,
  dynamodbTables: readonly DynamoTable[] = [],
  nowMs: number = Date.now(),
): WindowSessionOptions {
  const connection = (endpoint: string | undefined) => ({
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(o.region === undefined ? {} : { region: o.region }),
  });
  const tables: StreamTable[] =
    o.stream !== undefined
      ? [{ table: DEFAULT_TABLE, stream: o.stream }]
      : parsePairs(o.table, 'table', () => undefined).map((p) => ({
          table: p.name,
          stream: p.target,
        }));
  const since = o.since === undefined ? undefined : parseSince(o.since, nowMs);
  return {
    tables,
    dynamodbTables,
    window:
      o.wholeStream === true
        ? { type: 'wholeStream', ...(since === undefined ? {} : { sinceMs: since }) }
        : { type: 'iteration', name: o.name!, iteration: o.iteration! },
    kinesis: connection(o.kinesisEndpoint ?? o.endpoint),
    dynamodb: {
      ...connection(o.dynamodbEndpoint ?? o.endpoint),
      ...(o.checkpointsTable === undefined ? {} : { checkpointsTable: o.checkpointsTable }),
      ...(o.iterationsTable === undefined ? {} : { iterationsTable: o.iterationsTable }),
    },
    parser: o.parser,
    ...(o.memoryLimit === undefined ? {} : { memoryLimit: o.memoryLimit }),
    ...(o.tempDir === undefined ? {} : { tempDirectory: o.tempDir }),
    signal,
  };
}

/**
 * Parses raw commander options with `schema`, every problem named by its --option.
 *
 * @throws {ConfigError} titled `invalid <command> options`.
 */
export function parseCommandOptions<T>(
  schema: z.ZodType<T>,
  raw: Record<string, unknown>,
  command: string,
): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems: ConfigProblem[] = parsed.error.issues.map((issue) => ({
    path: `--${issue.path
      .map(String)
      .join('.')
      .replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    message: issue.message,
  }));
  throw new ConfigError(problems, `invalid ${command} options`);
}
