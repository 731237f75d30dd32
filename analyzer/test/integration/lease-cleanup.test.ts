/**
 * What several workers leave in DynamoDB: items of every table counted after each iteration and
 * after a rerun, on the local DynamoDB. Partials and a replay's items return to zero; cuts,
 * reports and checkpoints grow by a fixed number per iteration.
 */
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '@kinlog/core';
import { createTestStream } from '@kinlog/testkit';
import { expect } from 'chai';
import { leaseTables, testLeaseWorker } from '../support/lease-fixtures.js';
import { kinesis, putNumbered } from '../support/stream-fixtures.js';

const SHARDS = 4;
const WORKERS = 2;
const ITERATIONS = 3;

/** Every item of a table, by kind: the last `#`-part of its partition key (`PART` for partials). */
async function itemsByKind(ddb: DynamoDBClient, table: string): Promise<Record<string, number>> {
  const kinds: Record<string, number> = {};
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await ddb.send(
      new ScanCommand({
        TableName: table,
        ConsistentRead: true,
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      }),
    );
    for (const item of page.Items ?? []) {
      const pk = item['PK']?.S ?? '';
      const kind = pk.includes('#PART#')
        ? pk.includes('#rerun-')
          ? 'rerun PART'
          : 'PART'
        : `${pk.includes('#rerun-') ? 'rerun ' : ''}${pk.slice(pk.lastIndexOf('#') + 1)}`;
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return kinds;
}

function total(kinds: Record<string, number>): number {
  return Object.values(kinds).reduce((a, b) => a + b, 0);
}

describe('what lease workers leave in DynamoDB (local Kinesis + DynamoDB)', function () {
  this.timeout(180_000);
  const client = kinesis();
  const ddb = new DynamoDBClient(awsClientConfig());
  after(() => {
    client.destroy();
    ddb.destroy();
  });

  it('after N iterations and a rerun: no partial or replay item left; cuts, reports and checkpoints grow by a fixed number per iteration', async () => {
    const stream = await createTestStream(SHARDS);
    const tables = await leaseTables(ddb);
    const { store, leases, leasesTable, source } = tables;
    const cleanupErrors: unknown[] = [];
    const workers = Array.from({ length: WORKERS }, (_, i) =>
      testLeaseWorker(tables, stream, `w${i}`, {
        onCleanupError: (err) => cleanupErrors.push(err),
      }),
    );
    try {
      let put = 0;
      for (let n = 1; n <= ITERATIONS; n++) {
        await putNumbered(client, stream, put, put + 200 * n);
        put += 200 * n;
        const outs = await Promise.all(workers.map((w) => w.runIteration()));
        expect(outs.map((o) => o.iteration)).to.deep.equal([n, n]);
        // Partials existed (every shard published one): the report counts every record put.
        expect(outs[0]!.report.result.totals.events).to.equal(200 * n);
        const kinds = await itemsByKind(ddb, leasesTable);
        expect(kinds, `after iteration ${n}`).to.deep.equal({
          // Kept: one cut per iteration (reruns replay it).
          CUT: n,
          // Constant: a lease per shard, a registration per worker, one swept mark.
          LEASE: SHARDS,
          WORKER: WORKERS,
          SWEPT: 1,
        });
        // Kept per iteration: a checkpoint per shard; an iteration item and a report item.
        expect(total(await itemsByKind(ddb, tables.names.checkpointsTable))).to.equal(SHARDS * n);
        expect(await itemsByKind(ddb, tables.names.iterationsTable)).to.deep.equal({
          ITER: n,
          REPORT: n,
        });
      }
      const before = await itemsByKind(ddb, leasesTable);

      // A rerun of iteration 2 on both workers: its replay's cut, leases, registrations and
      // partials exist while it reads, and nothing of it is left once it is done.
      const reruns = await Promise.all(workers.map((w) => w.rerunIteration(2)));
      expect(reruns[0]!.report).to.deep.equal(await store.getReport('web', 2));
      expect(await itemsByKind(ddb, leasesTable)).to.deep.equal(before);
      expect(cleanupErrors).to.deep.equal([]);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      source.close();
      store.close();
    }
    // Stopped workers unregister: only what the iterations keep is left.
    expect(await itemsByKind(ddb, leasesTable)).to.deep.equal({
      CUT: ITERATIONS,
      LEASE: SHARDS,
      SWEPT: 1,
    });
    leases.close();
  });
});
