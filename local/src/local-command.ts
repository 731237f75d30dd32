import { Command, Option } from 'commander';
import { once } from 'node:events';
import type { CommandContext } from '@kinlog/core';
import { LocalServicesError, LocalServicesFailures } from './errors.js';
import { localEnvironment } from './local-environment.js';
import { KinesisImplementations, type KinesisImplementation } from './local-services-protocol.js';
import { startLocalServices } from './start-local-services.js';

/**
 * `kinlog local`: starts local Kinesis and DynamoDB, prints `export NAME=value` lines for a shell
 * (`eval "$(kinlog local)"` does not work since it keeps running; copy them, or source them from
 * a file), then runs until `context.signal` aborts, and stops the servers.
 *
 * @example
 * ```ts
 * const program = new Command('kinlog').addCommand(localCommand(context));
 * await program.parseAsync(process.argv);
 * ```
 */
export function localCommand(context: CommandContext): Command {
  return new Command('local')
    .description('run local Kinesis and DynamoDB servers until interrupted')
    .addOption(
      new Option('--kinesis <implementation>', 'Kinesis implementation')
        .choices(Object.values(KinesisImplementations))
        .default(KinesisImplementations.KINESALITE),
    )
    .option('--no-dynamodb', 'do not start DynamoDB')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--verbose', 'show the servers’ own output', false)
    .action(
      async (options: {
        kinesis: KinesisImplementation;
        dynamodb: boolean;
        host: string;
        verbose: boolean;
      }) => {
        await runLocal(context, options);
      },
    );
}

async function runLocal(
  context: CommandContext,
  options: { kinesis: KinesisImplementation; dynamodb: boolean; host: string; verbose: boolean },
): Promise<void> {
  if (context.signal.aborted) return;
  const services = await startLocalServices(options);
  try {
    for (const [name, value] of Object.entries(localEnvironment(services))) {
      context.stdout.write(`export ${name}=${value}\n`);
    }
    context.stdout.write(
      '# local services running; paste the lines above into another shell. Ctrl-C stops them.\n',
    );
    const stopped = once(context.signal, 'abort').then(() => 'aborted' as const);
    const died = services.closed.then(() => 'died' as const);
    if ((await Promise.race([stopped, died])) === 'died') {
      throw new LocalServicesError(
        'local services stopped unexpectedly',
        LocalServicesFailures.EXITED,
      );
    }
  } finally {
    await services.stop();
  }
}
