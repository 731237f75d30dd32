/**
 * `ensureStream` (core) under network faults, through the network-fault server in front of a
 * local Kinesis: throttled calls retried, a silent endpoint given up within the retry budget
 * with a retryable error, a stop that ends the wait at once.
 */
import { KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { awsClientConfig, ensureStream, KinlogError } from '@kinlog/core';
import { LocalEnvironmentDefaults, startLocalServices, type LocalServices } from '@kinlog/local';
import {
  NetworkFaults,
  startNetworkFaultServer,
  type NetworkFault,
  type NetworkFaultServer,
} from '../../src/network-fault-server.js';

const REQUEST_TIMEOUT_MS = 400;
const connection = {
  region: LocalEnvironmentDefaults.REGION,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
};

async function rejection(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('ensureStream under network faults', function () {
  this.timeout(60_000);
  let services: LocalServices;
  let server: NetworkFaultServer | undefined;
  let client: KinesisClient | undefined;

  before(async () => {
    services = await startLocalServices({ dynamodb: false });
  });
  after(() => services.stop());
  afterEach(async () => {
    client?.destroy();
    client = undefined;
    await server?.close();
    server = undefined;
  });

  async function through(
    plan: NetworkFault | ((n: number) => NetworkFault),
  ): Promise<KinesisClient> {
    server = await startNetworkFaultServer({ plan, upstream: services.kinesisEndpoint! });
    client = new KinesisClient(
      awsClientConfig({
        ...connection,
        endpoint: server.url,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
      }),
    );
    return client;
  }

  it('creates the stream through throttled calls', async () => {
    // Describe throttled twice, then answered (not found); Create throttled once, then made.
    const plan: NetworkFault[] = ['throttle', 'throttle', 'forward', 'throttle'];
    const kinesis = await through((n) => plan[n] ?? NetworkFaults.forward);
    await ensureStream(kinesis, 'throttled-create', 2, { requestTimeoutMs: REQUEST_TIMEOUT_MS });
    const shards = await kinesis.send(new ListShardsCommand({ StreamName: 'throttled-create' }));
    expect(shards.Shards).to.have.length(2);
    expect(server!.received.throttle).to.equal(3);
  });

  it('gives up on a silent endpoint within its retry budget with a retryable error', async () => {
    const kinesis = await through(NetworkFaults.silent);
    const err = await rejection(
      ensureStream(kinesis, 'never', 1, { requestTimeoutMs: REQUEST_TIMEOUT_MS }),
    );
    expect(err, String(err)).to.be.instanceOf(KinlogError);
    expect(err).to.include({ code: 'DESCRIBE_STREAM_FAILED', retryable: true });
    expect((err as Error).message).to.match(/^cannot describe stream never: TimeoutError/);
    expect(server!.received.silent).to.be.within(2, 4);
  });

  it('a stop ends it at once, as an abort', async () => {
    const kinesis = await through(NetworkFaults.silent);
    const controller = new AbortController();
    const call = rejection(ensureStream(kinesis, 'never', 1, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    expect(((await call) as Error).name).to.equal('AbortError');
    expect(server!.received.silent).to.be.at.most(1);
  });
});
