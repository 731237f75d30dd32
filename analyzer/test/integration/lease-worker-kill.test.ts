import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '@kinlog/core';
import { createTestStream } from '@kinlog/testkit';
import { expect } from 'chai';
import { DynamoCheckpointStore, type StoredReport } from '../../src/index.js';
import { DynamoLeaseStore } from '../../src/lease/dynamo-lease-store.js';
import { freshTables, idsInWindows, kinesis, putNumbered } from '../support/stream-fixtures.js';

const ANALYZE_CLI = fileURLToPath(new URL('../support/analyze-cli.js', import.meta.url));
const FAILOVER_MS = 1_500;
const SHARDS = 64;
const RECORDS = 6_400;

interface Worker {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>;
}

function spawnWorker(args: readonly string[]): Worker {
  const child = spawn(process.execPath, [ANALYZE_CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>(
    (resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal, out: out + (err && `\n${err}`) })),
  );
  return { child, done };
}

describe('kinlog analyze --workers (spawned processes)', function () {
  this.timeout(300_000);
  const client = kinesis();
  const ddb = new DynamoDBClient(awsClientConfig());
  after(() => {
    client.destroy();
    ddb.destroy();
  });

  it('4 workers, one SIGKILLed mid-iteration: the others finish it, and the report equals a crash-free one', async () => {
    const stream = await createTestStream(SHARDS);
    await putNumbered(client, stream, 0, RECORDS);
    const args = (name: string, tables: ReturnType<typeof freshTables>, leases: string) => [
      '--stream',
      stream,
      '--name',
      name,
      '--checkpoints-table',
      tables.checkpointsTable,
      '--iterations-table',
      tables.iterationsTable,
      '--workers',
      '--leases-table',
      leases,
      '--failover-ms',
      String(FAILOVER_MS),
      '--format',
      'json',
      '--top',
      '20',
    ];

    // Crash-free reference: one worker alone.
    const refTables = freshTables();
    const ref = spawnWorker([
      ...args('ref', refTables, `leases-${refTables.iterationsTable}`),
      '--create-tables',
      '--worker-id',
      'ref',
    ]);
    const refDone = await ref.done;
    expect(refDone.code, refDone.out).to.equal(0);
    const reference = JSON.parse(refDone.out.split('\n')[0]!) as StoredReport;

    const tables = freshTables();
    const leasesTable = `leases-${tables.iterationsTable}`;
    const setup = new DynamoCheckpointStore(tables);
    await setup.createTables();
    const leaseStore = new DynamoLeaseStore({ client: ddb, leasesTable });
    await leaseStore.createTable();
    const workers = ['w0', 'w1', 'w2', 'w3'].map((id) =>
      spawnWorker([...args('crash', tables, leasesTable), '--worker-id', id]),
    );
    // Kill a worker once it has published a partial but still holds unread shards.
    let victim = -1;
    for (let i = 0; i < 3_000 && victim < 0; i++) {
      const leases = await leaseStore.listLeases('crash').catch(() => []);
      victim = workers.findIndex((_, w) => {
        const held = leases.filter((l) => l.owner === `w${w}`);
        const published = held.filter((l) => l.partial?.iteration === 1).length;
        return published >= 1 && published < held.length;
      });
      if (victim >= 0) workers[victim]!.child.kill('SIGKILL');
      else await delay(10);
    }
    expect(victim, 'no worker held unread shards after a first partial').to.be.at.least(0);
    const ends = await Promise.all(workers.map((w) => w.done));
    expect(ends[victim]!.signal).to.equal('SIGKILL');
    const reports = ends
      .filter((_, w) => w !== victim)
      .map((e) => {
        expect(e.code, e.out).to.equal(0);
        return JSON.parse(e.out.split('\n')[0]!) as StoredReport;
      });
    const stored = (await setup.getReport('crash', 1))!;
    setup.close();
    for (const r of reports) expect(r).to.deep.equal(stored);
    expect(stored.result).to.deep.equal(reference.result);
    expect(stored.window).to.deep.equal(reference.window);
    expect(stored.result.totals.events).to.equal(RECORDS);
    const ids = await idsInWindows(stream, stored.window);
    expect(new Set(ids).size).to.equal(RECORDS);
    expect(ids.length).to.equal(RECORDS);
    // The killed worker's leases were taken over by the survivors.
    const owners = new Set((await leaseStore.listLeases('crash')).map((l) => l.owner));
    expect(owners.has(`w${victim}`)).to.equal(false);
  });
});
