import { createServer } from 'node:net';
import { expect } from 'chai';
import { DynamoCheckpointStore } from '../../src/checkpoint/dynamo-checkpoint-store.js';
import { EmailClaimStore } from '../../src/report-delivery/email-claim-store.js';
import { sampleStoredReport } from '../support/report-fixtures.js';
import {
  runSupportScript,
  seedCommittedReport,
  startSmtpServer,
  type ProcessEnd,
  type TestSmtpServer,
} from '../support/report-email-fixtures.js';
import { freshTables } from '../support/stream-fixtures.js';

const PASSWORD = 'hunter2-Secret/%';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 1;
}

describe('kinlog report --email: SMTP failures', function () {
  this.timeout(30_000);
  let smtp: TestSmtpServer;
  let store: DynamoCheckpointStore;
  let claims: EmailClaimStore;
  let tables: ReturnType<typeof freshTables>;

  before(async () => {
    smtp = await startSmtpServer({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(_auth, _session, callback) {
        callback(new Error('Invalid username or password'));
      },
    });
    tables = freshTables();
    store = new DynamoCheckpointStore(tables);
    claims = new EmailClaimStore(tables);
    await store.createTables();
    await seedCommittedReport(store, sampleStoredReport('web', 1));
  });

  after(async () => {
    store.close();
    claims.close();
    await smtp.close();
  });

  async function expectCleanFailure(
    end: ProcessEnd,
    pattern: RegExp,
    name = 'web',
    server = smtp,
  ): Promise<void> {
    expect(end.code).to.equal(1);
    // Besides the warning about a password written inside --smtp-url: one line.
    const lines = end.stderr
      .trimEnd()
      .split('\n')
      .filter((l) => !l.includes('warning: the SMTP password in --smtp-url'));
    expect(lines, end.stderr).to.have.length(1);
    expect(lines[0]).to.match(pattern);
    expect(end.stderr + end.stdout).not.to.include('hunter2');
    expect(end.stderr + end.stdout).not.to.include(encodeURIComponent(PASSWORD));
    const state = await claims.state(name, 1);
    expect(state?.emailSentAt).to.equal(undefined);
    expect(state?.emailClaimBy).to.equal(undefined);
    expect(server.messages).to.have.length(0);
  }

  const run = (smtpArgs: string[], env: Record<string, string> = {}): Promise<ProcessEnd> =>
    runSupportScript(
      'report-cli',
      [
        '--name',
        'web',
        '--iterations-table',
        tables.iterationsTable,
        '--email',
        'ops@example.com',
        ...smtpArgs,
      ],
      env,
    );

  it('refused connection', async () => {
    const port = await closedPort();
    const end = await run([
      '--smtp-url',
      `smtp://ana:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`,
    ]);
    await expectCleanFailure(
      end,
      /^kinlog: SMTP connecting to 127\.0\.0\.1:\d+: connection refused/,
    );
  });

  it('authentication failure (URL password)', async () => {
    const end = await run([
      '--smtp-url',
      `smtp://ana:${encodeURIComponent(PASSWORD)}@127.0.0.1:${smtp.port}`,
    ]);
    await expectCleanFailure(end, /^kinlog: SMTP connecting to .*: authentication failed/);
  });

  it('authentication failure (SMTP_PASSWORD)', async () => {
    const end = await run(
      ['--smtp-host', '127.0.0.1', '--smtp-port', String(smtp.port), '--smtp-user', 'ana'],
      { SMTP_PASSWORD: PASSWORD },
    );
    await expectCleanFailure(end, /authentication failed/);
  });

  it('TLS mismatch: smtps:// against a plain server', async () => {
    const end = await run([
      '--smtp-url',
      `smtps://ana:${encodeURIComponent(PASSWORD)}@127.0.0.1:${smtp.port}`,
    ]);
    await expectCleanFailure(end, /^kinlog: SMTP connecting to .*: TLS failed/);
  });

  it('TLS required but the server offers no STARTTLS', async () => {
    const end = await run([
      '--smtp-url',
      `smtp://ana:${encodeURIComponent(PASSWORD)}@127.0.0.1:${smtp.port}`,
      '--smtp-require-tls',
    ]);
    await expectCleanFailure(end, /^kinlog: SMTP connecting to .*: TLS failed/);
  });
  describe('a server that takes only its user as the sender', () => {
    const USER = 'reports@example.com';
    let strict: TestSmtpServer;

    before(async () => {
      strict = await startSmtpServer({
        authOptional: true,
        allowInsecureAuth: true,
        onAuth(auth, _session, callback) {
          callback(null, { user: auth.username });
        },
        onMailFrom(address, session, callback) {
          if (address.address === session.user) return callback();
          const refusal = new Error(`5.7.1 ${address.address} is not owned by the user`);
          callback(Object.assign(refusal, { responseCode: 553 }));
        },
      });
      await seedCommittedReport(store, sampleStoredReport('strict', 1));
      await seedCommittedReport(store, sampleStoredReport('strict-ok', 1));
    });

    after(() => strict.close());

    const runStrict = (name: string, smtpUrl: string): Promise<ProcessEnd> =>
      runSupportScript('report-cli', [
        '--name',
        name,
        '--iterations-table',
        tables.iterationsTable,
        '--email',
        'ops@example.com',
        '--smtp-url',
        smtpUrl,
      ]);

    it('a refused sender is named as such, with what to do, and nothing is marked', async () => {
      const end = await runStrict('strict', `smtp://127.0.0.1:${strict.port}`);
      await expectCleanFailure(
        end,
        /^kinlog: SMTP sending through .*: sender refused \(set --from to an address this server accepts for its user\): .*553/,
        'strict',
        strict,
      );
    });

    it('sends from the SMTP user when it is an address and no --from is given', async () => {
      const end = await runStrict(
        'strict-ok',
        `smtp://${encodeURIComponent(USER)}:pw@127.0.0.1:${strict.port}`,
      );
      expect(end.code, end.stderr).to.equal(0);
      expect(strict.senders).to.deep.equal([USER]);
      expect(strict.messages[0]?.from?.text).to.equal(USER);
    });
  });
});
