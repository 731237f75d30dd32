import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '@kinlog/core';
import { createTestStream } from '@kinlog/testkit';
import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'chai';
import {
  Analyzer,
  DynamoCheckpointStore,
  STORED_REPORT_FORMAT,
  type StoredReport,
} from '../../src/index.js';
import { StreamReadError } from '../../src/errors.js';
import type { ShardSource } from '../../src/stream/kinesis-shard-source.js';
import type { LeaseWorker } from '../../src/lease/lease-worker.js';
import { leaseTables, testLeaseWorker } from '../support/lease-fixtures.js';
import {
  freshTables,
  idsInWindows,
  kinesis,
  mergeFirstAdjacent,
  putNumbered,
  splitFirst,
} from '../support/stream-fixtures.js';

const FAILOVER_MS = 1_500;

/** A stored report without what differs by run: times, name and which workers made it. */
function comparable(report: StoredReport) {
  const { startedAt: _s, finishedAt: _f, leased: _l, name: _n, ...rest } = report;
  return rest;
}

describe('lease workers (local Kinesis + DynamoDB)', function () {
  this.timeout(240_000);
  const client = kinesis();
  const ddb = new DynamoDBClient(awsClientConfig());
  after(() => {
    client.destroy();
    ddb.destroy();
  });

  async function group(
    stream: string,
    name: string,
    count: number,
    options: { failoverMs?: number } = {},
  ) {
    const tables = await leaseTables(ddb);
    const { store, source } = tables;
    const make = (i: number) =>
      testLeaseWorker(tables, stream, `${name}-w${i}`, {
        name,
        failoverMs: options.failoverMs ?? FAILOVER_MS,
      });
    const workers = Array.from({ length: count }, (_, i) => make(i));
    let made = count;
    const stopped: LeaseWorker[] = [];
    return {
      store,
      workers,
      run: () => Promise.all(workers.map((w) => w.runIteration())),
      /** A worker joins (it takes leases from its first iteration on). */
      join: () => workers.push(make(made++)),
      /** The i-th worker stops: handing its leases back, or (crash) just no longer renewing. */
      leave: async (i: number, how: 'close' | 'crash') => {
        const [gone] = workers.splice(i, 1);
        stopped.push(gone!);
        await (how === 'close' ? gone!.close() : gone!.coordinator.stop());
      },
      close: async () => {
        await Promise.all([...workers, ...stopped].map((w) => w.close()));
        source.close();
        store.close();
      },
    };
  }

  it('64 shards, 5 iterations: 4 workers store the reports 1 worker stores, every record once', async function () {
    // About 2 minutes on a busy 2-core machine (kinesalite and dynalite share it).
    this.timeout(480_000);
    const stream = await createTestStream(64);
    // No lease changes hands here: a longer failover keeps 64 renewals per tick off the store.
    const one = await group(stream, 'one', 1, { failoverMs: 9_000 });
    const four = await group(stream, 'four', 4, { failoverMs: 9_000 });
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
      for (let i = 1; i <= 5; i++) {
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
        expect(comparable(b)).to.deep.equal(comparable(a));
        expect(b.leased?.boundedShards).to.deep.equal([]);
        const total = b.window.reduce((s, w) => s + w.records, 0);
        expect(total).to.equal(count);
        expect(b.result.totals.events).to.equal(count);
        fourReports.push(b);

        // The single-worker path stores the same report: format, window, decode and format
        // counts, rows, totals and key history.
        const alone = (await single.runIteration()).report;
        expect(b.formatVersion).to.equal(STORED_REPORT_FORMAT);
        expect(b.formats?.counts).to.deep.equal(alone.formats?.counts);
        expect(comparable(b)).to.deep.equal(comparable(alone));
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

  it('workers joining and leaving between iterations: leases rebalance to within one of even', async () => {
    const shards = 16;
    const stream = await createTestStream(shards);
    // Short lease times: a tick every 200 ms, a silent lease taken after 600 ms.
    const g = await group(stream, 'churn', 2, { failoverMs: 600 });
    let next = 0;
    const reports: StoredReport[] = [];
    /** Lease counts of the running workers once they settle within one of even. */
    const settled = async (): Promise<number[]> => {
      const counts = () => g.workers.map((w) => w.coordinator.heldKeys().length);
      // Bounded wait for the background ticks (each steals at most one lease per worker).
      for (let round = 0; round < 300; round++) {
        const held = counts();
        const total = held.reduce((x, y) => x + y, 0);
        if (total === shards && Math.max(...held) - Math.min(...held) <= 1) return held;
        await delay(50);
      }
      return counts();
    };
    const iterate = async () => {
      await putNumbered(client, stream, next, (next += 300));
      const outs = await g.run();
      for (const out of outs) expect(out.report).to.deep.equal(outs[0]!.report);
      expect(outs[0]!.report.result.totals.events).to.equal(300);
      reports.push(outs[0]!.report);
      return settled();
    };
    const even = (held: number[]) => {
      expect(held.reduce((x, y) => x + y, 0)).to.equal(shards);
      expect(Math.max(...held) - Math.min(...held)).to.be.at.most(1);
      expect(Math.min(...held)).to.be.at.least(Math.floor(shards / held.length));
    };
    try {
      even(await iterate()); // 2 workers: 8 + 8
      g.join();
      g.join();
      const four = await iterate();
      expect(four).to.have.length(4);
      even(four); // 4 + 4 + 4 + 4: the newcomers stole their share
      g.join();
      even(await iterate()); // 5 workers: 4 + 3 + 3 + 3 + 3
      await g.leave(0, 'close');
      even(await iterate()); // a worker left, handing its leases back
      await g.leave(1, 'crash');
      const three = await iterate();
      expect(three).to.have.length(3);
      even(three); // a crashed worker's leases expired and were taken
      const ids = (await Promise.all(reports.map((r) => idsInWindows(stream, r.window)))).flat();
      expect(ids.length).to.equal(next);
      expect(new Set(ids).size).to.equal(next);
    } finally {
      await g.close();
    }
  });

  it('a shard listing dropped on the way is tried again, not the iteration failed', async () => {
    const stream = await createTestStream(2);
    await putNumbered(client, stream, 0, 50);
    const tables = await leaseTables(ddb);
    const { store, source: inner } = tables;
    let listings = 0;
    const source: ShardSource = {
      listShards: (s) =>
        ++listings === 1
          ? Promise.reject(new StreamReadError('ListShards failed: socket hang up', true))
          : inner.listShards(s),
      getIterator: (...args) => inner.getIterator(...args),
      getRecords: (...args) => inner.getRecords(...args),
      close: () => inner.close(),
    };
    const worker = testLeaseWorker(tables, stream, 'flaky-w0', { name: 'flaky', source });
    try {
      const out = await worker.runIteration();
      expect(out.report.result.totals.events).to.equal(50);
      expect(listings).to.be.at.least(2);
    } finally {
      await worker.close();
      inner.close();
      store.close();
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
