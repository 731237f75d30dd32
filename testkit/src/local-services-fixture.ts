/**
 * Mocha global fixture: one set of local servers per mocha run, shared by every test file.
 *
 *   mochaGlobalSetup ──▶ startLocalServices() ──▶ process.env.AWS_ENDPOINT_URL_KINESIS/DYNAMODB, …
 *   mochaGlobalTeardown ──▶ stop(), environment restored
 *
 * Load it from a package's mocha config: `require: ['@kinlog/testkit/local-services-fixture']`.
 * `KINLOG_TEST_KINESIS=kinesis-local` switches Kinesis to the second implementation.
 */
import { ConfigError } from '@kinlog/core';
import {
  KinesisImplementations,
  localEnvironment,
  startLocalServices,
  type KinesisImplementation,
  type LocalServices,
} from '@kinlog/local';

let services: LocalServices | undefined;
let savedEnvironment: Record<string, string | undefined> = {};

/**
 * The Kinesis implementation chosen by `KINLOG_TEST_KINESIS` (default kinesalite).
 *
 * @example
 * ```ts
 * if (testKinesisImplementation() === 'kinesis-local') this.timeout(30_000);
 * ```
 */
export function testKinesisImplementation(): KinesisImplementation {
  const chosen = process.env.KINLOG_TEST_KINESIS ?? KinesisImplementations.KINESALITE;
  const known: readonly string[] = Object.values(KinesisImplementations);
  if (!known.includes(chosen)) {
    throw new ConfigError([
      { path: 'KINLOG_TEST_KINESIS', message: `must be one of ${known.join(', ')}` },
    ]);
  }
  return chosen as KinesisImplementation;
}

/**
 * Starts the local servers once for the whole mocha run and points `process.env` at them.
 *
 * @example
 * ```js
 * // .mocharc.cjs
 * module.exports = { require: ['@kinlog/testkit/local-services-fixture'] };
 * ```
 */
export async function mochaGlobalSetup(): Promise<void> {
  services = await startLocalServices({ kinesis: testKinesisImplementation() });
  const environment = localEnvironment(services);
  savedEnvironment = Object.fromEntries(
    Object.keys(environment).map((name) => [name, process.env[name]]),
  );
  Object.assign(process.env, environment);
}

/**
 * Stops the servers started by {@link mochaGlobalSetup} and restores the environment.
 *
 * @example
 * ```ts
 * await mochaGlobalTeardown();
 * ```
 */
export async function mochaGlobalTeardown(): Promise<void> {
  await services?.stop();
  services = undefined;
  for (const [name, value] of Object.entries(savedEnvironment)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  savedEnvironment = {};
}
