/**
 * Two iterations over local Kinesis and DynamoDB in which one row disappears and one appears,
 * read back through `kinlog report` as JSON and HTML; stored formats 1 and 2 side by side.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createTestStream } from '@kinlog/testkit';
import { expect } from 'chai';
import { Analyzer, DynamoCheckpointStore } from '../../src/index.js';
import { runReport, seedCommittedReport } from '../support/report-email-fixtures.js';
import { sampleResult, sampleStoredReport } from '../support/report-fixtures.js';
import { freshTables, kinesis } from '../support/stream-fixtures.js';

interface JsonReport {
  iteration: number;
  previousIteration: number | null;
  trendIterations: number[];
  notes: string[];
  rows: {
    page: string;
    count: number;
    trend: (number | null)[];
    change: { previousCount: number | null; isNew: boolean } | null;
  }[];
  gone: { page: string; previousCount: number; count: number | null; state: string }[];
}

describe('kinlog report: rows gone and new across iterations (local Kinesis + DynamoDB)', function () {
  this.timeout(60_000);
  const client = kinesis();
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kinlog-history-'));
  });
  after(async () => {
    client.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  async function put(stream: string, pages: Record<string, number>): Promise<void> {
    const records = [];
    for (const [page, n] of Object.entries(pages)) {
      for (let i = 0; i < n; i++) {
        // The page comes from `url` on some records: the analyzer reads it there too.
        const field = i % 2 === 0 ? { page } : { url: `https://shop.example.com${page}?i=${i}` };
        const event = { level: 'error', msg: `failed ${page}`, region: 'eu', ...field };
        records.push({ PartitionKey: `${page}-${i}`, Data: Buffer.from(JSON.stringify(event)) });
      }
    }
    const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: records }));
    expect(out.FailedRecordCount ?? 0).to.equal(0);
  }

  async function report(args: string[], format: 'json' | 'html'): Promise<string> {
    const out = join(dir, `${args.join('-').replace(/\W+/g, '_')}.${format}`);
    await runReport([...args, '--format', format, '--out', out]);
    return readFile(out, 'utf8');
  }

  it('lists the row gone since the previous iteration as resolved and the new one as new', async () => {
    const stream = await createTestStream(1);
    const tables = freshTables();
    const store = new DynamoCheckpointStore(tables);
    await store.createTables();
    const analyzer = new Analyzer({ name: 'shop', stream, store, minCallIntervalMs: 0 });
    try {
      await put(stream, { '/cart': 6, '/checkout': 4 });
      expect((await analyzer.runIteration()).iteration).to.equal(1);
      await put(stream, { '/cart': 5, '/search': 3 });
      expect((await analyzer.runIteration()).iteration).to.equal(2);
    } finally {
      analyzer.close();
      store.close();
    }
    const args = ['--name', 'shop', '--iterations-table', tables.iterationsTable];

    const json = JSON.parse(await report(args, 'json')) as JsonReport;
    expect(json.iteration).to.equal(2);
    expect(json.previousIteration).to.equal(1);
    expect(json.trendIterations).to.deep.equal([1]);
    const byPage = new Map(json.rows.map((r) => [r.page, r]));
    expect([...byPage.keys()]).to.deep.equal(['/cart', '/search']);
    expect(byPage.get('/cart')).to.deep.include({ count: 5, trend: [6] });
    expect(byPage.get('/cart')!.change).to.deep.include({ previousCount: 6, isNew: false });
    expect(byPage.get('/search')).to.deep.include({ count: 3, trend: [0] });
    expect(byPage.get('/search')!.change).to.deep.include({ previousCount: 0, isNew: true });
    expect(json.gone).to.deep.equal([
      { region: 'EU', page: '/checkout', previousCount: 4, count: 0, state: 'resolved' },
    ]);

    const html = await report(args, 'html');
    expect(html).to.include('Gone since #1');
    expect(html).to.match(/<tr class="gone-resolved">[\s\S]*?\/checkout[\s\S]*?0, resolved/);
    expect(html).to.match(/\/search<\/bdi>[\s\S]*?>new<\/span>/);
    expect(html).not.to.match(/>\?<\/span>/);
  });

  it('reads a format 1 report next to a format 2 one, and says when --top passes the stored rows', async () => {
    const tables = freshTables();
    const store = new DynamoCheckpointStore(tables);
    await store.createTables();
    try {
      // Format 1: 12 rows stored (analyze --top 12), no key history, no signature bounds.
      const v1 = { ...sampleStoredReport('old', 1), formatVersion: 1 as const };
      await seedCommittedReport(store, v1);
      await seedCommittedReport(store, sampleStoredReport('old', 2, sampleResult(10)));
    } finally {
      store.close();
    }
    const args = ['--name', 'old', '--iterations-table', tables.iterationsTable, '--top', '20'];
    const latest = JSON.parse(await report(args, 'json')) as JsonReport;
    expect(latest.trendIterations).to.deep.equal([1]);
    expect(latest.rows).to.have.length(10);
    expect(latest.notes.join('\n')).to.include('20 rows asked for, 10 shown');
    const first = JSON.parse(await report([...args, '--iteration', '1'], 'json')) as JsonReport;
    expect(first.rows).to.have.length(12);
    expect(first.previousIteration).to.equal(null);
    const html = await report([...args, '--iteration', '1'], 'html');
    expect(html).to.include('20 rows asked for, 12 shown');
  });
});
