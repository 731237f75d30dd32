import { createTestStream } from '@kinlog/testkit';
import { expect } from 'chai';
import { Analyzer, DynamoCheckpointStore, type StoredReport } from '../../src/index.js';
import {
  freshTables,
  idsInWindows,
  kinesis,
  mergeFirstAdjacent,
  putNumbered,
  splitFirst,
} from '../support/stream-fixtures.js';

describe('analyzer across resharding', function () {
  this.timeout(60_000);
  const client = kinesis();
  after(() => client.destroy());

  it('a split between iterations and a merge during one keep counts exact over parents and children', async () => {
    const stream = await createTestStream(2);
    const tables = freshTables();
    const store = new DynamoCheckpointStore(tables);
    await store.createTables();
    const analyzer = new Analyzer({ name: 'reshard', stream, store, minCallIntervalMs: 0 });
    const reports: StoredReport[] = [];
    let next = 0;
    const put = async (count: number) => {
      await putNumbered(client, stream, next, next + count);
      next += count;
    };

    await put(300);
    reports.push((await analyzer.runIteration()).report);
    await put(200);
    await splitFirst(client, stream); // parent closes with unread records; children are new
    await put(250);
    reports.push((await analyzer.runIteration()).report);
    expect(reports[1]!.window.some((w) => w.parentShardIds.length === 1)).to.equal(true);
    expect(reports[1]!.window.some((w) => w.closed)).to.equal(true);

    await put(200);
    // Merge while the iteration reads: whatever lands where, nothing is lost or counted twice.
    const [outcome] = await Promise.all([
      analyzer.runIteration(),
      mergeFirstAdjacent(client, stream).then(() => put(150)),
    ]);
    reports.push(outcome.report);
    await put(100);
    reports.push((await analyzer.runIteration()).report);
    expect(reports[3]!.window.some((w) => w.parentShardIds.length === 2)).to.equal(true);

    if (process.env.DEBUG_WINDOWS) for (const r of reports) console.log(JSON.stringify(r.window));
    const events = reports.reduce((s, r) => s + r.result.totals.events, 0);
    expect(events).to.equal(next);
    const ids = (await Promise.all(reports.map((r) => idsInWindows(stream, r.window)))).flat();
    expect(ids.length).to.equal(next);
    expect(new Set(ids).size).to.equal(next);
    analyzer.close();
    store.close();
  });
});
