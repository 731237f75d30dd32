import type { Command } from 'commander';
import type { CommandContext } from '@kinlog/core';
import { localCommand } from '@kinlog/local';
import { shipCommand } from '@kinlog/appender/daemon';
import { analyzeCommand, reportCommand } from '@kinlog/analyzer';
import { exportCommand, queryCommand, savedQueryHook } from '@kinlog/query';
import { demoCommand } from './demo/demo-command.js';
import { kinlogRoot } from './kinlog-root.js';

/** Builds one subcommand from the shared context. */
export type SubcommandFactory = (context: CommandContext) => Command;

/** Every `kinlog` subcommand, in help order; add new ones here. */
export const kinlogSubcommands: readonly SubcommandFactory[] = [
  localCommand,
  shipCommand,
  // Saved queries (--query) run on @kinlog/query's engine; the analyzer never loads it.
  (context) => analyzeCommand(context, { savedQueryHook }),
  reportCommand,
  queryCommand,
  exportCommand,
  demoCommand,
];

/**
 * The `kinlog` program with every subcommand. Nothing here touches the process (no signal
 * handlers, no exit): `bin/kinlog.ts` owns that and hands over `context`.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * await kinlogProgram({ signal: controller.signal, stdout: process.stdout, stderr: process.stderr })
 *   .parseAsync(process.argv);
 * ```
 */
export function kinlogProgram(context: CommandContext): Command {
  const program = kinlogRoot(context);
  for (const subcommand of kinlogSubcommands) program.addCommand(subcommand(context));
  return program;
}
