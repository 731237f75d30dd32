import { PassThrough } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { Command } from 'commander';
import { ConfigError } from '@kinlog/core';
import { createTestStream } from '@kinlog/testkit';
import { expect } from 'chai';
import { analyzeCommand } from '../../src/index.js';
import { freshTables, kinesis, putNumbered } from '../support/stream-fixtures.js';

/** Long enough for the records put to be older than the start of a --since 0m read. */
const OLDER_THAN_NOW_MS = 50;

async function run(args: string[]): Promise<string> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  const program = new Command('kinlog').exitOverride();
  program.addCommand(
    analyzeCommand({ signal: new AbortController().signal, stdout, stderr: new PassThrough() }),
  );
  await program.parseAsync(['node', 'kinlog', 'analyze', ...args]);
  return out;
}

describe('kinlog analyze', function () {
  this.timeout(30_000);

  it('creates the tables, runs iterations, reruns one, prints table and JSON', async () => {
    const stream = await createTestStream(2);
    const client = kinesis();
    await putNumbered(client, stream, 0, 120);
    client.destroy();
    const t = freshTables();
    const common = [
      '--stream',
      stream,
      '--name',
      'cli',
      '--checkpoints-table',
      t.checkpointsTable,
      '--iterations-table',
      t.iterationsTable,
    ];
    const first = JSON.parse(await run([...common, '--create-tables', '--format', 'json'])) as {
      iteration: number;
      result: { totals: { events: number } };
    };
    expect(first.iteration).to.equal(1);
    expect(first.result.totals.events).to.equal(120);
    const table = await run([...common, '--iteration', '1', '--top', '3']);
    expect(table).to.match(/120 records \(json 120; detector v\d+\), 120 errors/);
    expect(table.split('\n').filter((l) => /^\d+ /.test(l))).to.have.length(3);
  });

  it('lease options need --workers, and --workers shares iterations, not --whole-stream', async () => {
    const err = await run([
      '--stream',
      'logs',
      '--name',
      'web',
      '--worker-id',
      'a',
      '--failover-ms',
      '5',
      '--leases-table',
      'leases',
    ]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ConfigError);
    const messages = (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
    expect(messages).to.include.members([
      '--worker-id: needs --workers',
      '--leases-table: needs --workers',
    ]);
    expect(messages.some((m) => m.startsWith('--failover-ms: must be an integer ≥ 30'))).to.equal(
      true,
    );
    const whole = await run([
      '--stream',
      'logs',
      '--name',
      'web',
      '--workers',
      '--whole-stream',
    ]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((whole as ConfigError).problems.map((p) => p.path)).to.include('--workers');
  });

  it('reports every invalid option at once', async () => {
    try {
      await run(['--stream', 'bad name!', '--top', '0', '--since', 'yesterday', '--every', '7x']);
      expect.fail('accepted invalid options');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const paths = (err as ConfigError).problems.map((p) => p.path);
      expect(paths).to.include.members(['--stream', '--top', '--name', '--since', '--every']);
    }
  });

  it('names the schedule option and the expression when a schedule is invalid', async () => {
    const problems = async (args: string[]): Promise<string[]> => {
      try {
        await run(['--stream', 's', '--name', 'n', ...args]);
      } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        return (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
      }
      return expect.fail(`accepted ${args.join(' ')}`);
    };
    expect(await problems(['--cron', '0 8 * * MOON'])).to.have.members([
      '--cron: "0 8 * * MOON" is not a valid cron expression: configuration entry 5 (MOON) contains illegal characters.',
    ]);
    expect((await problems(['--every', '61 * * * *']))[0]).to.match(/^--every: "61 \* \* \* \*"/);
    expect(await problems(['--cron', '5m'])).to.have.members([
      '--cron: "5m" is a duration: use --every 5m',
    ]);
    expect(await problems(['--cron', '@daily', '--tz', 'Mars/Base'])).to.have.members([
      '--tz: "Mars/Base" is not an IANA time zone (e.g. Europe/Berlin, UTC)',
    ]);
    expect(await problems(['--every', '5m', '--tz', 'UTC'])).to.have.members([
      '--tz: applies to a cron schedule (--cron, or --every with a cron expression)',
    ]);
    expect(await problems(['--every', '5m', '--cron', '@daily'])).to.have.members([
      '--cron: cannot be used with --every (one schedule per run)',
    ]);
  });

  it('--whole-stream --since 0m ends with an empty report when nothing arrived since', async () => {
    const stream = await createTestStream(2);
    const client = kinesis();
    await putNumbered(client, stream, 0, 20);
    client.destroy();
    // Arrival times are compared by the millisecond: the records are all older than "now".
    await delay(OLDER_THAN_NOW_MS);
    const out = JSON.parse(
      await run(['--stream', stream, '--whole-stream', '--since', '0m', '--format', 'json']),
    ) as { result: { totals: { events: number } } };
    expect(out.result.totals.events).to.equal(0);
  });
});
