import { KinesisClient } from '@aws-sdk/client-kinesis';
import { Command, Option } from 'commander';
import { once } from 'node:events';
import { awsClientConfig, ensureStream, type CommandContext } from '@kinlog/core';
import { LocalServicesError, LocalServicesFailures } from './errors.js';
import { localEnvironment } from './local-environment.js';
import { KinesisImplementations, type KinesisImplementation } from './local-services-protocol.js';
import { startLocalServices } from './start-local-services.js';
import { LocalEnvironmentDefaults } from './local-environment.js';
import { parseStreamSpecs, StreamSpecLimits, type StreamSpec } from './stream-spec.js';

interface LocalOptions {
  kinesis: KinesisImplementation;
  dynamodb: boolean;
  host: string;
  verbose: boolean;
  stream: string[];
}

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
    .option(
      '--stream <name[:shards]>',
      `create this stream once the servers run (repeatable; shards 1-${StreamSpecLimits.MAX_SHARDS}, default ${StreamSpecLimits.DEFAULT_SHARDS})`,
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .addHelpText(
      'after',
      '\nExample:\n  $ kinlog local --stream web-logs:2   # then paste the export lines into another shell\n',
    )
    .action(async (options: LocalOptions) => {
      await runLocal(context, options);
    });
}

async function runLocal(context: CommandContext, options: LocalOptions): Promise<void> {
  const streams = parseStreamSpecs(options.stream);
  if (context.signal.aborted) return;
  const services = await startLocalServices(options);
  try {
    await createStreams(services.kinesisEndpoint, streams);
    for (const [name, value] of Object.entries(localEnvironment(services))) {
      context.stdout.write(`export ${name}=${value}\n`);
    }
    for (const stream of streams) {
      context.stdout.write(`# stream ${stream.name} created with ${stream.shards} shard(s)\n`);
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

/** Creates the `--stream` streams on the local Kinesis, each ready for records when this returns. */
async function createStreams(
  endpoint: string | undefined,
  streams: readonly StreamSpec[],
): Promise<void> {
  if (endpoint === undefined || streams.length === 0) return;
  const kinesis = new KinesisClient(
    awsClientConfig({
      endpoint,
      region: LocalEnvironmentDefaults.REGION,
      credentials: {
        accessKeyId: LocalEnvironmentDefaults.ACCESS_KEY_ID,
        secretAccessKey: LocalEnvironmentDefaults.SECRET_ACCESS_KEY,
      },
    }),
  );
  try {
    for (const stream of streams) await ensureStream(kinesis, stream.name, stream.shards);
  } finally {
    kinesis.destroy();
  }
}
