import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '@kinlog/core';
import { expect } from 'chai';
import { TableMissingError } from '../../src/errors.js';
import { DynamoLeaseStore } from '../../src/lease/dynamo-lease-store.js';
import { LeaseCoordinator } from '../../src/lease/lease-coordinator.js';
import { leaseStoreConformance } from '../support/lease-store-conformance.js';

let tables = 0;
function freshLeaseTable(): string {
  tables++;
  return `leases-${process.pid}-${Date.now().toString(36)}-${tables}`;
}

describe('DynamoLeaseStore (local DynamoDB)', function () {
  this.timeout(60_000);
  const client = new DynamoDBClient(awsClientConfig());
  after(() => client.destroy());

  leaseStoreConformance(async () => {
    const store = new DynamoLeaseStore({ client, leasesTable: freshLeaseTable() });
    await store.createTable();
    return store;
  });

  it('names the missing table', async () => {
    const store = new DynamoLeaseStore({ client, leasesTable: freshLeaseTable() });
    const err = await store.listLeases('web').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(TableMissingError);
  });

  it('coordinators over the real table split 16 leases evenly and take a stopped worker’s', async () => {
    const store = new DynamoLeaseStore({ client, leasesTable: freshLeaseTable() });
    await store.createTable();
    await store.ensureLeases(
      'web',
      Array.from({ length: 16 }, (_, i) => ({ stream: 'logs', shardId: `s${i}` })),
    );
    let now = 0;
    const clock = () => now;
    const make = (workerId: string) =>
      new LeaseCoordinator({ store, name: 'web', workerId, failoverMs: 30, clock });
    const workers = [make('a'), make('b'), make('c')];
    for (let round = 0; round < 12; round++) {
      for (const w of workers) await w.tick();
      now += 10;
    }
    expect(workers.map((w) => w.heldKeys().length).sort()).to.deep.equal([5, 5, 6]);
    workers.pop();
    for (let round = 0; round < 8; round++) {
      for (const w of workers) await w.tick();
      now += 10;
    }
    expect(workers.map((w) => w.heldKeys().length)).to.deep.equal([8, 8]);
    const owners = new Set((await store.listLeases('web')).map((l) => l.owner));
    expect([...owners].sort()).to.deep.equal(['a', 'b']);
  });
});
