import { PassThrough } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { Command } from 'commander';
import { expect } from 'chai';
import { awsClientConfig, ConfigError } from '@kinlog/core';
import { createTestStream } from '@kinlog/testkit';
import { analyzeCommand } from '../../src/cli/analyze-command.js';
import { DynamoCheckpointStore } from '../../src/checkpoint/dynamo-checkpoint-store.js';
import { ReportKinds } from '../../src/checkpoint/stored-items.js';
import { IterationNotFoundError, RunNotFoundError } from '../../src/errors.js';
import { EmailClaimStore } from '../../src/report-delivery/email-claim-store.js';
import {
  runReport,
  startSmtpServer,
  type TestSmtpServer,
} from '../support/report-email-fixtures.js';
import { freshTables, kinesis, putNumbered } from '../support/stream-fixtures.js';

const WAIT_LIMIT_MS = 20_000;

/** `kinlog analyze` in this process; `stop()` aborts it (between ticks on a schedule). */
function startAnalyze(args: string[]) {
  const controller = new AbortController();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const program = new Command('kinlog').exitOverride();
  program.addCommand(analyzeCommand({ signal: controller.signal, stdout, stderr }));
  const done = program.parseAsync(['node', 'kinlog', 'analyze', ...args]).then(() => undefined);
  return { done, stdout: () => out, stderr: () => err, stop: () => controller.abort() };
}

async function waitFor(what: string, ready: () => boolean): Promise<void> {
  const until = Date.now() + WAIT_LIMIT_MS;
  while (!ready()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

describe('kinlog analyze --whole-stream --every/--email (stored runs)', function () {
  this.timeout(60_000);
  let smtp: TestSmtpServer;
  let stream: string;
  let tables: ReturnType<typeof freshTables>;
  let store: DynamoCheckpointStore;
  let claims: EmailClaimStore;
  const ddb = new DynamoDBClient(awsClientConfig());
  const common = (): string[] => [
    '--stream',
    stream,
    '--name',
    'web',
    '--whole-stream',
    '--checkpoints-table',
    tables.checkpointsTable,
    '--iterations-table',
    tables.iterationsTable,
    '--email',
    'ops@example.com',
    '--from',
    'kinlog@example.com',
    '--smtp-url',
    `smtp://127.0.0.1:${smtp.port}`,
  ];
  const report = (args: string[]) =>
    runReport(['--name', 'web', '--iterations-table', tables.iterationsTable, ...args]);
  const subjects = (): string[] => smtp.messages.map((m) => m.subject ?? '');

  before(async () => {
    stream = await createTestStream(2);
    tables = freshTables();
    store = new DynamoCheckpointStore(tables);
    claims = new EmailClaimStore(tables, ReportKinds.run);
    await store.createTables();
    smtp = await startSmtpServer();
  });

  after(async () => {
    store.close();
    claims.close();
    ddb.destroy();
    await smtp.close();
  });

  it('stores runs 1 and 2, emails each once; a restart emails only its own run; no checkpoint', async () => {
    const client = kinesis();
    try {
      await putNumbered(client, stream, 0, 30);
      const every = startAnalyze([...common(), '--every', '1s']);
      await waitFor('run 2 emailed', () => /emailed web run 2 /.test(every.stderr()));
      every.stop();
      await every.done;
      expect(every.stdout()).to.match(/web run 1 \(whole stream\)/);
      expect(every.stdout()).to.match(/web run 2 \(whole stream\)/);
      for (const run of [1, 2]) {
        expect((await store.getRun('web', run))?.result.totals.errors, `run ${run}`).to.equal(30);
        expect((await claims.state('web', run))?.emailSentAt, `run ${run}`).to.be.a('string');
      }

      // The restart's run reads 12 records more: a window of its own, emailed once.
      await putNumbered(client, stream, 30, 42);
      const restart = startAnalyze(common());
      await restart.done;
      expect(restart.stderr()).to.match(/^emailed web run 3 to ops@example.com: /m);
      expect(restart.stderr()).not.to.match(/emailed web run [12] /);
    } finally {
      client.destroy();
    }
    const numbers = subjects().map((s) => /^\[kinlog\] web (run \d+): (\d+) errors/.exec(s));
    expect(numbers.map((m) => [m?.[1], m?.[2]])).to.deep.equal([
      ['run 1', '30'],
      ['run 2', '30'],
      ['run 3', '42'],
    ]);
    expect((await store.getRun('web', 3))?.run).to.deep.equal({ since: null });

    // Runs are neither iterations nor checkpointed.
    expect(await store.latestIteration('web')).to.equal(undefined);
    const checkpoints = await ddb.send(
      new ScanCommand({ TableName: tables.checkpointsTable, Select: 'COUNT' }),
    );
    expect(checkpoints.Count).to.equal(0);
  });

  it('kinlog report --run renders a stored run in every format; --run alone is the latest', async () => {
    const stored = (await store.getRun('web', 1))!;
    const json = JSON.parse((await report(['--run', '1', '--format', 'json'])).stdout) as {
      iteration: number;
      run: { since: string | null };
      totals: { errors: number };
      rows: { region: string; page: string; count: number }[];
    };
    expect(json.iteration).to.equal(1);
    expect(json.run).to.deep.equal({ since: null });
    expect(json.totals.errors).to.equal(30);
    expect(json.rows.map((r) => [r.region, r.page, r.count])).to.deep.equal(
      stored.result.rows.slice(0, 10).map((r) => [r.region, r.page, r.count]),
    );
    expect((await report(['--run', '1'])).stdout).to.match(/^kinlog report web run 1 · stream /);
    const csv = (await report(['--run', '1', '--format', 'csv'])).stdout;
    expect(csv.split('\r\n').filter((l) => l.startsWith('top,'))).to.have.length(
      Math.min(10, stored.result.rows.length),
    );
    const html = (await report(['--run', '1', '--format', 'html'])).stdout;
    expect(html)
      .to.match(/^<!DOCTYPE html>/)
      .and.include('stored report of run 1');
    for (const latest of [['--run'], ['--run', 'latest']]) {
      const out = JSON.parse((await report([...latest, '--format', 'json'])).stdout) as {
        iteration: number;
        run?: unknown;
        totals: { errors: number };
      };
      expect([out.iteration, out.run, out.totals.errors], latest.join(' ')).to.deep.equal([
        3,
        { since: null },
        42,
      ]);
    }
  });

  it('kinlog report --run --email sends a run once; --resend sends it again', async () => {
    const email = ['--email', 'ops@example.com', '--smtp-url', `smtp://127.0.0.1:${smtp.port}`];
    const before = smtp.messages.length;
    const again = await report(['--run', '2', ...email]);
    expect(again.stderr).to.match(/^web run 2 was emailed at .*; kinlog report --resend/);
    expect(smtp.messages.length).to.equal(before);
    const resent = await report(['--run', '2', ...email, '--resend']);
    expect(resent.stderr).to.match(/^emailed web run 2 to ops@example.com: \[kinlog\] web run 2: /);
    expect(smtp.messages.length).to.equal(before + 1);
  });

  it('kinlog report says what a name with only runs has, and which runs exist', async () => {
    try {
      await report([]);
      expect.fail('reported an iteration of a name that has only runs');
    } catch (err) {
      expect(err).to.be.instanceOf(IterationNotFoundError);
      expect((err as Error).message).to.include(
        'web has whole-stream runs 1 to 3: kinlog report --name web --run 3',
      );
    }
    try {
      await report(['--run', '9']);
      expect.fail('reported a run never stored');
    } catch (err) {
      expect(err).to.be.instanceOf(RunNotFoundError);
      expect((err as Error).message).to.equal('run 9 of web: not stored (runs 1 to 3 are)');
    }
  });

  it('asks for --name when runs would be stored, and refuses --run with --iteration', async () => {
    try {
      await startAnalyze(['--stream', stream, '--whole-stream', '--every', '1m']).done;
      expect.fail('stored runs without a name');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.path)).to.include('--name');
    }
    try {
      await report(['--run', '1', '--iteration', '1']);
      expect.fail('accepted --run with --iteration');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.path)).to.include('--run');
    }
  });
});
