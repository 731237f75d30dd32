import type { Command } from 'commander';
import type { CommandContext } from '@kinlog/core';
import { shipCommand } from '@kinlog/appender/daemon';
import { kinlogRoot } from './kinlog-root.js';

/**
 * `kinlog` with only its `ship` subcommand: what the bin runs for `kinlog ship …`, so that a
 * log shipper, which may start on every host and every boot, loads neither the analyzer, the
 * query engine nor the DynamoDB and SES clients they bring (about a second of CPU at start-up).
 * The `ship` command is the same object as in {@link kinlogProgram}.
 *
 * @example
 * ```ts
 * await shipProgram(context).parseAsync(['node', 'kinlog', 'ship', '--once', 'app.log']);
 * ```
 */
export function shipProgram(context: CommandContext): Command {
  return kinlogRoot(context).addCommand(shipCommand(context));
}
