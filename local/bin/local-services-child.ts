/**
 * Entry of the process that runs the local servers (forked by `startLocalServices`):
 *
 *   caller ──fork + IPC──▶ this process: kinesalite + dynalite (in-memory, same event loop)
 *                            └──fork + IPC──▶ kinesis-local (only when asked for)
 *
 * It reports its ports with a `ready` message, stops on a `stop` message, and exits as soon as the
 * IPC channel closes, which also happens when the caller dies from SIGKILL.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { LocalServicesError, LocalServicesFailures } from '../src/errors.js';
import { startKinesisLocal, type KinesisLocalProcess } from '../src/kinesis-local-process.js';
import { wholeKinesaliteCborAnswers } from '../src/kinesalite-cbor-answers.js';
import type {
  ParentMessage,
  ServicesMessage,
  ServicesPlan,
} from '../src/local-services-protocol.js';

/** Settings of the in-process servers. */
export const InProcessServerDefaults = {
  /** How long streams and tables stay CREATING/DELETING/UPDATING (their default is 500 ms). */
  STATE_TRANSITION_MS: 10,
  /** Kinesalite's default shard limit (10) is lower than tests with many streams need. */
  KINESALITE_SHARD_LIMIT: 10_000,
} as const;

type ServerFactory = (options: Record<string, unknown>) => Server;

const plan = JSON.parse(process.argv[2] ?? '{}') as ServicesPlan;
let kinesisLocal: KinesisLocalProcess | undefined;
let stopping: Promise<void> | undefined;

process.on('disconnect', () => void shutdown(0));
process.on('message', (message: ParentMessage) => {
  if (message.type === 'stop') void shutdown(0);
});

void start().then(send, async (err: unknown) => {
  const failure: ServicesMessage =
    err instanceof LocalServicesError
      ? { type: 'failed', reason: err.reason, message: err.message }
      : {
          type: 'failed',
          reason: LocalServicesFailures.START_FAILED,
          message: err instanceof Error ? err.message : String(err),
        };
  await send(failure);
  await shutdown(1);
});

async function start(): Promise<ServicesMessage> {
  const ready: { type: 'ready'; kinesisPort?: number; dynamodbPort?: number; pids: number[] } = {
    type: 'ready',
    pids: [],
  };
  const transition = InProcessServerDefaults.STATE_TRANSITION_MS;
  if (plan.kinesis === 'kinesalite') {
    wholeKinesaliteCborAnswers();
    const server = loadServerFactory('kinesalite')({
      createStreamMs: transition,
      deleteStreamMs: transition,
      updateStreamMs: transition,
      shardLimit: InProcessServerDefaults.KINESALITE_SHARD_LIMIT,
    });
    ready.kinesisPort = await listen(server, plan.kinesisPort, 'kinesis (kinesalite)');
  } else if (plan.kinesis === 'kinesis-local') {
    kinesisLocal = await startKinesisLocal({
      host: plan.host,
      port: plan.kinesisPort,
      verbose: plan.verbose,
    });
    ready.kinesisPort = kinesisLocal.port;
    ready.pids.push(kinesisLocal.pid);
  }
  if (plan.dynamodb) {
    const server = loadServerFactory('dynalite')({
      createTableMs: transition,
      deleteTableMs: transition,
      updateTableMs: transition,
      verbose: plan.verbose,
    });
    ready.dynamodbPort = await listen(server, plan.dynamodbPort, 'dynamodb (dynalite)');
  }
  return ready;
}

function loadServerFactory(packageName: 'kinesalite' | 'dynalite'): ServerFactory {
  const require = createRequire(import.meta.url);
  try {
    return require(packageName) as ServerFactory;
  } catch (err) {
    throw new LocalServicesError(
      `npm package ${packageName} is not installed (npm install ${packageName})`,
      LocalServicesFailures.PACKAGE_MISSING,
      err,
    );
  }
}

function listen(server: Server, port: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new LocalServicesError(
              `port ${port} on ${plan.host} is already in use (${what})`,
              LocalServicesFailures.PORT_IN_USE,
              err,
            )
          : err,
      );
    });
    server.listen(port, plan.host, () => resolve((server.address() as AddressInfo).port));
  });
}

function send(message: ServicesMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) resolve();
    // Resolves once the message is handed over, so exiting right after does not lose it.
    else process.send(message, () => resolve());
  });
}

// Everything is in memory: there is nothing to flush, only kinesis-local to end before leaving.
function shutdown(code: number): Promise<void> {
  stopping ??= (async () => {
    try {
      await kinesisLocal?.stop();
    } finally {
      process.exit(code);
    }
  })();
  return stopping;
}
