import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '@kinlog/core';
import { createTestStream } from '@kinlog/testkit';
import { expect } from 'chai';
import { Analyzer, DynamoCheckpointStore, type StoredReport } from '../../src/index.js';
import { KinesisShardSource } from '../../src/stream/kinesis-shard-source.js';
import { DynamoLeaseStore } from '../../src/lease/dynamo-lease-store.js';
import { LeaseWorker } from '../../src/lease/lease-worker.js';
import {
  freshTables,
  idsInWindows,
  kinesis,
  mergeFirstAdjacent,
  putNumbered,
  splitFirst,
} from '../support/stream-fixtures.js';

const FAILOVER_MS = 1_500;

describe('lease workers (local Kinesis + DynamoDB)', function () {
  this.timeout(240_000);
  const client = kinesis();
  const ddb = new DynamoDBClient(awsClientConfig());
  after(() => {
    client.destroy();
    ddb.destroy();
  });

  async function group(stream: string, name: string, count: number) {
    const tables = freshTables();
    const store = new DynamoCheckpointStore(tables);
    await store.createTables();
    const leases = new DynamoLeaseStore({
      client: ddb,
      leasesTable: `leases-${tables.iterationsTable}`,
    });
    await leases.createTable();
    const source = new KinesisShardSource();
    const workers = Array.from(
      { length: count },
      (_, i) =>
        new LeaseWorker({
          name,
          stream,
          source,
          store,
          leases,
          workerId: `${name}-w${i}`,
          failoverMs: FAILOVER_MS,
          pollIntervalMs: 50,
          minCallIntervalMs: 0,
          topN: 20,
        }),
    );
    return {
      store,
      workers,
      run: () => Promise.all(workers.map((w) => w.runIteration())),
      close: async () => {
        await Promise.all(workers.map((w) => w.close()));
        source.close();
        store.close();
      },
    };
  }

  it('64 shards, 3 iterations: 4 workers store the reports 1 worker stores, every record once', async () => {
    const stream = await createTestStream(64);
    const one = await group(stream, 'one', 1);
    const four = await group(stream, 'four', 4);
    const single = new Analyzer({
      name: 'single',
      stream,
      minCallIntervalMs: 0,
      topN: 20,
      store: new DynamoCheckpointStore(freshTables()),
    });
    await single.checkpointStore.createTables();
    let next = 0;
    const fourReports: StoredReport[] = [];
    try {
      for (let i = 1; i <= 3; i++) {
        const count = 900 + i * 131;
        await putNumbered(client, stream, next, next + count);
        next += count;
        const [byOne] = await one.run();
        const byFour = await four.run();
        expect(byOne!.iteration).to.equal(i);
        for (const out of byFour) {
          expect(out.iteration).to.equal(i);
          expect(out.report).to.deep.equal(byFour[0]!.report);
        }
        const a = byOne!.report;
        const b = byFour[0]!.report;
        expect(b.result).to.deep.equal(a.result);
        expect(b.window).to.deep.equal(a.window);
        expect(b.decode).to.deep.equal(a.decode);
        expect(b.leased?.boundedShards).to.deep.equal([]);
        const total = b.window.reduce((s, w) => s + w.records, 0);
        expect(total).to.equal(count);
        expect(b.result.totals.events).to.equal(count);
        fourReports.push(b);

        // The single-worker path counts the same (its example lines may come from other shards).
        const alone = (await single.runIteration()).report;
        const counts = (r: StoredReport) =>
          r.result.rows.map((row) => [row.region, row.page, row.count]);
        expect(alone.result.totals).to.deep.equal(b.result.totals);
        expect(counts(alone)).to.deep.equal(counts(b));
        expect(alone.window).to.deep.equal(b.window);
      }
      const ids = (
        await Promise.all(fourReports.map((r) => idsInWindows(stream, r.window)))
      ).flat();
      expect(ids.length).to.equal(next);
      expect(new Set(ids).size).to.equal(next);
      // A report made by workers reruns on one process over its stored windows.
      const rerunner = new Analyzer({
        name: 'four',
        stream,
        store: four.store,
        minCallIntervalMs: 0,
        topN: 20,
      });
      const rerun = (await rerunner.rerunIteration(2)).report;
      rerunner.close();
      expect(rerun.window).to.deep.equal(fourReports[1]!.window);
      expect(rerun.result.totals).to.deep.equal(fourReports[1]!.result.totals);
      // Every worker held some shards by the end.
      const held = four.workers.map((w) => w.coordinator.heldKeys().length);
      expect(held.reduce((x, y) => x + y)).to.equal(64);
    } finally {
      await one.close();
      await four.close();
      single.close();
    }
  });

  it('a split and a merge while 3 workers run: counts exact', async () => {
    const stream = await createTestStream(4);
    const three = await group(stream, 'three', 3);
    let next = 0;
    const reports: StoredReport[] = [];
    try {
      await putNumbered(client, stream, next, (next += 400));
      reports.push((await three.run())[0]!.report);
      await splitFirst(client, stream);
      await putNumbered(client, stream, next, (next += 400));
      reports.push((await three.run())[0]!.report);
      await mergeFirstAdjacent(client, stream);
      await putNumbered(client, stream, next, (next += 400));
      reports.push((await three.run())[0]!.report);
      await putNumbered(client, stream, next, (next += 400));
      reports.push((await three.run())[0]!.report);
      for (const r of reports) {
        expect(r.result.totals.events).to.equal(400);
      }
      const ids = (await Promise.all(reports.map((r) => idsInWindows(stream, r.window)))).flat();
      expect(ids.length).to.equal(next);
      expect(new Set(ids).size).to.equal(next);
    } finally {
      await three.close();
    }
  });
});
