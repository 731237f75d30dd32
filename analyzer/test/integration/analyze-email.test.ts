import { createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { Command } from 'commander';
import type { SMTPServerOptions } from 'smtp-server';
import { expect } from 'chai';
import { ConfigError } from '@kinlog/core';
import { createTestStream } from '@kinlog/testkit';
import { analyzeCommand } from '../../src/cli/analyze-command.js';
import { DynamoCheckpointStore } from '../../src/checkpoint/dynamo-checkpoint-store.js';
import { IterationStatuses } from '../../src/checkpoint/stored-items.js';
import { EmailClaimStore } from '../../src/report-delivery/email-claim-store.js';
import { startSmtpServer, type TestSmtpServer } from '../support/report-email-fixtures.js';
import { freshTables, kinesis, putNumbered } from '../support/stream-fixtures.js';

const PASSWORD = 'hunter2-Secret/%';
const WAIT_LIMIT_MS = 15_000;

/** `kinlog analyze` in this process; `stop()` aborts it (between ticks on a schedule). */
interface AnalyzeRun {
  readonly done: Promise<void>;
  stdout(): string;
  stderr(): string;
  stop(): void;
}

function startAnalyze(args: string[]): AnalyzeRun {
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

/** A plain server that takes any user, so the URL can carry a password to keep out of output. */
const ANY_USER: SMTPServerOptions = {
  allowInsecureAuth: true,
  onAuth(auth, _session, callback) {
    callback(null, { user: auth.username });
  },
};

async function waitFor(what: string, ready: () => boolean): Promise<void> {
  const until = Date.now() + WAIT_LIMIT_MS;
  while (!ready()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 1;
}

describe('kinlog analyze --email', function () {
  this.timeout(30_000);
  let smtp: TestSmtpServer | undefined;
  let stream: string;
  let tables: ReturnType<typeof freshTables>;
  let store: DynamoCheckpointStore;
  let claims: EmailClaimStore;
  const smtpUrl = (): string =>
    `smtp://ana:${encodeURIComponent(PASSWORD)}@127.0.0.1:${smtp?.port}`;
  const common = (): string[] => [
    '--stream',
    stream,
    '--name',
    'web',
    '--checkpoints-table',
    tables.checkpointsTable,
    '--iterations-table',
    tables.iterationsTable,
    '--email',
    'ops@example.com,dev@example.com',
    '--from',
    'kinlog@example.com',
  ];
  const subjects = (): string[] => (smtp?.messages ?? []).map((m) => m.subject ?? '');

  beforeEach(async () => {
    stream = await createTestStream(1);
    const client = kinesis();
    await putNumbered(client, stream, 0, 30);
    client.destroy();
    tables = freshTables();
    store = new DynamoCheckpointStore(tables);
    claims = new EmailClaimStore(tables);
    await store.createTables();
  });

  afterEach(async () => {
    store.close();
    claims.close();
    await smtp?.close();
    smtp = undefined;
  });

  it('a single run commits the iteration and emails its report once', async () => {
    smtp = await startSmtpServer(ANY_USER);
    const run = startAnalyze([...common(), '--smtp-url', smtpUrl()]);
    await run.done;
    expect(run.stdout()).to.match(/30 records \(json 30; detector v\d+\), 30 errors/);
    expect(subjects()).to.have.length(1);
    expect(subjects()[0]).to.match(
      /^\[kinlog\] web #1: 30 errors, top: (AP|EU|US) \/p\/:id error$/,
    );
    expect(smtp.envelopes[0]).to.deep.equal(['ops@example.com', 'dev@example.com']);
    expect(smtp.messages[0]?.from?.text).to.equal('kinlog@example.com');
    expect(run.stderr()).to.match(
      /^emailed web #1 to ops@example.com, dev@example.com: \[kinlog\]/m,
    );
    expect((await claims.state('web', 1))?.emailSentAt).to.be.a('string');
  });

  it('--every sends each iteration as it commits, one email per iteration', async () => {
    smtp = await startSmtpServer(ANY_USER);
    const run = startAnalyze([...common(), '--every', '1s', '--smtp-url', smtpUrl()]);
    await waitFor('three emails', () => /emailed web #3/.test(run.stderr()));
    // The password inside --smtp-url is visible in ps: said once, however many iterations.
    expect(run.stderr().match(/warning: the SMTP password in --smtp-url/g)).to.have.length(1);
    expect(run.stderr()).to.include('SMTP_PASSWORD').and.not.include(PASSWORD);
    run.stop();
    await run.done;
    expect(subjects()).to.have.length(3);
    expect(subjects()[0]).to.match(/^\[kinlog\] web #1: 30 errors/);
    expect(subjects().slice(1)).to.deep.equal([
      '[kinlog] web #2: no errors',
      '[kinlog] web #3: no errors',
    ]);
    for (const n of [1, 2, 3])
      expect((await claims.state('web', n))?.emailSentAt).to.be.a('string');
  });

  it('an SMTP failure on one tick is sent on the next, exactly once', async () => {
    let refusals = 1;
    smtp = await startSmtpServer({
      ...ANY_USER,
      onMailFrom(_address, _session, callback) {
        if (refusals-- > 0) {
          const refused = Object.assign(new Error('mailbox busy, try again later'), {
            responseCode: 451,
          });
          callback(refused);
        } else callback();
      },
    });
    const run = startAnalyze([...common(), '--every', '1s', '--smtp-url', smtpUrl()]);
    await waitFor('iteration 3 emailed', () => /emailed web #3/.test(run.stderr()));
    run.stop();
    await run.done;
    expect(subjects().map((s) => /#\d+/.exec(s)?.[0])).to.deep.equal(['#1', '#2', '#3']);
    const failures = run
      .stderr()
      .split('\n')
      .filter((l) => /retrying at the next tick/.test(l));
    expect(failures, run.stderr()).to.have.length(1);
    expect(failures[0]).to.match(/^emailing web #1: SMTP sending through 127\.0\.0\.1:\d+: /);
    expect(run.stderr()).not.to.include('hunter2');
    expect(run.stderr().match(/emailed web #1 /g)).to.have.length(1);
    for (const n of [1, 2, 3])
      expect((await claims.state('web', n))?.emailSentAt).to.be.a('string');
  });

  it('a single run whose email fails exits with the error after committing; the next run sends it', async () => {
    const refused = startAnalyze([
      ...common(),
      '--smtp-url',
      `smtp://ana:${encodeURIComponent(PASSWORD)}@127.0.0.1:${await closedPort()}`,
    ]);
    try {
      await refused.done;
      expect.fail('a failed email went unnoticed');
    } catch (err) {
      expect((err as Error).message).to.match(
        /^emailing web #1: SMTP connecting to 127\.0\.0\.1:\d+: connection refused/,
      );
      expect((err as Error).message).not.to.match(/hunter2|[\r\n]/);
    }
    expect(refused.stdout()).to.match(/30 records \(json 30; detector v\d+\), 30 errors/);
    expect((await store.getIteration('web', 1))?.status).to.equal(IterationStatuses.committed);
    const state = await claims.state('web', 1);
    expect(state?.emailSentAt).to.equal(undefined);
    expect(state?.emailClaimBy).to.equal(undefined);

    smtp = await startSmtpServer(ANY_USER);
    const next = startAnalyze([...common(), '--smtp-url', smtpUrl()]);
    await next.done;
    expect(subjects().map((s) => /#\d+/.exec(s)?.[0])).to.deep.equal(['#1', '#2']);
  });

  it('refuses --email with --iteration, naming the option', async () => {
    for (const extra of [['--iteration', '1']]) {
      try {
        await startAnalyze([...common(), '--smtp-url', 'smtp://127.0.0.1:1', ...extra]).done;
        expect.fail('accepted --email with ' + extra[0]);
      } catch (err) {
        expect(err).to.be.instanceOf(ConfigError);
        const paths = (err as ConfigError).problems.map((p) => p.path);
        expect(paths).to.include('--email');
      }
    }
  });
});
