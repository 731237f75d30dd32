/**
 * Every AWS call of the analyzer ends within its request timeout (answer read included) however
 * the network fails, gives up within its retry budget, and stops at once when the command is
 * stopped. Short injected timeouts keep the suite fast; the mocha timeout is what catches a hang.
 */
import { expect } from 'chai';
import {
  startNetworkFaultServer,
  NetworkFaults,
  type NetworkFault,
  type NetworkFaultServer,
} from '@kinlog/testkit';
import {
  CheckpointStoreError,
  DynamoCheckpointStore,
  KinesisShardSource,
  StreamReadError,
} from '../../src/index.js';
import { EmailClaimStore } from '../../src/report-delivery/email-claim-store.js';
import { freshTables } from '../support/stream-fixtures.js';
import { sampleStoredReport } from '../support/report-fixtures.js';
import { seedCommittedReport } from '../support/report-email-fixtures.js';

/** Short enough for a fast suite, long enough for a loaded machine to answer a local call. */
const REQUEST_TIMEOUT_MS = 400;
/** A bound a hang cannot meet: attempts × timeout + backoff, with room for a loaded machine. */
const GIVE_UP_BOUND_MS = 15_000;
const FAULTS: readonly NetworkFault[] = [
  NetworkFaults.silent,
  NetworkFaults.slow,
  NetworkFaults.resetAfterHeaders,
  NetworkFaults.garbage,
];

async function failure(call: Promise<unknown>): Promise<{ error: unknown; elapsedMs: number }> {
  const started = performance.now();
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, elapsedMs: performance.now() - started };
}

describe('AWS calls under network faults', function () {
  this.timeout(60_000);
  let server: NetworkFaultServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  for (const fault of FAULTS) {
    it(`a Kinesis read from a ${fault} endpoint ends with a retryable error`, async () => {
      server = await startNetworkFaultServer({ plan: fault, slowByteMs: 50 });
      const source = new KinesisShardSource({
        endpoint: server.url,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
      });
      try {
        const { error, elapsedMs } = await failure(source.listShards('logs'));
        expect(error, String(error)).to.be.instanceOf(StreamReadError);
        expect((error as StreamReadError).retryable).to.equal(true);
        expect((error as Error).message).to.match(/^ListShards on logs failed: /);
        expect(elapsedMs).to.be.below(GIVE_UP_BOUND_MS);
      } finally {
        source.close();
      }
    });

    it(`a DynamoDB read from a ${fault} endpoint is retried within its budget, then fails`, async () => {
      server = await startNetworkFaultServer({ plan: fault, slowByteMs: 50 });
      const store = new DynamoCheckpointStore({
        endpoint: server.url,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
      });
      try {
        const { error, elapsedMs } = await failure(store.latestIteration('web'));
        expect(error, String(error)).to.be.instanceOf(CheckpointStoreError);
        expect((error as CheckpointStoreError).retryable).to.equal(true);
        expect(server.received[fault]).to.be.within(2, 4);
        expect(elapsedMs).to.be.below(GIVE_UP_BOUND_MS);
      } finally {
        store.close();
      }
    });
  }

  it('a stop ends a call to a silent endpoint at once, as an abort', async () => {
    server = await startNetworkFaultServer({ plan: NetworkFaults.silent });
    const controller = new AbortController();
    const store = new DynamoCheckpointStore({ endpoint: server.url, signal: controller.signal });
    const source = new KinesisShardSource({ endpoint: server.url, signal: controller.signal });
    try {
      const calls = [failure(store.latestIteration('web')), failure(source.listShards('logs'))];
      // What bin/kinlog does on SIGTERM: an abort without a reason of its own.
      setTimeout(() => controller.abort(), 100);
      for (const { error, elapsedMs } of await Promise.all(calls)) {
        expect((error as Error).name).to.equal('AbortError');
        // Far below the 30 s default request timeout these calls run with.
        expect(elapsedMs).to.be.below(GIVE_UP_BOUND_MS);
      }
    } finally {
      store.close();
      source.close();
    }
  });

  it('an email claim goes through DynamoDB throttling', async () => {
    const tables = freshTables();
    const store = new DynamoCheckpointStore(tables);
    await store.createTables();
    await seedCommittedReport(store, sampleStoredReport('web', 3));
    store.close();
    server = await startNetworkFaultServer({
      plan: (n) => (n < 2 ? NetworkFaults.throttle : NetworkFaults.forward),
      upstream: process.env.AWS_ENDPOINT_URL_DYNAMODB ?? '',
    });
    const claims = new EmailClaimStore({ ...tables, endpoint: server.url });
    try {
      expect(await claims.claim('web', 3, 'host:1')).to.deep.equal({ claimed: true });
      expect(server.received.throttle).to.equal(2);
      expect((await claims.state('web', 3))?.emailClaimBy).to.equal('host:1');
    } finally {
      claims.close();
    }
  });
});
