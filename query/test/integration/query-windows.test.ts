import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { Analyzer, DynamoCheckpointStore, type TopNResult } from '@kinlog/analyzer';
import { awsClientConfig } from '@kinlog/core';
import { createTestStream } from '@kinlog/testkit';
import { expect } from 'chai';
import {
  exportWindow,
  QuerySession,
  runQuery,
  SqlError,
  WindowNotStoredError,
  type QueryResult,
} from '../../src/index.js';
import { freshTables, kinesis, putWebEvents, range, webEvent } from '../support/query-fixtures.js';

function ids(result: QueryResult): number[] {
  return result.rows.map((r) => Number(r[0])).sort((a, b) => a - b);
}

describe('kinlog query over analyzer windows (local Kinesis + DynamoDB, real DuckDB)', function () {
  this.timeout(120_000);
  const client = kinesis();
  const tables = freshTables();
  const store = new DynamoCheckpointStore(tables);
  let stream = '';
  const batches = [
    [0, 230],
    [230, 505],
    [505, 640],
  ] as const;
  const reports: TopNResult[] = [];
  let sinceThird = 0;

  before(async () => {
    stream = await createTestStream(2);
    await store.createTables();
    const analyzer = new Analyzer({ name: 'web', stream, store, minCallIntervalMs: 0 });
    try {
      for (const [from, to] of batches) {
        if (from === batches[2][0]) sinceThird = Date.now();
        await putWebEvents(client, stream, from, to);
        const outcome = await analyzer.runIteration();
        reports.push(outcome.report.result);
      }
    } finally {
      analyzer.close();
    }
  });
  after(() => {
    client.destroy();
    store.close();
  });

  const base = () => ({
    tables: [{ table: 'logs', stream }],
    dynamodb: tables,
    minCallIntervalMs: 0,
  });

  it('an iteration window holds exactly the events put in it, as typed rows with their origin', async () => {
    for (const [k, [from, to]] of batches.entries()) {
      const { result, loaded } = await runQuery({
        ...base(),
        window: { type: 'iteration', name: 'web', iteration: k + 1 },
        sql: 'SELECT id FROM logs',
      });
      expect(ids(result)).to.deep.equal(range(from, to));
      expect(loaded[0]!.rows).to.equal(reports[k]!.totals.events);
    }
    const { result } = await runQuery({
      ...base(),
      window: { type: 'iteration', name: 'web', iteration: 1 },
      sql: `SELECT typeof(time), typeof(status), typeof(user), typeof(id), _stream, _format,
              count(*) FILTER (WHERE _seq IS NULL OR _shard IS NULL OR _arrival IS NULL OR _raw IS NULL) AS missing,
              count(*) FILTER (WHERE _partition_key = 'key-' || id) AS own_key,
              count(*) AS n,
              min(time) = TIMESTAMP '2023-11-14 22:13:20' AS first_time_ok
            FROM logs GROUP BY ALL ORDER BY _format`,
    });
    const byFormat = new Map(result.rows.map((r) => [r[5], r]));
    expect([...byFormat.keys()]).to.have.members(['gzip+json', 'json', 'kpl+json']);
    for (const row of result.rows) {
      expect(row.slice(0, 5)).to.deep.equal(['TIMESTAMP', 'INTEGER', 'JSON', 'BIGINT', stream]);
      expect(row[6]).to.equal(0);
    }
    // Aggregated user records carry the aggregate's key; the others their own.
    expect(byFormat.get('json')![7]).to.equal(byFormat.get('json')![8]);
    expect(byFormat.get('kpl+json')![8]).to.equal(25);
  });

  it('whole-stream equals the union of the iterations; --since leaves older records out', async () => {
    const { result } = await runQuery({
      ...base(),
      window: { type: 'wholeStream' },
      sql: 'SELECT id FROM logs',
    });
    expect(ids(result)).to.deep.equal(range(0, 640));
    const later = await runQuery({
      ...base(),
      window: { type: 'wholeStream', sinceMs: sinceThird },
      sql: 'SELECT id FROM logs',
    });
    expect(ids(later.result)).to.deep.equal(range(505, 640));
  });

  it('region × page counts of errors equal the built-in top-N rows of the same iteration', async () => {
    for (const k of [1, 2, 3]) {
      const { result } = await runQuery({
        ...base(),
        window: { type: 'iteration', name: 'web', iteration: k },
        sql: `SELECT region, page, count(*) AS n FROM logs
              WHERE status >= 400 OR level IN ('error', 'fatal')
              GROUP BY region, page ORDER BY n DESC, region, page LIMIT 10`,
      });
      const builtIn = reports[k - 1]!.rows.slice(0, 10).map((r) => [r.region, r.page, r.count]);
      expect(result.rows).to.deep.equal(builtIn);
      expect(builtIn.length).to.be.greaterThan(3);
    }
  });

  it('a query joins a DynamoDB table scanned page by page', async () => {
    const ddb = new DynamoDBClient(awsClientConfig());
    const campaigns = `campaigns-${process.pid}-${Date.now().toString(36)}`;
    try {
      await ddb.send(
        new CreateTableCommand({
          TableName: campaigns,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'ad', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'ad', KeyType: 'HASH' }],
        }),
      );
      await waitUntilTableExists(
        { client: ddb, maxWaitTime: 60, minDelay: 1 },
        { TableName: campaigns },
      );
      const categories = ['shoes', 'books', 'shoes', 'games'];
      // Padding makes the scan take several pages (1 MB each).
      const pad = 'x'.repeat(300_000);
      for (let i = 0; i < 4; i++) {
        await ddb.send(
          new PutItemCommand({
            TableName: campaigns,
            Item: {
              ad: { S: `ad-${i}` },
              category: { S: categories[i]! },
              budget: { N: String(100 * (i + 1)) },
              tags: { SS: ['a', `t${i}`] },
              pad: { S: pad },
            },
          }),
        );
      }
      // The worked example of the README, as shipped.
      const sql = await readFile(
        new URL('../../../examples/clicks-by-category-site.sql', import.meta.url),
        'utf8',
      );
      const { result, dynamo } = await runQuery({
        ...base(),
        tables: [{ table: 'clicks', stream }],
        dynamodbTables: [{ table: 'campaigns', dynamoTable: campaigns }],
        window: { type: 'iteration', name: 'web', iteration: 2 },
        sql,
      });
      expect(dynamo).to.deep.equal([{ table: 'campaigns', rows: 4 }]);
      const expected = new Map<string, number>();
      for (const id of range(230, 505)) {
        const e = webEvent(id);
        const key = `${categories[Number(e.ad.slice(3))]!}|${e.site}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      const got = new Map(
        result.rows.map((r) => [`${String(r[0])}|${String(r[1])}`, Number(r[2])]),
      );
      expect(got).to.deep.equal(expected);
      expect(got.size, JSON.stringify(result.rows)).to.equal(9);
      const typed = await runQuery({
        ...base(),
        dynamodbTables: [{ table: 'campaigns', dynamoTable: campaigns }],
        window: { type: 'iteration', name: 'web', iteration: 2 },
        sql: 'SELECT typeof(budget), typeof(tags), typeof(category) FROM campaigns LIMIT 1',
      });
      expect(typed.result.rows).to.deep.equal([['BIGINT', 'JSON', 'VARCHAR']]);
    } finally {
      ddb.destroy();
    }
  });

  it('user SQL cannot read files, install extensions, write files or turn access back on', async () => {
    const refused = [
      "SELECT * FROM read_csv('/etc/passwd')",
      'INSTALL httpfs',
      "COPY logs TO '/tmp/x'",
      'SET enable_external_access = true',
    ];
    for (const sql of refused) {
      let error: unknown;
      try {
        await runQuery({
          ...base(),
          window: { type: 'iteration', name: 'web', iteration: 1 },
          sql,
        });
      } catch (err) {
        error = err;
      }
      expect(error, sql).to.be.instanceOf(SqlError);
      expect((error as SqlError).exitCode).to.equal(2);
      expect((error as Error).message).to.not.include('\n');
    }
    const dir = await mkdtemp(join(tmpdir(), 'kinlog-allow-'));
    try {
      const { result } = await runQuery({
        ...base(),
        window: { type: 'iteration', name: 'web', iteration: 1 },
        allowFiles: true,
        sql: `COPY (SELECT 1) TO '${dir}/one.csv'`,
      });
      expect(result.rows).to.deep.equal([[1]]);
      expect(await readdir(dir)).to.deep.equal(['one.csv']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('bad SQL fails with one line naming the position', async () => {
    let error: unknown;
    try {
      await runQuery({
        ...base(),
        window: { type: 'iteration', name: 'web', iteration: 1 },
        sql: 'SELECT id\nFROM logs\nWHERE nosuch = 1',
      });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(SqlError);
    expect((error as SqlError).message).to.match(
      /^Binder Error: .*nosuch.*\(line \d+, column \d+\)$/,
    );
  });

  it('an iteration without a stored window fails clearly and writes nothing', async () => {
    let error: unknown;
    try {
      await runQuery({
        ...base(),
        window: { type: 'iteration', name: 'web', iteration: 9 },
        sql: 'SELECT 1',
      });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(WindowNotStoredError);
    expect(await store.getIteration('web', 9)).to.equal(undefined);
    expect((await store.latestIteration('web'))?.iteration).to.equal(3);
  });

  it('an export of an iteration, read back, equals the query over it; a rerun replaces it', async () => {
    const out = await mkdtemp(join(tmpdir(), 'kinlog-export-'));
    const reader = await QuerySession.open();
    try {
      for (const format of ['parquet', 'ndjson', 'csv'] as const) {
        for (let run = 0; run < 2; run++) {
          const files = await exportWindow({
            ...base(),
            name: 'web',
            iteration: 2,
            outDir: join(out, format),
            format,
          });
          expect(files).to.have.length(1);
          expect(files[0]!.path).to.include(`iteration=2/stream=${stream}/part-0.`);
        }
        const dir = join(out, format, 'iteration=2', `stream=${stream}`);
        expect(await readdir(dir)).to.have.length(1);
        const scan =
          format === 'parquet'
            ? `read_parquet('${dir}/*.parquet')`
            : format === 'csv'
              ? `read_csv('${dir}/*.csv', all_varchar = true)`
              : `read_json('${dir}/*.ndjson')`;
        const back = await reader.run(
          `SELECT id, status, region, page, _seq FROM ${scan} ORDER BY id`,
        );
        const { result } = await runQuery({
          ...base(),
          window: { type: 'iteration', name: 'web', iteration: 2 },
          sql: 'SELECT id, status, region, page, _seq FROM logs ORDER BY id',
        });
        expect(
          back.rows.map((r) => r.map(String)),
          format,
        ).to.deep.equal(result.rows.map((r) => r.map(String)));
        expect(result.rows).to.have.length(275);
      }
    } finally {
      reader.close();
      await rm(out, { recursive: true, force: true });
    }
  });
});
