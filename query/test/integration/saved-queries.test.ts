import { Analyzer, DynamoCheckpointStore, SavedQueryTooLargeError } from '@kinlog/analyzer';
import type { StoredQueryResult, WindowReadInfo } from '@kinlog/analyzer';
import { createTestStream } from '@kinlog/testkit';
import { expect } from 'chai';
import { QueryError, runQuery, savedQueryHook, type SavedQuery } from '../../src/index.js';
import { freshTables, kinesis, putWebEvents, range, webEvent } from '../support/query-fixtures.js';

const BY_REGION: SavedQuery = {
  name: 'errors-by-region',
  sql: 'SELECT region, count(*) AS n FROM logs WHERE status >= 500 GROUP BY region ORDER BY region',
};
const TOTALS: SavedQuery = {
  name: 'totals',
  sql: 'SELECT count(*) AS n, sum(id) AS ids FROM logs',
};

/** What BY_REGION and TOTALS give over events from..to-1, computed from the events put. */
function expected(from: number, to: number): { byRegion: unknown[][]; totals: unknown[][] } {
  const counts = new Map<string, number>();
  let ids = 0;
  for (const id of range(from, to)) {
    const e = webEvent(id);
    ids += id;
    if (e.status >= 500) counts.set(e.region, (counts.get(e.region) ?? 0) + 1);
  }
  return {
    byRegion: [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([r, n]) => [r, n]),
    totals: [[to - from, ids]],
  };
}

describe('saved queries per iteration (local Kinesis + DynamoDB, real DuckDB)', function () {
  this.timeout(120_000);
  const client = kinesis();
  const tables = freshTables();
  const store = new DynamoCheckpointStore(tables);
  let stream = '';
  const batches = [
    [0, 230],
    [230, 505],
  ] as const;

  before(async () => {
    stream = await createTestStream(2);
    await store.createTables();
  });
  after(() => {
    client.destroy();
    store.close();
  });

  it('stores each query result with its iteration, equal to the records put in it; a rerun gives the same', async () => {
    const seen: { info: WindowReadInfo; results: readonly StoredQueryResult[] }[] = [];
    const hook = savedQueryHook({
      store,
      queries: [BY_REGION, TOTALS],
      onResults: (info, results) => seen.push({ info, results }),
    });
    const analyzer = new Analyzer({
      name: 'saved',
      stream,
      store,
      minCallIntervalMs: 0,
      windowHook: hook,
    });
    try {
      for (const [k, [from, to]] of batches.entries()) {
        await putWebEvents(client, stream, from, to);
        const outcome = await analyzer.runIteration();
        expect(outcome.iteration).to.equal(k + 1);
        const stored = await store.getSavedQueryResults('saved', k + 1);
        expect(stored.map((r) => r.query)).to.deep.equal([BY_REGION.name, TOTALS.name]);
        const want = expected(from, to);
        expect(stored[0]!.rows).to.deep.equal(want.byRegion);
        expect(stored[1]!.rows).to.deep.equal(want.totals);
        expect(stored[0]!.columns.map((c) => c.name)).to.deep.equal(['region', 'n']);
        // The same SQL through `kinlog query` over the stored window agrees.
        const { result } = await runQuery({
          sql: BY_REGION.sql,
          tables: [{ table: 'logs', stream }],
          window: { type: 'iteration', name: 'saved', iteration: k + 1 },
          dynamodb: tables,
          minCallIntervalMs: 0,
        });
        expect(result.rows).to.deep.equal(stored[0]!.rows);
      }
      const before = await store.getSavedQueryResults('saved', 1);
      seen.length = 0;
      await analyzer.rerunIteration(1);
      expect(seen).to.have.length(1);
      expect(seen[0]!.info.kind).to.equal('rerun');
      expect(seen[0]!.results.map((r) => r.rows)).to.deep.equal(before.map((r) => r.rows));
      // A rerun stores nothing: the stored results are the iteration's own.
      const after = await store.getSavedQueryResults('saved', 1);
      expect(after.map((r) => r.ranAt)).to.deep.equal(before.map((r) => r.ranAt));
    } finally {
      analyzer.close();
    }
  });

  it('a result past the row bound or the item limit fails the iteration clearly; a fixed query recovers it from the stored cut', async () => {
    const name = 'bounded';
    const own = await createTestStream(1);
    await putWebEvents(client, own, 0, 40);
    const run = async (queries: SavedQuery[]) => {
      const analyzer = new Analyzer({
        name,
        stream: own,
        store,
        minCallIntervalMs: 0,
        leaseMs: 1_000,
        windowHook: savedQueryHook({ store, queries }),
      });
      try {
        return await analyzer.runIteration();
      } finally {
        analyzer.close();
      }
    };
    const tooMany = { name: 'too-many', sql: 'SELECT * FROM range(5000)' };
    let failure: unknown;
    try {
      await run([tooMany]);
    } catch (err) {
      failure = err;
    }
    expect(failure).to.be.instanceOf(QueryError);
    expect((failure as Error).message).to.match(
      /saved query too-many returned more than 1000 rows/,
    );
    expect((await store.latestIteration(name))?.status).to.equal('running');

    // Records put now are not in iteration 1: its cut was stored before the queries ran.
    await putWebEvents(client, own, 40, 60);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the failed run's lease ends
    const big = { name: 'big', sql: "SELECT repeat('x', 500000) AS big" };
    failure = undefined;
    try {
      await run([big]);
    } catch (err) {
      failure = err;
    }
    expect(failure).to.be.instanceOf(SavedQueryTooLargeError);
    expect((failure as Error).message).to.match(
      /saved query big: .* exceeds the DynamoDB item limit/,
    );

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // As if a run with two queries had stored its results and died before the commit.
    const stale = {
      formatVersion: 1,
      name,
      iteration: 1,
      query: 'stale',
      sql: 'SELECT 1',
      columns: [],
      rows: [],
      ranAt: new Date().toISOString(),
      ofQueries: 2,
    } as const;
    await store.putSavedQueryResult({ ...stale, query: 'stale-0' }, 0);
    await store.putSavedQueryResult({ ...stale, query: 'stale-1' }, 1);
    const outcome = await run([TOTALS]);
    expect(outcome.recovered).to.equal(true);
    const stored = await store.getSavedQueryResults(name, 1);
    expect(stored.map((r) => r.query)).to.deep.equal([TOTALS.name]);
    expect(stored.map((r) => r.rows)).to.deep.equal([expected(0, 40).totals]);
  });
});
