/**
 * `kinlog analyze --workers`' lease worker run and the command's stop signal: DynamoDB calls end
 * at once when it fires, and the leases are still handed back (one short call) on close.
 */
import { expect } from 'chai';
import {
  createTestStream,
  NetworkFaults,
  startNetworkFaultServer,
  type NetworkFaultServer,
} from '@kinlog/testkit';
import { DynamoCheckpointStore } from '../../src/checkpoint/dynamo-checkpoint-store.js';
import { WorkerStoppedError } from '../../src/errors.js';
import { leaseWorkerRun } from '../../src/cli/lease-worker-run.js';
import { DynamoLeaseStore } from '../../src/lease/dynamo-lease-store.js';
import { freshTables, kinesis, putNumbered } from '../support/stream-fixtures.js';

/** Far longer than the test may take: only the stop can end a call this soon. */
const REQUEST_TIMEOUT_MS = 120_000;

describe('leaseWorkerRun and the stop signal', function () {
  this.timeout(30_000);
  let server: NetworkFaultServer | undefined;
  let stream: string;
  let tables: ReturnType<typeof freshTables>;
  let store: DynamoCheckpointStore;
  let leasesTable: string;

  beforeEach(async () => {
    stream = await createTestStream(2);
    const client = kinesis();
    await putNumbered(client, stream, 0, 10);
    client.destroy();
    tables = freshTables();
    store = new DynamoCheckpointStore(tables);
    await store.createTables();
    leasesTable = `leases-${tables.iterationsTable}`;
    const leases = new DynamoLeaseStore({ leasesTable });
    await leases.createTable();
    leases.close();
  });

  afterEach(async () => {
    store.close();
    await server?.close();
    server = undefined;
  });

  it('a lease call to a silent DynamoDB ends at once when the command stops', async () => {
    server = await startNetworkFaultServer({
      plan: NetworkFaults.silent,
      upstream: process.env.AWS_ENDPOINT_URL_DYNAMODB ?? '',
    });
    const controller = new AbortController();
    const run = leaseWorkerRun({
      name: 'web',
      stream,
      store,
      kinesis: {},
      dynamodb: { endpoint: server.url, requestTimeoutMs: REQUEST_TIMEOUT_MS },
      leasesTable,
      workerId: 'w0',
      minCallIntervalMs: 0,
      signal: controller.signal,
    });
    try {
      const iteration = run.worker.runIteration().then(
        () => undefined,
        (e: unknown) => e,
      );
      setTimeout(() => controller.abort(), 200);
      const err = (await iteration) as Error;
      // A stop, not a failure: the cause is the abort that ended the call.
      expect(err, String(err)).to.be.instanceOf(WorkerStoppedError);
      expect((err.cause as Error | undefined)?.name).to.equal('AbortError');
      expect(server.received.silent).to.equal(1);
    } finally {
      await run.close();
    }
  });

  it('leases are handed back on close after the stop signal fired', async () => {
    const controller = new AbortController();
    const run = leaseWorkerRun({
      name: 'web',
      stream,
      store,
      kinesis: {},
      dynamodb: {},
      leasesTable,
      workerId: 'w0',
      failoverMs: 30_000,
      minCallIntervalMs: 0,
      signal: controller.signal,
    });
    const leases = new DynamoLeaseStore({ leasesTable });
    try {
      const out = await run.worker.runIteration();
      expect(out.report.result.totals.events).to.equal(10);
      expect((await leases.listLeases('web')).map((l) => l.owner)).to.deep.equal(['w0', 'w0']);
      controller.abort();
      await run.close();
      expect((await leases.listLeases('web')).map((l) => l.owner)).to.deep.equal([
        undefined,
        undefined,
      ]);
    } finally {
      leases.close();
      await run.close();
    }
  });
});
