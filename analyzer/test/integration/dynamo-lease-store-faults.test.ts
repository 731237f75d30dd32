/**
 * The lease store's DynamoDB calls under network faults: reads retried through throttling and
 * given up within the retry budget, a conditional write retried only when throttled (after a
 * timeout it may have happened), and a stop that ends a call at once.
 */
import { expect } from 'chai';
import { startNetworkFaultServer, NetworkFaults, type NetworkFaultServer } from '@kinlog/testkit';
import { CheckpointStoreError, TableMissingError } from '../../src/errors.js';
import { DynamoLeaseStore } from '../../src/lease/dynamo-lease-store.js';
import {
  startUnprocessedItemsProxy,
  type UnprocessedItemsProxy,
} from '../support/unprocessed-items-proxy.js';

/** Short enough for a fast suite, long enough for a loaded machine to answer a local call. */
const REQUEST_TIMEOUT_MS = 400;
const dynamodb = (): string => process.env.AWS_ENDPOINT_URL_DYNAMODB ?? '';

let tables = 0;
function freshLeaseTable(): string {
  tables++;
  return `leases-faults-${process.pid}-${Date.now().toString(36)}-${tables}`;
}

async function rejection(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('DynamoLeaseStore under network faults', function () {
  this.timeout(60_000);
  let server: NetworkFaultServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** A table with one lease for `web`, made directly; then a store through a fault server. */
  async function storeThrough(
    plan: Parameters<typeof startNetworkFaultServer>[0]['plan'],
    signal?: AbortSignal,
  ): Promise<DynamoLeaseStore> {
    const leasesTable = freshLeaseTable();
    const direct = new DynamoLeaseStore({ leasesTable });
    await direct.createTable();
    await direct.ensureLeases('web', [{ stream: 'logs', shardId: 's0' }]);
    direct.close();
    server = await startNetworkFaultServer({ plan, upstream: dynamodb() });
    return new DynamoLeaseStore({
      leasesTable,
      endpoint: server.url,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      ...(signal === undefined ? {} : { signal }),
    });
  }

  it('reads and conditional writes go through DynamoDB throttling', async () => {
    let throttles = 0;
    const store = await storeThrough(() =>
      throttles++ % 3 < 2 ? NetworkFaults.throttle : NetworkFaults.forward,
    );
    try {
      const [lease] = await store.listLeases('web');
      const taken = await store.takeLease('web', lease!, 'a');
      expect(taken).to.include({ owner: 'a', counter: 1 });
      expect(server!.received.throttle).to.equal(4);
      expect(server!.received.forward).to.equal(2);
    } finally {
      store.close();
    }
  });

  it('a read from a silent endpoint is retried within its budget, then fails as retryable', async () => {
    const store = await storeThrough(NetworkFaults.silent);
    try {
      const err = await rejection(store.listLeases('web'));
      expect(err, String(err)).to.be.instanceOf(CheckpointStoreError);
      expect((err as CheckpointStoreError).retryable).to.equal(true);
      expect((err as Error).message).to.match(/^Query leases on leases-faults-.* failed: /);
      expect(server!.received.silent).to.be.within(2, 4);
    } finally {
      store.close();
    }
  });

  it('a conditional write that timed out is not retried', async () => {
    let n = 0;
    const store = await storeThrough(() =>
      n++ === 0 ? NetworkFaults.forward : NetworkFaults.silent,
    );
    try {
      const [lease] = await store.listLeases('web');
      const err = await rejection(store.takeLease('web', lease!, 'a'));
      expect(err, String(err)).to.be.instanceOf(CheckpointStoreError);
      expect(server!.received.silent).to.equal(1);
    } finally {
      store.close();
    }
  });

  it('a stop ends a call to a silent endpoint at once, as an abort', async () => {
    const controller = new AbortController();
    const store = await storeThrough(NetworkFaults.silent, controller.signal);
    try {
      const call = rejection(store.listLeases('web'));
      setTimeout(() => controller.abort(), 100);
      expect(((await call) as Error).name).to.equal('AbortError');
      // Not retried after the stop.
      expect(server!.received.silent).to.be.at.most(1);
    } finally {
      store.close();
    }
  });

  it('names a missing table through the classifier', async () => {
    server = await startNetworkFaultServer({ plan: NetworkFaults.forward, upstream: dynamodb() });
    const store = new DynamoLeaseStore({ leasesTable: freshLeaseTable(), endpoint: server.url });
    try {
      expect(await rejection(store.listLeases('web'))).to.be.instanceOf(TableMissingError);
    } finally {
      store.close();
    }
  });
});

describe('DynamoLeaseStore clean-up when DynamoDB leaves items unprocessed', function () {
  this.timeout(60_000);
  let proxy: UnprocessedItemsProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  /** 30 leases of `web` made directly; then a store through the proxy. */
  async function storeThrough(processed: (n: number) => number): Promise<DynamoLeaseStore> {
    const leasesTable = freshLeaseTable();
    const direct = new DynamoLeaseStore({ leasesTable });
    await direct.createTable();
    await direct.ensureLeases(
      'web',
      Array.from({ length: 30 }, (_, i) => ({ stream: 'logs', shardId: `s${i}` })),
    );
    direct.close();
    proxy = await startUnprocessedItemsProxy(dynamodb(), processed);
    return new DynamoLeaseStore({ leasesTable, endpoint: proxy.url });
  }

  it('sends the unprocessed rest again, in batches of at most 25, until every item is deleted', async () => {
    // Half of every batch (rounded up) goes through: 25 → 12 left → 6 → 3 → 1 → 0, then 5 → …
    const store = await storeThrough((n) => Math.ceil(n / 2));
    try {
      const keys = (await store.listLeases('web')).map((l) => l.leaseKey);
      await store.deleteLeases('web', keys);
      expect(await store.listLeases('web')).to.deep.equal([]);
      // 25 + 5 first sent, then 12+6+3+1 and 2+1 again: more rounds than one backoff's attempts.
      expect(proxy!.batches.requests).to.equal(25 + 12 + 6 + 3 + 1 + 5 + 2 + 1);
      expect(proxy!.batches.calls).to.equal(8);
    } finally {
      store.close();
    }
  });

  it('gives up as a retryable store error when retries delete nothing more', async () => {
    const store = await storeThrough(() => 0);
    try {
      const err = await rejection(store.deleteLeases('web', ['logs#s0', 'logs#s1']));
      expect(err).to.be.instanceOf(CheckpointStoreError);
      expect((err as CheckpointStoreError).retryable).to.equal(true);
      expect(String(err)).to.match(/2 items of a BatchWriteItem were not processed/);
      expect(proxy!.batches.calls).to.equal(4);
      // Nothing was deleted.
      expect(await store.listLeases('web')).to.have.length(30);
    } finally {
      store.close();
    }
  });
});
