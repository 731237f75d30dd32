import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { analyzeCommand, DynamoCheckpointStore, reportCommand } from '@kinlog/analyzer';
import { ConfigError } from '@kinlog/core';
import { createTestStream } from '@kinlog/testkit';
import { expect } from 'chai';
import { Command } from 'commander';
import { savedQueryHook } from '../../src/index.js';
import { freshTables, kinesis, putWebEvents, range, webEvent } from '../support/query-fixtures.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function kinlog(
  args: string[],
  withEngine = true,
): Promise<{ stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const context = { signal: new AbortController().signal, stdout, stderr };
  const program = new Command('kinlog').exitOverride();
  program
    .addCommand(analyzeCommand(context, withEngine ? { savedQueryHook } : {}))
    .addCommand(reportCommand(context));
  await program.parseAsync(['node', 'kinlog', ...args]);
  return { stdout: stdout.text, stderr: stderr.text };
}

async function failure(run: Promise<unknown>): Promise<Error> {
  try {
    await run;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

describe('kinlog analyze --query and kinlog report with saved queries', function () {
  this.timeout(120_000);
  const tables = freshTables();
  let stream = '';
  let common: string[] = [];
  const dir = { path: '' };
  let sqlFile = '';

  before(async () => {
    stream = await createTestStream(1);
    const store = new DynamoCheckpointStore(tables);
    await store.createTables();
    store.close();
    common = [
      '--checkpoints-table',
      tables.checkpointsTable,
      '--iterations-table',
      tables.iterationsTable,
    ];
    dir.path = await mkdtemp(join(tmpdir(), 'kinlog-saved-'));
    sqlFile = join(dir.path, 'by-page.sql');
    await writeFile(
      sqlFile,
      'SELECT page, count(*) AS errors FROM logs WHERE status >= 500 GROUP BY page ORDER BY page',
    );
  });
  const reportCommon = () => ['--iterations-table', tables.iterationsTable];
  after(() => rm(dir.path, { recursive: true, force: true }));

  it('stores the result with the iteration, prints it, and kinlog report shows it in every format', async () => {
    const client = kinesis();
    try {
      await putWebEvents(client, stream, 0, 150);
    } finally {
      client.destroy();
    }
    const want = new Map<string, number>();
    for (const id of range(0, 150)) {
      const e = webEvent(id);
      if (e.status >= 500) want.set(e.page, (want.get(e.page) ?? 0) + 1);
    }
    const wantRows = [...want]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([page, errors]) => ({ page, errors }));

    const analyzed = await kinlog([
      'analyze',
      '--stream',
      stream,
      '--name',
      'shop',
      '--query',
      `errors-by-page=${sqlFile}`,
      '--format',
      'json',
      ...common,
    ]);
    const body = JSON.parse(analyzed.stdout) as {
      savedQueries: { query: string; rows: unknown }[];
    };
    expect(body.savedQueries.map((q) => q.query)).to.deep.equal(['errors-by-page']);
    expect(body.savedQueries[0]!.rows).to.deep.equal(wantRows);

    const json = await kinlog(['report', '--name', 'shop', '--format', 'json', ...reportCommon()]);
    const report = JSON.parse(json.stdout) as {
      iteration: number;
      savedQueries: { rows: unknown }[];
    };
    expect(report.iteration).to.equal(1);
    expect(report.savedQueries[0]!.rows).to.deep.equal(wantRows);

    const table = await kinlog(['report', '--name', 'shop', ...reportCommon()]);
    expect(table.stdout).to.contain(`Saved query errors-by-page (${wantRows.length} rows)`);
    for (const { page, errors } of wantRows)
      expect(table.stdout).to.match(new RegExp(`${page}\\s+│\\s+${errors}\\n`));

    const html = await kinlog(['report', '--name', 'shop', '--format', 'html', ...reportCommon()]);
    expect(html.stdout).to.contain('Saved query errors-by-page');
    expect(html.stdout.indexOf('Saved query')).to.be.lessThan(html.stdout.indexOf('</body>'));

    // A rerun without --query shows the stored result; with it, the query runs again, the same.
    const stored = await kinlog([
      'analyze',
      '--stream',
      stream,
      '--name',
      'shop',
      '--iteration',
      '1',
      '--format',
      'json',
      ...common,
    ]);
    expect((JSON.parse(stored.stdout) as typeof body).savedQueries[0]!.rows).to.deep.equal(
      wantRows,
    );
    const rerun = await kinlog([
      'analyze',
      '--stream',
      stream,
      '--name',
      'shop',
      '--iteration',
      '1',
      '--query',
      `errors-by-page=${sqlFile}`,
      '--format',
      'json',
      ...common,
    ]);
    expect((JSON.parse(rerun.stdout) as typeof body).savedQueries[0]!.rows).to.deep.equal(wantRows);
  });

  it('refuses --query with --workers, an unreadable file, or without the SQL engine', async () => {
    const base = ['analyze', '--stream', stream, '--name', 'other', ...common];
    const workers = await failure(kinlog([...base, '--workers', '--query', `q=${sqlFile}`]));
    expect(workers).to.be.instanceOf(ConfigError);
    expect(workers.message).to.match(/query.*not with --workers/);
    const missing = await failure(kinlog([...base, '--query', `q=${join(dir.path, 'nope.sql')}`]));
    expect(missing).to.be.instanceOf(ConfigError);
    expect(missing.message).to.match(/q: cannot read .*nope\.sql \(ENOENT\)/);
    const noEngine = await failure(kinlog([...base, '--query', `q=${sqlFile}`], false));
    expect(noEngine.message).to.match(/needs the SQL engine/);
    const bad = await failure(kinlog([...base, '--query', 'no-file']));
    expect(bad.message).to.match(/must be name=file\.sql/);
  });
});
