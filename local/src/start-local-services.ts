/**
 * Starts local Kinesis and DynamoDB servers in one child process:
 *
 *   caller ──fork + IPC──▶ bin/local-services-child.js ── kinesalite / dynalite, or
 *                                                  └─▶ kinesis-local (own process)
 *
 * A separate process keeps the servers off the caller's event loop (benchmarks stay honest) and
 * makes leaks impossible: the child exits when the IPC channel closes, which happens on `stop()`
 * and when the caller dies in any way, SIGKILL included.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ConfigError, type ConfigProblem } from '@kinlog/core';
import { LocalServicesError, LocalServicesFailures } from './errors.js';
import {
  KinesisImplementations,
  type KinesisImplementation,
  type ParentMessage,
  type ServicesMessage,
  type ServicesPlan,
} from './local-services-protocol.js';

/** Options of {@link startLocalServices}. */
export interface LocalServicesOptions {
  /** Kinesis implementation, or `false` for none. Default `'kinesalite'`. */
  kinesis?: KinesisImplementation | false;
  /** Whether to start dynalite. Default `true`. */
  dynamodb?: boolean;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Kinesis port; default 0 picks a free one. */
  kinesisPort?: number;
  /** DynamoDB port; default 0 picks a free one. */
  dynamodbPort?: number;
  /** Let the servers' own output through. Default `false`. */
  verbose?: boolean;
  /** Bound on start-up. Default {@link LocalServicesDefaults.START_TIMEOUT_MS}. */
  startTimeoutMs?: number;
}

/** Running local servers. */
export interface LocalServices {
  /** E.g. `http://127.0.0.1:38211`; absent when Kinesis was not asked for. */
  readonly kinesisEndpoint?: string;
  /** E.g. `http://127.0.0.1:38212`; absent when DynamoDB was not asked for. */
  readonly dynamodbEndpoint?: string;
  /** Pids of every process started (the services process first), for leak checks. */
  readonly pids: readonly number[];
  /** Resolves when the servers are gone, whether stopped or died. Never rejects. */
  readonly closed: Promise<void>;
  /** Stops every server and process; idempotent; resolves once they are gone. */
  stop(): Promise<void>;
}

/** Defaults and bounds of {@link startLocalServices}. */
export const LocalServicesDefaults = {
  HOST: '127.0.0.1',
  /** kinesis-local alone takes up to a few seconds; kinesalite and dynalite ~0.3 s. */
  START_TIMEOUT_MS: 90_000,
  /** Wait for a clean exit before SIGKILL. */
  STOP_GRACE_MS: 5_000,
  STDERR_TAIL_BYTES: 4_096,
  MAX_PORT: 65_535,
} as const;

/**
 * Starts local Kinesis (kinesalite by default, or kinesis-local) and DynamoDB (dynalite) servers,
 * in memory, on free ports, in a child process that cannot outlive the caller.
 *
 * @throws {ConfigError} for invalid options.
 * @throws {LocalServicesError} when a server cannot start (port in use, package missing, …).
 * @example
 * ```ts
 * const services = await startLocalServices();
 * const kinesis = new KinesisClient(awsClientConfig({ endpoint: services.kinesisEndpoint }));
 * // …
 * await services.stop();
 * ```
 */
export async function startLocalServices(
  options: LocalServicesOptions = {},
): Promise<LocalServices> {
  const plan = toPlan(options);
  const startTimeoutMs = options.startTimeoutMs ?? LocalServicesDefaults.START_TIMEOUT_MS;
  // The child is a process entry of its own (it exits when its parent goes): it lives in bin/.
  const childPath = fileURLToPath(new URL('../bin/local-services-child.js', import.meta.url));
  const child = fork(childPath, [JSON.stringify(plan)], {
    // Not the caller's flags: an inherited --inspect or --require must not reach the servers.
    execArgv: [],
    // Own process group: a terminal's Ctrl-C reaches only the caller, which then stops us in
    // order, instead of killing the servers under it. The IPC channel still ties us to it.
    detached: true,
    stdio: plan.verbose
      ? ['ignore', 'inherit', 'inherit', 'ipc']
      : ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(
      -LocalServicesDefaults.STDERR_TAIL_BYTES,
    );
  });
  const closed = once(child, 'exit').then(
    () => undefined,
    () => undefined,
  );

  let ready: Extract<ServicesMessage, { type: 'ready' }>;
  try {
    ready = await waitForReady(child, closed, startTimeoutMs, () => stderrTail);
  } catch (err) {
    child.kill('SIGKILL');
    await closed;
    throw err;
  }

  let stopping: Promise<void> | undefined;
  const services: LocalServices = {
    pids: [child.pid ?? -1, ...ready.pids],
    closed,
    stop: () => (stopping ??= stopChild(child, closed)),
  };
  return {
    ...services,
    ...(ready.kinesisPort === undefined
      ? {}
      : { kinesisEndpoint: endpoint(plan.host, ready.kinesisPort) }),
    ...(ready.dynamodbPort === undefined
      ? {}
      : { dynamodbEndpoint: endpoint(plan.host, ready.dynamodbPort) }),
  };
}

function toPlan(options: LocalServicesOptions): ServicesPlan {
  const problems: ConfigProblem[] = [];
  const kinesis = options.kinesis ?? KinesisImplementations.KINESALITE;
  const implementations: readonly unknown[] = Object.values(KinesisImplementations);
  if (kinesis !== false && !implementations.includes(kinesis)) {
    problems.push({
      path: 'kinesis',
      message: `must be ${implementations.map((i) => `'${String(i)}'`).join(', ')} or false`,
    });
  }
  for (const name of ['kinesisPort', 'dynamodbPort'] as const) {
    const port = options[name];
    if (
      port !== undefined &&
      !(Number.isInteger(port) && port >= 0 && port <= LocalServicesDefaults.MAX_PORT)
    ) {
      problems.push({
        path: name,
        message: `must be an integer from 0 to ${LocalServicesDefaults.MAX_PORT}`,
      });
    }
  }
  if (options.startTimeoutMs !== undefined && !(options.startTimeoutMs > 0)) {
    problems.push({ path: 'startTimeoutMs', message: 'must be > 0' });
  }
  if (problems.length > 0) throw new ConfigError(problems, 'invalid local services options');
  return {
    kinesis,
    dynamodb: options.dynamodb ?? true,
    host: options.host ?? LocalServicesDefaults.HOST,
    kinesisPort: options.kinesisPort ?? 0,
    dynamodbPort: options.dynamodbPort ?? 0,
    verbose: options.verbose ?? false,
  };
}

function waitForReady(
  child: ChildProcess,
  closed: Promise<void>,
  timeoutMs: number,
  stderrTail: () => string,
): Promise<Extract<ServicesMessage, { type: 'ready' }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new LocalServicesError(
          `local services did not start within ${timeoutMs} ms`,
          LocalServicesFailures.START_TIMEOUT,
        ),
      );
    }, timeoutMs);
    timer.unref();
    child.on('message', (message: ServicesMessage) => {
      clearTimeout(timer);
      if (message.type === 'ready') resolve(message);
      else
        reject(
          new LocalServicesError(
            `local services failed to start: ${message.message}`,
            message.reason,
          ),
        );
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(
        new LocalServicesError(
          `local services failed to start: ${err.message}`,
          LocalServicesFailures.START_FAILED,
          err,
        ),
      );
    });
    void closed.then(() => {
      clearTimeout(timer);
      const tail = stderrTail().trim();
      reject(
        new LocalServicesError(
          `local services process exited during start-up (code ${String(child.exitCode)}, signal ${String(child.signalCode)})` +
            (tail === '' ? '' : `: ${tail}`),
          LocalServicesFailures.EXITED,
        ),
      );
    });
  });
}

async function stopChild(child: ChildProcess, closed: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (child.connected) child.send({ type: 'stop' } satisfies ParentMessage);
  const grace = delay(LocalServicesDefaults.STOP_GRACE_MS, 'grace', { ref: false });
  if ((await Promise.race([closed.then(() => 'closed'), grace])) === 'grace') {
    child.kill('SIGKILL');
  }
  await closed;
}

function endpoint(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
