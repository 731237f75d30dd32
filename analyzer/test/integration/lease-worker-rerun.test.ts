import { PassThrough } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Command } from 'commander';
import { awsClientConfig } from '@kinlog/core';
import { createTestStream } from '@kinlog/testkit';
import { expect } from 'chai';
import { Analyzer } from '../../src/index.js';
import { analyzeCommand } from '../../src/cli/analyze-command.js';
import { leaseTables, testLeaseWorker } from '../support/lease-fixtures.js';
import { kinesis, putNumbered } from '../support/stream-fixtures.js';

/** `kinlog analyze` in this process, its JSON output parsed. */
async function analyzeJson(args: string[]): Promise<unknown> {
  let out = '';
  const stdout = new PassThrough().on('data', (c: Buffer) => (out += c.toString()));
  const stderr = new PassThrough().resume();
  const program = new Command('kinlog').exitOverride();
  program.addCommand(analyzeCommand({ signal: new AbortController().signal, stdout, stderr }));
  await program.parseAsync(['node', 'kinlog', 'analyze', ...args]);
  return JSON.parse(out) as unknown;
}

describe('lease workers rerun an iteration over its stored cut (local Kinesis + DynamoDB)', function () {
  this.timeout(120_000);
  const client = kinesis();
  const ddb = new DynamoDBClient(awsClientConfig());
  after(() => {
    client.destroy();
    ddb.destroy();
  });

  it('a rerun of k on 2 workers, then on 1, gives the stored report of k; nothing is written to k', async () => {
    const stream = await createTestStream(4);
    const tables = await leaseTables(ddb);
    const { store, leases, source } = tables;
    const make = (i: number) => testLeaseWorker(tables, stream, `w${i}`);
    const workers = [make(0), make(1)];
    try {
      await putNumbered(client, stream, 0, 400);
      await Promise.all(workers.map((w) => w.runIteration()));
      await putNumbered(client, stream, 400, 730);
      const [made] = await Promise.all(workers.map((w) => w.runIteration()));
      expect(made!.iteration).to.equal(2);
      const stored = (await store.getReport('web', 2))!;
      expect(stored.result.totals.events).to.equal(330);
      // More records after k: a rerun must stop at k's stored ends, not at the stream's tip.
      await putNumbered(client, stream, 730, 800);

      const byTwo = await Promise.all(workers.map((w) => w.rerunIteration(2)));
      for (const out of byTwo) {
        expect(out.iteration).to.equal(2);
        expect(out.countedByOtherDetector).to.equal(undefined);
        expect(out.report).to.deep.equal(stored);
      }
      // Both workers took part in one replay, which the last one to leave removed.
      const replayGone = async () => {
        expect(await leases.latestCut('web#rerun-2')).to.equal(undefined);
        expect(await leases.listLeases('web#rerun-2')).to.deep.equal([]);
        expect(await leases.listWorkers('web#rerun-2')).to.deep.equal([]);
      };
      await replayGone();

      // Later, one worker alone: a new replay, read again, same report, removed again.
      const alone = await make(2).rerunIteration(2);
      expect(alone.report).to.deep.equal(stored);
      await replayGone();

      // kinlog analyze --workers --iteration 2 on two "hosts" at once: the same stored report.
      const viaCli = await Promise.all(
        ['cli-a', 'cli-b'].map((id) =>
          analyzeJson([
            '--stream',
            stream,
            '--name',
            'web',
            '--checkpoints-table',
            tables.names.checkpointsTable,
            '--iterations-table',
            tables.names.iterationsTable,
            '--leases-table',
            tables.leasesTable,
            '--workers',
            '--worker-id',
            id,
            '--failover-ms',
            '1500',
            '--iteration',
            '2',
            '--format',
            'json',
          ]),
        ),
      );
      for (const out of viaCli) expect(out).to.deep.equal(JSON.parse(JSON.stringify(stored)));

      // A single process's rerun agrees; the iteration itself is untouched.
      const single = new Analyzer({ name: 'web', stream, store, source, minCallIntervalMs: 0 });
      expect((await single.rerunIteration(2)).report.result).to.deep.equal(stored.result);
      expect(await store.getReport('web', 2)).to.deep.equal(stored);
      expect((await store.latestIteration('web'))?.iteration).to.equal(2);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      leases.close();
      source.close();
      store.close();
    }
  });
});
