/**
 * Runs npm `kinesis-local` (the engine behind LocalStack's Kinesis) as a child of the services
 * process:
 *
 *   services process ──fork + IPC──▶ node --import exit-with-parent.js <kinesis-local>/main.js
 *
 * The IPC channel ties its life to ours (it exits when the channel closes), and stopping escalates
 * from closing that channel and SIGTERM to SIGKILL because it may ignore SIGTERM.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { LocalServicesError, LocalServicesFailures } from './errors.js';

/** Settings of the kinesis-local process. */
export const KinesisLocalDefaults = {
  /** How long streams stay CREATING/DELETING/UPDATING (its default is 500ms). */
  STREAM_TRANSITION_DURATION: '10ms',
  SHARD_LIMIT: 10_000,
  START_TIMEOUT_MS: 60_000,
  PROBE_INTERVAL_MS: 50,
  PROBE_TIMEOUT_MS: 1_000,
  /** Grace between SIGTERM and SIGKILL when stopping. */
  KILL_GRACE_MS: 1_000,
  /** Start attempts when free ports were picked by us and lost to a race. */
  START_ATTEMPTS: 3,
  STDERR_TAIL_BYTES: 4_096,
} as const;

// Its configuration is read from these variables (checked against its README and main.js).
const TRANSITION_DURATION_VARIABLES = [
  'CREATE_STREAM_DURATION',
  'DELETE_STREAM_DURATION',
  'REGISTER_STREAM_CONSUMER_DURATION',
  'DEREGISTER_STREAM_CONSUMER_DURATION',
  'START_STREAM_ENCRYPTION_DURATION',
  'STOP_STREAM_ENCRYPTION_DURATION',
  'MERGE_SHARDS_DURATION',
  'SPLIT_SHARD_DURATION',
  'UPDATE_SHARD_COUNT_DURATION',
  'UPDATE_STREAM_MODE_DURATION',
] as const;

/** A running kinesis-local. */
export interface KinesisLocalProcess {
  readonly port: number;
  readonly pid: number;
  /** Ends the process (SIGTERM, then SIGKILL after a grace); resolves once it is gone. */
  stop(): Promise<void>;
}

/**
 * Starts kinesis-local on `host`, plain HTTP on `port` (0 picks a free one), and resolves once it
 * answers HTTP.
 *
 * @example
 * ```ts
 * const kinesis = await startKinesisLocal({ host: '127.0.0.1', port: 0, verbose: false });
 * console.log(`http://127.0.0.1:${kinesis.port}`);
 * await kinesis.stop();
 * ```
 */
export async function startKinesisLocal(options: {
  host: string;
  port: number;
  verbose: boolean;
}): Promise<KinesisLocalProcess> {
  const packageDir = kinesisLocalPackageDir();
  if (options.port !== 0) await assertPortFree(options.host, options.port);
  const attempts = options.port === 0 ? KinesisLocalDefaults.START_ATTEMPTS : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const plainPort = options.port === 0 ? await freePort(options.host) : options.port;
    const tlsPort = await freePort(options.host);
    try {
      return await startOnce(packageDir, options.host, plainPort, tlsPort, options.verbose);
    } catch (err) {
      lastError = err;
      if (!(err instanceof LocalServicesError) || err.reason !== LocalServicesFailures.EXITED) {
        throw err;
      }
    }
  }
  throw lastError;
}

function kinesisLocalPackageDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve('kinesis-local/package.json'));
  } catch (err) {
    throw new LocalServicesError(
      'npm package kinesis-local is not installed (npm install kinesis-local)',
      LocalServicesFailures.PACKAGE_MISSING,
      err,
    );
  }
}

async function startOnce(
  packageDir: string,
  host: string,
  plainPort: number,
  tlsPort: number,
  verbose: boolean,
): Promise<KinesisLocalProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KINESIS_MOCK_CERT_PATH: join(packageDir, 'server.json'),
    KINESIS_MOCK_PLAIN_PORT: String(plainPort),
    KINESIS_MOCK_TLS_PORT: String(tlsPort),
    SHARD_LIMIT: String(KinesisLocalDefaults.SHARD_LIMIT),
    SHOULD_PERSIST_DATA: 'false',
    LOG_LEVEL: verbose ? 'INFO' : 'ERROR',
  };
  for (const name of TRANSITION_DURATION_VARIABLES) {
    env[name] = KinesisLocalDefaults.STREAM_TRANSITION_DURATION;
  }
  const exitWithParent = fileURLToPath(new URL('./exit-with-parent.js', import.meta.url));
  const child = fork(join(packageDir, 'main.js'), [], {
    env,
    execArgv: ['--import', exitWithParent],
    stdio: verbose ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(
      -KinesisLocalDefaults.STDERR_TAIL_BYTES,
    );
  });
  const exited = once(child, 'exit');
  const stop = (): Promise<void> => stopChild(child, exited);

  const deadline = Date.now() + KinesisLocalDefaults.START_TIMEOUT_MS;
  while (child.exitCode === null && child.signalCode === null) {
    if (await answersHttp(host, plainPort)) {
      return { port: plainPort, pid: child.pid ?? -1, stop };
    }
    if (Date.now() > deadline) {
      await stop();
      throw new LocalServicesError(
        `kinesis-local did not answer on ${host}:${plainPort} within ${KinesisLocalDefaults.START_TIMEOUT_MS} ms`,
        LocalServicesFailures.START_TIMEOUT,
      );
    }
    await delay(KinesisLocalDefaults.PROBE_INTERVAL_MS);
  }
  throw new LocalServicesError(
    `kinesis-local exited during start-up (code ${String(child.exitCode)}, signal ${String(child.signalCode)})` +
      (stderrTail === '' ? '' : `: ${stderrTail.trim()}`),
    LocalServicesFailures.EXITED,
  );
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // Closing the channel makes the preloaded exit-with-parent end it at once. SIGTERM alone is not
  // enough: with keep-alive clients connected it waits 30 s before exiting.
  if (child.connected) child.disconnect();
  else child.kill('SIGTERM');
  const grace = delay(KinesisLocalDefaults.KILL_GRACE_MS, 'grace', { ref: false });
  if ((await Promise.race([exited, grace])) === 'grace') {
    child.kill('SIGKILL');
    await exited;
  }
}

function answersHttp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      {
        host,
        port,
        method: 'GET',
        path: '/',
        agent: false,
        timeout: KinesisLocalDefaults.PROBE_TIMEOUT_MS,
      },
      (res) => {
        res.resume();
        resolve(true);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** A port that was free a moment ago; the caller retries if it loses the race for it. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new LocalServicesError(
              `port ${port} on ${host} is already in use (kinesis-local)`,
              LocalServicesFailures.PORT_IN_USE,
              err,
            )
          : err,
      );
    });
    server.listen(port, host, () => server.close(() => resolve()));
  });
}
