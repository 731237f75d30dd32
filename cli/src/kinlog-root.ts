import { Command } from 'commander';
import type { CommandContext } from '@kinlog/core';
import { cliVersion } from './cli-version.js';

/**
 * The `kinlog` command itself, without subcommands: name, description, version and where its
 * output goes. Every program the bin may run starts from it, so they all read alike.
 *
 * @example
 * ```ts
 * const program = kinlogRoot(context).addCommand(shipCommand(context));
 * ```
 */
export function kinlogRoot(context: CommandContext): Command {
  return new Command('kinlog')
    .description('Ship Node.js logs into Amazon Kinesis and report the top errors.')
    .version(cliVersion(), '-V, --version', 'print the kinlog version')
    .showHelpAfterError()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
    });
}
