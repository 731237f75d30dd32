import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Analyzer, DynamoCheckpointStore } from '@kinlog/analyzer';
import { ConfigError } from '@kinlog/core';
import { createTestStream } from '@kinlog/testkit';
import { expect } from 'chai';
import { Command } from 'commander';
import { exportCommand, QuerySession, queryCommand, SqlError } from '../../src/index.js';
import { freshTables, kinesis, putWebEvents } from '../support/query-fixtures.js';

class Capture extends Writable {
  text = '';
  columns = 60;
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function kinlog(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const context = { signal: new AbortController().signal, stdout, stderr };
  const program = new Command('kinlog').exitOverride();
  program.addCommand(queryCommand(context)).addCommand(exportCommand(context));
  await program.parseAsync(['node', 'kinlog', ...args]);
  return { stdout: stdout.text, stderr: stderr.text };
}

describe('kinlog query and kinlog export commands', function () {
  this.timeout(120_000);
  const tables = freshTables();
  let stream = '';
  let common: string[] = [];
  const dir = { path: '' };

  before(async () => {
    stream = await createTestStream(1);
    const store = new DynamoCheckpointStore(tables);
    await store.createTables();
    const client = kinesis();
    const analyzer = new Analyzer({ name: 'shop', stream, store, minCallIntervalMs: 0 });
    try {
      await putWebEvents(client, stream, 0, 120);
      await analyzer.runIteration();
    } finally {
      analyzer.close();
      store.close();
      client.destroy();
    }
    common = [
      '--checkpoints-table',
      tables.checkpointsTable,
      '--iterations-table',
      tables.iterationsTable,
    ];
    dir.path = await mkdtemp(join(tmpdir(), 'kinlog-cmd-'));
  });
  after(() => rm(dir.path, { recursive: true, force: true }));

  it('prints a result in each format and sums up what it loaded', async () => {
    const sql = 'SELECT status, count(*) AS n FROM logs GROUP BY status ORDER BY status';
    const args = [
      'query',
      sql,
      '--stream',
      stream,
      '--name',
      'shop',
      '--iteration',
      '1',
      ...common,
    ];
    const csv = await kinlog([...args, '--format', 'csv']);
    expect(csv.stdout).to.equal('status,n\n200,93\n500,9\n503,18\n');
    expect(csv.stderr).to.equal(
      `logs: 120 rows from 108 records of ${stream} (iteration 1 of shop)\n`,
    );
    const ndjson = await kinlog([...args, '--format', 'ndjson']);
    expect(ndjson.stdout.split('\n')[0]).to.equal('{"status":200,"n":93}');
    const json = await kinlog([...args, '--format', 'json']);
    expect(JSON.parse(json.stdout)).to.have.length(3);
    const table = await kinlog([...args]);
    expect(table.stdout.split('\n')[0]).to.match(/^status │\s+n$/);
    expect(table.stdout).to.include('(3 rows)');
  });

  it('fits wide values into the terminal width', async () => {
    const { stdout } = await kinlog([
      'query',
      'SELECT _raw, _seq FROM logs LIMIT 3',
      '--stream',
      stream,
      '--whole-stream',
    ]);
    for (const line of stdout.trimEnd().split('\n')) expect(line.length).to.be.at.most(60);
    expect(stdout).to.include('…');
  });

  it('reads SQL from --file and writes --out through kinlog (Parquet read back)', async () => {
    const file = join(dir.path, 'q.sql');
    await writeFile(file, "SELECT id, region, user FROM logs WHERE level = 'error' ORDER BY id");
    const out = join(dir.path, 'errors.parquet');
    const { stderr } = await kinlog([
      'query',
      '--file',
      file,
      '--stream',
      stream,
      '--whole-stream',
      '--since',
      '1h',
      '--out',
      out,
      '--format',
      'csv',
    ]);
    expect(stderr).to.match(/wrote \d+ rows to .*errors\.parquet/);
    const reader = await QuerySession.open();
    try {
      const back = await reader.run(
        `SELECT count(*), typeof(any_value(id)) FROM read_parquet('${out}')`,
      );
      expect(Number(back.rows[0]![0])).to.be.greaterThan(10);
      expect(back.rows[0]![1]).to.equal('BIGINT');
    } finally {
      reader.close();
    }
  });

  it('pins column types with --schema; values that do not fit are NULL and counted', async () => {
    const schema = join(dir.path, 'types.json');
    await writeFile(
      schema,
      '{"id": "VARCHAR", "ad": "INTEGER", "user": "JSON", "extra": "DOUBLE"}',
    );
    const { stdout, stderr } = await kinlog([
      'query',
      'SELECT typeof(id), typeof(ad), count(ad), typeof(user), typeof(extra), count(*) FROM logs GROUP BY ALL',
      '--stream',
      stream,
      '--name',
      'shop',
      '--iteration',
      '1',
      '--schema',
      schema,
      '--format',
      'csv',
      ...common,
    ]);
    expect(stdout.split('\n')[1]).to.equal('VARCHAR,INTEGER,0,JSON,DOUBLE,120');
    expect(stderr).to.include('read as NULL (value did not fit its type): ad 120');
    await writeFile(schema, '{"id": "NUMBER"}');
    const error = await kinlog([
      'query',
      'SELECT 1',
      '--stream',
      stream,
      '--whole-stream',
      '--schema',
      schema,
    ]).catch((err: unknown) => err);
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).message).to.include('types.json.id');
  });

  it('names every bad option at once; bad SQL is a SqlError (exit status 2)', async () => {
    let error: unknown;
    try {
      await kinlog([
        'query',
        'SELECT 1',
        '--name',
        'shop',
        '--since',
        'soon',
        '--memory-limit',
        '1MB',
      ]);
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).to.include('--table');
    expect(message).to.include('--iteration');
    expect(message).to.include('--since');
    expect(message).to.include('--memory-limit: must be a size like 256MB or 2GB, at least 128MB');
    error = undefined;
    try {
      await kinlog(['query', 'SELEC 1', '--stream', stream, '--whole-stream']);
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(SqlError);
    expect((error as SqlError).exitCode).to.equal(2);
    expect((error as Error).message).to.equal(
      'Parser Error: syntax error at or near "SELEC" (line 1, column 1)',
    );
  });

  it('spills to its temp directory under --memory-limit and leaves nothing behind', async () => {
    const temp = await mkdtemp(join(tmpdir(), 'kinlog-spill-'));
    try {
      const { stdout } = await kinlog([
        'query',
        'SELECT count(*), count(DISTINCT x) > 600000 FROM (SELECT l._raw || r.range AS x FROM logs l, range(6000) r)',
        '--stream',
        stream,
        '--whole-stream',
        '--memory-limit',
        '128MB',
        '--temp-dir',
        temp,
        '--format',
        'csv',
      ]);
      expect(stdout).to.match(/\n720000,true\n$/);
      const { readdir } = await import('node:fs/promises');
      expect(await readdir(temp)).to.deep.equal([]);
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  });

  it('kinlog export writes the partition and prints it', async () => {
    const out = join(dir.path, 'lake');
    const { stdout } = await kinlog([
      'export',
      '--stream',
      stream,
      '--name',
      'shop',
      '--iteration',
      '1',
      '--out',
      out,
      '--format',
      'ndjson',
      ...common,
    ]);
    const path = join(out, 'iteration=1', `stream=${stream}`, 'part-0.ndjson');
    expect(stdout).to.equal(`${path}\t120 rows\n`);
    expect((await readFile(path, 'utf8')).trimEnd().split('\n')).to.have.length(120);
  });
});
