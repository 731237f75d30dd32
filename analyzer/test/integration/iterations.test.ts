import { ScanCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '@kinlog/core';
import { createTestStream } from '@kinlog/testkit';
import { expect } from 'chai';
import {
  Analyzer,
  DynamoCheckpointStore,
  PreviousIterationMissingError,
  TableMissingError,
  type StoredReport,
} from '../../src/index.js';
import { freshTables, idsInWindows, kinesis, putNumbered } from '../support/stream-fixtures.js';

describe('analyzer iterations (local Kinesis + DynamoDB)', function () {
  this.timeout(60_000);
  const client = kinesis();
  after(() => client.destroy());

  it('five iterations over 4 shards hold every event exactly once; rerun of 3 is identical; whole-stream equals the sum and writes no checkpoint', async () => {
    const stream = await createTestStream(4);
    const tables = freshTables();
    const store = new DynamoCheckpointStore(tables);
    await store.createTables();
    const analyzer = new Analyzer({ name: 'web', stream, store, minCallIntervalMs: 0 });
    const reports: StoredReport[] = [];
    let next = 0;
    for (let i = 1; i <= 5; i++) {
      const count = 150 + i * 37;
      await putNumbered(client, stream, next, next + count);
      next += count;
      const outcome = await analyzer.runIteration();
      expect(outcome.iteration).to.equal(i);
      expect(outcome.recovered).to.equal(false);
      expect(outcome.report.result.totals.events).to.equal(count);
      reports.push(outcome.report);
    }
    const ids = (await Promise.all(reports.map((r) => idsInWindows(stream, r.window)))).flat();
    expect(ids.length).to.equal(next);
    expect(new Set(ids).size).to.equal(next);
    expect(Math.min(...ids)).to.equal(0);
    expect(Math.max(...ids)).to.equal(next - 1);

    const checkpoint = await store.getCheckpoint('web', stream, reports[2]!.window[1]!.shardId, 3);
    expect(checkpoint?.endSeq).to.equal(reports[2]!.window[1]!.endSeq);

    const stored3 = await store.getReport('web', 3);
    const rerun = await analyzer.rerunIteration(3);
    expect(rerun.report.result).to.deep.equal(stored3!.result);
    expect(rerun.report.window).to.deep.equal(stored3!.window);
    expect(rerun.report.result.rows[0]!.change).to.not.equal(null);

    const ddb = new DynamoDBClient(awsClientConfig());
    const before = await ddb.send(
      new ScanCommand({ TableName: tables.checkpointsTable, Select: 'COUNT' }),
    );
    const whole = await analyzer.wholeStream();
    const after = await ddb.send(
      new ScanCommand({ TableName: tables.checkpointsTable, Select: 'COUNT' }),
    );
    ddb.destroy();
    expect(after.Count).to.equal(before.Count);
    const sum = (key: 'events' | 'errors') => reports.reduce((s, r) => s + r.result.totals[key], 0);
    expect(whole.result.totals.events).to.equal(sum('events'));
    expect(whole.result.totals.errors).to.equal(sum('errors'));
    const rowCounts = new Map<string, number>();
    for (const r of reports) {
      for (const row of r.result.rows) {
        rowCounts.set(
          `${row.region} ${row.page}`,
          (rowCounts.get(`${row.region} ${row.page}`) ?? 0) + row.count,
        );
      }
    }
    for (const row of whole.result.rows)
      expect(row.count).to.equal(rowCounts.get(`${row.region} ${row.page}`));
    analyzer.close();
    store.close();
  });

  it('fails loudly when iteration n−1 is missing, and names a missing table', async () => {
    const stream = await createTestStream(1);
    const tables = freshTables();
    const missing = new Analyzer({ name: 'web', stream, dynamodb: tables });
    try {
      await missing.runIteration();
      expect.fail('ran without tables');
    } catch (err) {
      expect(err).to.be.instanceOf(TableMissingError);
      expect((err as Error).message).to.contain(tables.iterationsTable);
    } finally {
      missing.close();
    }

    const store = new DynamoCheckpointStore(tables);
    await store.createTables();
    // Iteration 2 claimed and abandoned with no iteration 1: the next run must not skip ahead.
    await store.claimIteration('gap', 2, stream, 'someone', 1);
    const analyzer = new Analyzer({ name: 'gap', stream, store });
    try {
      await analyzer.runIteration();
      expect.fail('ran over a gap');
    } catch (err) {
      expect(err).to.be.instanceOf(PreviousIterationMissingError);
    } finally {
      analyzer.close();
      store.close();
    }
  });
});
