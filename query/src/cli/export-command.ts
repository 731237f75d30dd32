/*
 *   argv ─▶ zod ─▶ exportWindow: iteration k of every table's stream ─▶
 *   <out>/iteration=k/stream=s/part-0.<format>, each through a temp name (a rerun replaces it)
 */
import { Command, Option } from 'commander';
import { z } from 'zod';
import type { CommandContext } from '@kinlog/core';
import { exportWindow } from '../export/export-window.js';
import { FileFormats } from '../output/write-table-file.js';
import {
  addWindowOptions,
  checkWindowOptions,
  parseCommandOptions,
  schemaOption,
  windowSessionOptions,
  WindowOptionsShape,
} from './shared-options.js';

const rawOptions = z
  .object({
    ...WindowOptionsShape,
    out: z.string({ error: 'is required' }).min(1, 'is required'),
    format: z.enum([FileFormats.parquet, FileFormats.ndjson, FileFormats.csv]),
  })
  .superRefine((o, ctx) => {
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    checkWindowOptions(o, problem, Date.now());
  });

/**
 * The `kinlog export` subcommand.
 *
 * @example
 * ```ts
 * program.addCommand(exportCommand({ signal, stdout: process.stdout, stderr: process.stderr }));
 * // kinlog export --stream web-logs --name web --iteration 3 --out lake/ --format parquet
 * ```
 */
export function exportCommand(context: CommandContext): Command {
  const command = new Command('export')
    .description("write an iteration's records as Parquet, NDJSON or CSV files, partitioned")
    .option('--out <dir>', 'directory to write iteration=k/stream=s/ under')
    .addOption(
      new Option('--format <format>', 'file format')
        .choices(Object.values(FileFormats))
        .default(FileFormats.parquet),
    );
  return addWindowOptions(command, false)
    .addHelpText(
      'after',
      `
Rows and columns are those of kinlog query over the same iteration. Each file is written
to a temp name and renamed, so a rerun replaces the iteration's files instead of adding
to them.

Example:
  kinlog export --stream web-logs --name web --iteration 3 --out lake/ --format parquet
  # lake/iteration=3/stream=web-logs/part-0.parquet
`,
    )
    .action(async (raw: Record<string, unknown>) => {
      const o = parseCommandOptions(rawOptions, raw, 'kinlog export');
      const session = { ...windowSessionOptions(o, context.signal), ...(await schemaOption(o)) };
      const files = await exportWindow({
        ...session,
        name: o.name!,
        iteration: o.iteration!,
        outDir: o.out,
        format: o.format,
      });
      for (const f of files) context.stdout.write(`${f.path}\t${f.rows} rows\n`);
    });
}
