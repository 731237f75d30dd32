/*
 *   argv ─▶ commander ─▶ zod (every problem at once) ─▶ runQuery: tables loaded from one window,
 *   DynamoDB tables scanned, SQL locked down ─▶ result on stdout (table, json, ndjson, csv)
 *   and, with --out, in a file kinlog writes itself; what was loaded is summed up on stderr
 */
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { z } from 'zod';
import type { CommandContext } from '@kinlog/core';
import { runQuery } from '../engine/run-query.js';
import type { LoadedTable } from '../load/load-stream-table.js';
import { renderResult, ResultFormats, ResultTableLimits } from '../output/render-result.js';
import { QueryError } from '../errors.js';
import {
  addWindowOptions,
  checkWindowOptions,
  parseCommandOptions,
  parsePairs,
  schemaOption,
  windowSessionOptions,
  WindowOptionsShape,
} from './shared-options.js';

/** Bounds of `kinlog query`. */
export const QueryCommandLimits = {
  /** A --file larger than this is not a query. */
  MAX_SQL_FILE_BYTES: 1024 * 1024,
} as const;

const rawOptions = z
  .object({
    ...WindowOptionsShape,
    sql: z.string().optional(),
    file: z.string().optional(),
    dynamodb: z.array(z.string()).default([]),
    format: z.enum([
      ResultFormats.table,
      ResultFormats.json,
      ResultFormats.ndjson,
      ResultFormats.csv,
    ]),
    out: z.string().optional(),
    allowFiles: z.boolean().optional(),
  })
  .superRefine((o, ctx) => {
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    checkWindowOptions(o, problem, Date.now());
    if ((o.sql === undefined) === (o.file === undefined))
      problem('sql', 'give the SQL as an argument or with --file, not both');
    if (o.sql !== undefined && o.sql.trim() === '') problem('sql', 'is empty');
    parsePairs(o.dynamodb, 'dynamodb', problem);
    if (o.out !== undefined && !/\.(parquet|csv|ndjson|jsonl)$/i.test(o.out))
      problem('out', 'must end in .parquet, .csv, .ndjson or .jsonl');
  });

/**
 * The `kinlog query` subcommand.
 *
 * @example
 * ```ts
 * program.addCommand(queryCommand({ signal, stdout: process.stdout, stderr: process.stderr }));
 * // kinlog query --stream web-logs --name web --iteration 3 "SELECT page, count(*) FROM logs GROUP BY ALL"
 * ```
 */
export function queryCommand(context: CommandContext): Command {
  const command = new Command('query')
    .description('run SQL over a window of Kinesis streams (and DynamoDB tables), in process')
    .argument('[sql]', 'the SQL to run (or --file)')
    .option('--file <path>', 'read the SQL from this file')
    .option(
      '--dynamodb <name=table>',
      'a SQL table scanned from a DynamoDB table (repeatable)',
      collect,
      [],
    )
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(Object.values(ResultFormats))
        .default(ResultFormats.table),
    )
    .option(
      '--out <file>',
      'also write the result to .parquet, .csv or .ndjson (written by kinlog)',
    )
    .option('--allow-files', 'let the SQL read and write local files (off by default)');
  return addWindowOptions(command, true)
    .addHelpText('after', QUERY_HELP)
    .action(async (sql: string | undefined, raw: Record<string, unknown>) => {
      const o = parseCommandOptions(
        rawOptions,
        { ...raw, ...(sql === undefined ? {} : { sql }) },
        'kinlog query',
      );
      let text = o.sql;
      if (o.file !== undefined) {
        const bytes = await readFile(o.file).catch((err: unknown) => {
          throw new QueryError(
            `cannot read --file ${o.file}: ${err instanceof Error ? err.message : String(err)}`,
            { code: 'SQL_FILE' },
          );
        });
        if (bytes.byteLength > QueryCommandLimits.MAX_SQL_FILE_BYTES) {
          throw new QueryError(
            `--file ${o.file} passes ${QueryCommandLimits.MAX_SQL_FILE_BYTES} bytes`,
            { code: 'SQL_FILE' },
          );
        }
        text = bytes.toString('utf8');
      }
      const dynamodbTables = parsePairs(o.dynamodb, 'dynamodb', () => undefined).map((p) => ({
        table: p.name,
        dynamoTable: p.target,
      }));
      const outcome = await runQuery({
        ...windowSessionOptions(o, context.signal, dynamodbTables),
        ...(await schemaOption(o)),
        sql: text!,
        ...(o.allowFiles === true ? { allowFiles: true } : {}),
        ...(o.out === undefined ? {} : { out: o.out }),
      });
      for (const loaded of outcome.loaded) context.stderr.write(loadedLine(loaded));
      for (const d of outcome.dynamo)
        context.stderr.write(`${d.table}: ${d.rows} items from DynamoDB\n`);
      const width =
        (context.stdout as { columns?: number }).columns ?? ResultTableLimits.DEFAULT_WIDTH;
      context.stdout.write(renderResult(outcome.result, o.format, width));
      if (o.out !== undefined)
        context.stderr.write(`wrote ${outcome.result.rows.length} rows to ${o.out}\n`);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** One stderr line about a loaded table, naming values that were read as NULL. */
export function loadedLine(loaded: LoadedTable): string {
  const nulled = Object.entries(loaded.encode.nulled);
  const unfit =
    nulled.length === 0
      ? ''
      : `; read as NULL (value did not fit its type): ${nulled.map(([c, n]) => `${c} ${n}`).join(', ')}`;
  const shadowed =
    loaded.encode.shadowed === 0 ? '' : `; ${loaded.encode.shadowed} fields dropped (name taken)`;
  return `${loaded.table}: ${loaded.rows} rows from ${loaded.records} records of ${loaded.stream} (${loaded.window})${unfit}${shadowed}\n`;
}

const QUERY_HELP = `
Each stream table holds one window: --name N --iteration k reads exactly the records the
analyzer counted for iteration k (its stored per-shard cut); --whole-stream reads everything
retained. Queries never advance a window. Columns: the event's fields (time TIMESTAMP,
status INTEGER, level, msg, page, region, service, host, source VARCHAR; others typed by
the window, objects as JSON) and _stream, _shard, _seq, _arrival, _partition_key, _format,
_raw. --schema types.json pins more types ({"durationMs": "BIGINT", "user": "JSON"}); a
value that does not fit its type is read as NULL and counted. After loading, SQL cannot read or write files, use the network or install extensions
(--allow-files lifts the file part). Bad SQL exits with status 2.

Examples:
  kinlog query --stream web-logs --name web --iteration 3 \\
    "SELECT region, page, count(*) AS n FROM logs WHERE status >= 500 GROUP BY ALL ORDER BY n DESC LIMIT 10"
  kinlog query --table logs=web-logs --table clicks=click-stream --whole-stream --since 24h --file q.sql
  kinlog query --table clicks=click-stream --dynamodb campaigns=ad-campaigns --whole-stream \\
    "SELECT c.category, k.site, count(*) FROM clicks k JOIN campaigns c USING (ad) GROUP BY ALL"
  kinlog query --stream web-logs --whole-stream --format csv --out errors.parquet "SELECT * FROM logs WHERE level = 'error'"
`;
