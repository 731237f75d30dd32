import { expect } from 'chai';
import { DynamoCheckpointStore } from '../../src/checkpoint/dynamo-checkpoint-store.js';
import { ReportEmailUnconfirmedError } from '../../src/errors.js';
import { EmailClaimStore } from '../../src/report-delivery/email-claim-store.js';
import { sendIterationReport } from '../../src/report-delivery/send-iteration-report.js';
import {
  hostileResult,
  HOSTILE_STRINGS,
  SAMPLE_PAGES,
  sampleStoredReport,
} from '../support/report-fixtures.js';
import {
  runReport,
  runSupportScript,
  seedCommittedReport,
  startSmtpServer,
  type TestSmtpServer,
} from '../support/report-email-fixtures.js';
import { freshTables } from '../support/stream-fixtures.js';

describe('kinlog report --email', function () {
  this.timeout(30_000);
  let smtp: TestSmtpServer;
  let store: DynamoCheckpointStore;
  let claims: EmailClaimStore;
  let tables: ReturnType<typeof freshTables>;
  const smtpUrl = (): string => `smtp://127.0.0.1:${smtp.port}`;
  const common = (): string[] => ['--name', 'web', '--iterations-table', tables.iterationsTable];

  beforeEach(async () => {
    smtp = await startSmtpServer();
    tables = freshTables();
    store = new DynamoCheckpointStore(tables);
    claims = new EmailClaimStore(tables);
    await store.createTables();
  });

  afterEach(async () => {
    store.close();
    claims.close();
    await smtp.close();
  });

  it('delivers recipients, subject, text and HTML parts with the top 10 in order and a chart', async () => {
    await seedCommittedReport(store, sampleStoredReport('web', 42));
    const { stderr } = await runReport([
      ...common(),
      '--iteration',
      '42',
      '--email',
      'ops@example.com, dev@example.com',
      '--from',
      'kinlog@example.com',
      '--smtp-url',
      smtpUrl(),
    ]);
    expect(stderr).to.include('emailed web #42 to ops@example.com, dev@example.com');
    expect(smtp.messages).to.have.length(1);
    const mail = smtp.messages[0]!;
    expect(smtp.envelopes[0]).to.deep.equal(['ops@example.com', 'dev@example.com']);
    expect(mail.subject).to.equal('[kinlog] web #42: 1000 errors, top: EU /checkout 5xx');
    expect(mail.from?.text).to.equal('kinlog@example.com');
    const html = typeof mail.html === 'string' ? mail.html : '';
    const text = mail.text ?? '';
    expect(html).to.include('<table id="chart"');
    expect(html.match(/class="bar bar-5xx"/g)).to.have.length(10);
    expect(html).not.to.match(/<script|<svg/i);
    // The sample's rows fall with their index: the top 10 are its first ten pages, in order.
    const pages = SAMPLE_PAGES.slice(0, 10);
    const table = html.slice(html.indexOf('<table id="top"'));
    const htmlOrder = pages.map((p) => table.indexOf(`<bdi>${p}</bdi>`));
    expect(htmlOrder.every((i) => i > 0)).to.equal(true);
    expect([...htmlOrder].sort((a, b) => a - b)).to.deep.equal(htmlOrder);
    expect(table).not.to.include('/profile'); // row 11 is cut
    const textOrder = pages.map((p, i) => text.indexOf(`${String(i + 1).padStart(2)}. `));
    expect([...textOrder].sort((a, b) => a - b)).to.deep.equal(textOrder);
    expect(text).to.include(' 1. EU /checkout: 120 errors (12.0%)');
    expect(text).to.include('10. US /api/stock: 39 errors');
    expect(text).not.to.include('11. ');
    const state = await claims.state('web', 42);
    expect(state?.emailSentAt).to.be.a('string');
    expect(state?.emailClaimBy).to.equal(undefined);
  });

  it('sends once: a second run does not send, --resend does', async () => {
    await seedCommittedReport(store, sampleStoredReport('web', 7));
    const args = [...common(), '--email', 'ops@example.com', '--smtp-url', smtpUrl()];
    await runReport(args);
    const again = await runReport(args);
    expect(again.stderr).to.match(/web #7 was emailed at .*--resend/);
    expect(smtp.messages).to.have.length(1);
    await runReport([...args, '--resend']);
    expect(smtp.messages).to.have.length(2);
  });

  it('two concurrent runs for the same iteration deliver one email', async () => {
    await seedCommittedReport(store, sampleStoredReport('web', 8));
    const args = [
      ...common(),
      '--iteration',
      '8',
      '--email',
      'ops@example.com',
      '--smtp-url',
      smtpUrl(),
    ];
    const runs = await Promise.all([runReport(args), runReport(args), runReport(args)]);
    expect(smtp.messages).to.have.length(1);
    const said = runs.map((r) => r.stderr).join('');
    expect(said.match(/emailed web #8/g)).to.have.length(1);
    expect(said).to.match(/is being emailed by|was emailed at/);
  });

  it('a crash between send and mark leaves one email and no automatic resend', async () => {
    await seedCommittedReport(store, sampleStoredReport('web', 9));
    const crashed = await runSupportScript('send-then-crash', [
      'web',
      '9',
      tables.iterationsTable,
      String(smtp.port),
      'ops@example.com',
    ]);
    expect(crashed.signal).to.equal('SIGKILL');
    expect(smtp.messages).to.have.length(1);
    const state = await claims.state('web', 9);
    expect(state?.emailSentAt).to.equal(undefined);
    expect(state?.emailClaimBy).to.be.a('string');

    // A run right after (claim still fresh) and a later one (claim stale) both stay silent.
    const next = await runReport([
      ...common(),
      '--iteration',
      '9',
      '--email',
      'ops@example.com',
      '--smtp-url',
      smtpUrl(),
    ]);
    expect(next.stderr).to.include('is being emailed by');
    try {
      await sendIterationReport({
        name: 'web',
        iteration: 9,
        to: ['ops@example.com'],
        smtp: { host: '127.0.0.1', port: smtp.port, secure: false, requireTls: false },
        dynamodb: tables,
        claimStaleMs: 0,
      });
      expect.fail('sent again after a crash');
    } catch (err) {
      expect(err).to.be.instanceOf(ReportEmailUnconfirmedError);
      expect((err as Error).message).to.match(/may have gone out.*--resend/);
    }
    expect(smtp.messages).to.have.length(1);
  });

  it('hostile log text arrives with no live markup', async () => {
    await seedCommittedReport(store, sampleStoredReport('web', 11, hostileResult()));
    await runReport([
      ...common(),
      '--iteration',
      '11',
      '--email',
      'ops@example.com',
      '--smtp-url',
      smtpUrl(),
    ]);
    expect(smtp.messages).to.have.length(1);
    const mail = smtp.messages[0]!;
    const html = typeof mail.html === 'string' ? mail.html : '';
    expect(html).not.to.match(/<script|<img|<svg/i);
    const tags = new Set([...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]));
    const ours = ['html', 'head', 'meta', 'title', 'body', 'table', 'tr', 'td', 'th', 'thead'];
    ours.push('tbody', 'h1', 'h2', 'p', 'span', 'div', 'b', 'br', 'bdi', 'ul', 'li');
    expect([...tags].filter((t) => !ours.includes(t!))).to.deep.equal([]);
    for (const [tag] of html.matchAll(/<[a-zA-Z][^>]*>/g)) expect(tag).not.to.match(/\son\w+\s*=/i);
    expect(html).to.include('&lt;script&gt;');
    expect(html).to.include('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    for (const ch of ['\u202e', '\u200b', '\u200d', '\ufeff', '\u0000', '\u001b'])
      expect(html).not.to.include(ch);
    expect(html).to.include('\\u202e');
    expect(html).not.to.include('A'.repeat(200));
    expect(mail.subject).not.to.match(/[\r\n]/);
    expect(mail.subject).not.to.include('injected\r');
    expect(mail.text ?? '').not.to.include(HOSTILE_STRINGS.huge);
    expect(mail.headers.has('x-injected')).to.equal(false);
  });
});
