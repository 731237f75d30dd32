/**
 * A lease worker stopped in the middle of an iteration (SIGINT to `kinlog analyze --workers`,
 * or close() in a program): it hands its leases back and ends without an error, and another
 * worker finishes the iteration at once (no failover wait).
 *
 * The iteration is held open on purpose: a "blocker" owns half of the leases and never reads,
 * so the stopped worker is always mid-iteration (its own shards read, the rest awaited).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '@kinlog/core';
import { createTestStream } from '@kinlog/testkit';
import { expect } from 'chai';
import { WorkerStoppedError } from '../../src/errors.js';
import { leaseKeyOf, type Lease } from '../../src/lease/lease-store.js';
import { leaseTables, testLeaseWorker } from '../support/lease-fixtures.js';
import { kinesis, putNumbered } from '../support/stream-fixtures.js';

const ANALYZE_CLI = fileURLToPath(new URL('../support/analyze-cli.js', import.meta.url));
const SHARDS = 8;
const RECORDS = 800;
/** Far longer than the test: only a lease handed back can be taken by another worker. */
const FAILOVER_MS = 600_000;

describe('a lease worker stopped mid-iteration (local Kinesis + DynamoDB)', function () {
  this.timeout(120_000);
  const client = kinesis();
  const ddb = new DynamoDBClient(awsClientConfig());
  after(() => {
    client.destroy();
    ddb.destroy();
  });

  /** A stream, tables, and half of its leases held by a worker that never reads. */
  async function setup() {
    const stream = await createTestStream(SHARDS);
    await putNumbered(client, stream, 0, RECORDS);
    const tables = await leaseTables(ddb);
    const { store, leasesTable, leases, source } = tables;
    const shards = await source.listShards(stream);
    await leases.ensureLeases(
      'web',
      shards.map((s) => ({ stream, shardId: s.shardId })),
    );
    const blocked: Lease[] = [];
    for (const lease of (await leases.listLeases('web')).slice(0, SHARDS / 2)) {
      blocked.push(await leases.takeLease('web', lease, 'blocker'));
    }
    /** Every shard but the blocked ones has a partial of iteration 1. */
    const othersRead = async () =>
      (await leases.listLeases('web')).filter((l) => l.partial?.iteration === 1).length ===
      SHARDS / 2;
    /** The blocker gives up; a fresh worker finishes iteration 1 with every record counted. */
    const finish = async () => {
      for (const lease of blocked) await leases.releaseLease('web', lease);
      const worker = testLeaseWorker(tables, stream, 'finisher', { failoverMs: FAILOVER_MS });
      try {
        const out = await worker.runIteration();
        expect(out.iteration).to.equal(1);
        expect(out.report.result.totals.events).to.equal(RECORDS);
        expect(out.report.window.map((w) => leaseKeyOf(stream, w.shardId)).sort()).to.deep.equal(
          shards.map((s) => leaseKeyOf(stream, s.shardId)).sort(),
        );
      } finally {
        await worker.close();
      }
    };
    const close = () => {
      source.close();
      store.close();
      leases.close();
    };
    return { stream, tables, leasesTable, leases, source, store, othersRead, finish, close };
  }

  it('SIGINT to `kinlog analyze --workers`: leases handed back, exit without an error', async () => {
    const s = await setup();
    try {
      const child = spawn(
        process.execPath,
        [
          ANALYZE_CLI,
          '--stream',
          s.stream,
          '--name',
          'web',
          '--checkpoints-table',
          s.tables.names.checkpointsTable,
          '--iterations-table',
          s.tables.names.iterationsTable,
          '--workers',
          '--leases-table',
          s.leasesTable,
          '--worker-id',
          'w0',
          '--failover-ms',
          String(FAILOVER_MS),
          '--format',
          'json',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], env: process.env },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      const ended = new Promise<number | null>((resolve) => child.on('exit', resolve));
      while (!(await s.othersRead())) await delay(20);
      const held = (await s.leases.listLeases('web')).filter((l) => l.owner === 'w0');
      expect(held).to.have.length(SHARDS / 2);
      child.kill('SIGINT');
      const code = await ended;
      expect(code, err).to.equal(0);
      expect(err).to.match(
        /worker w0 of web stopped during an iteration; its leases are handed back/,
      );
      expect(err).to.not.match(/AbortError|aborted/i);
      expect(out).to.equal('');
      // Handed back and unregistered: nobody has to wait for the failover time.
      const after = await s.leases.listLeases('web');
      expect(after.filter((l) => l.owner === 'w0')).to.deep.equal([]);
      expect((await s.leases.listWorkers('web')).map((w) => w.workerId)).to.not.include('w0');
      await s.finish();
    } finally {
      s.close();
    }
  });

  it('close() during runIteration: it rejects with WorkerStoppedError and the leases go back', async () => {
    const s = await setup();
    const worker = testLeaseWorker(s.tables, s.stream, 'w1', { failoverMs: FAILOVER_MS });
    try {
      const running = worker.runIteration().then(
        () => undefined,
        (e: unknown) => e,
      );
      while (!(await s.othersRead())) await delay(20);
      await worker.close();
      const err = await running;
      expect(err).to.be.instanceOf(WorkerStoppedError);
      expect((await s.leases.listLeases('web')).filter((l) => l.owner === 'w1')).to.deep.equal([]);
      // Closed for good: a later call says so at once.
      expect(
        await worker.runIteration().then(
          () => undefined,
          (e: unknown) => e,
        ),
      ).to.be.instanceOf(WorkerStoppedError);
      await s.finish();
    } finally {
      await worker.close();
      s.close();
    }
  });
});
