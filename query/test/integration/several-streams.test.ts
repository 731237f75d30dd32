import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import {
  Analyzer,
  DynamoCheckpointStore,
  IterationNotFoundError,
  MULTI_STREAM_REPORT_FORMAT,
  type StoredReport,
} from '@kinlog/analyzer';
import { ConfigError } from '@kinlog/core';
import { createTestStream } from '@kinlog/testkit';
import { expect } from 'chai';
import { Writable } from 'node:stream';
import { analyzeCommand, reportCommand } from '@kinlog/analyzer';
import { Command } from 'commander';
import { queryCommand, runQuery, WindowNotStoredError } from '../../src/index.js';
import { freshTables, kinesis, putWebEvents, range, webEvent } from '../support/query-fixtures.js';

/** Every third request is clicked: the click names the request and an ad. */
const CLICKED = (id: number) => id % 3 === 0;
const adOf = (id: number) => `ad-${(id * 5) % 7}`;

const JOIN =
  'SELECT w.page, c.ad, count(*) AS clicks FROM web w JOIN clicks c ON c.req = w.id ' +
  'GROUP BY ALL ORDER BY w.page, c.ad';

/** The join over the records put in one iteration, computed from the events themselves. */
function expectedJoin(from: number, to: number): unknown[][] {
  const counts = new Map<string, number>();
  for (const id of range(from, to).filter(CLICKED)) {
    const key = `${webEvent(id).page}\u0000${adOf(id)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, n]) => [...key.split('\u0000'), n]);
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function kinlog(args: string[]): Promise<string> {
  const stdout = new Capture();
  const context = { signal: new AbortController().signal, stdout, stderr: new Capture() };
  const program = new Command('kinlog').exitOverride();
  program
    .addCommand(analyzeCommand(context))
    .addCommand(queryCommand(context))
    .addCommand(reportCommand(context));
  await program.parseAsync(['node', 'kinlog', ...args]);
  return stdout.text;
}

describe('several streams under one name (local Kinesis + DynamoDB, real DuckDB)', function () {
  this.timeout(180_000);
  const client = kinesis();
  const tables = freshTables();
  const store = new DynamoCheckpointStore(tables);
  let web = '';
  let clicks = '';
  const batches = [
    [0, 180],
    [180, 420],
    [420, 555],
  ] as const;

  before(async () => {
    [web, clicks] = await Promise.all([createTestStream(2), createTestStream(1)]);
    await store.createTables();
  });
  after(() => {
    client.destroy();
    store.close();
  });

  async function putClicks(from: number, to: number): Promise<void> {
    const records = range(from, to)
      .filter(CLICKED)
      .map((id) => ({
        PartitionKey: `click-${id}`,
        Data: Buffer.from(JSON.stringify({ req: id, ad: adOf(id), msg: `click on ${id}` })),
      }));
    for (let i = 0; i < records.length; i += 500) {
      const out = await client.send(
        new PutRecordsCommand({ StreamName: clicks, Records: records.slice(i, i + 500) }),
      );
      if ((out.FailedRecordCount ?? 0) > 0) throw new Error('put failed');
    }
  }

  const joinAt = (iteration: number) =>
    runQuery({
      sql: JOIN,
      tables: [
        { table: 'web', stream: web },
        { table: 'clicks', stream: clicks },
      ],
      window: { type: 'iteration', name: 'shop', iteration },
      dynamodb: tables,
      minCallIntervalMs: 0,
    });

  it('cuts both streams in each iteration: the join at each equals the join of what was put; a rerun replays both exactly', async () => {
    const analyzer = new Analyzer({
      name: 'shop',
      stream: web,
      streams: [web, clicks],
      store,
      minCallIntervalMs: 0,
    });
    const reports: StoredReport[] = [];
    try {
      for (const [k, [from, to]] of batches.entries()) {
        await Promise.all([putWebEvents(client, web, from, to), putClicks(from, to)]);
        const { iteration, report } = await analyzer.runIteration();
        expect(iteration).to.equal(k + 1);
        expect(report.formatVersion).to.equal(MULTI_STREAM_REPORT_FORMAT);
        expect(report.streams?.map((c) => c.stream)).to.deep.equal([web, clicks]);
        const clicked = range(from, to).filter(CLICKED).length;
        const records = (stream: string) =>
          report
            .streams!.find((c) => c.stream === stream)!
            .window.reduce((n, w) => n + w.records, 0);
        expect(records(clicks)).to.equal(clicked);
        // One top-N over both streams: every event of the batch, web and clicks.
        expect((report.result as { totals: { events: number } }).totals.events).to.equal(
          to - from + clicked,
        );
        const { result } = await joinAt(k + 1);
        expect(result.rows, `iteration ${k + 1}`).to.deep.equal(expectedJoin(from, to));
        reports.push(report);

        if (k === 0) {
          // Iteration 3 before 2: nothing stored to read or replay, said so.
          const query = await joinAt(3).then(
            () => undefined,
            (err: unknown) => err,
          );
          expect(query).to.be.instanceOf(WindowNotStoredError);
          expect((query as Error).message).to.match(/iteration 3 of shop has no stored window/);
          const rerun = await analyzer.rerunIteration(3).then(
            () => undefined,
            (err: unknown) => err,
          );
          expect(rerun).to.be.instanceOf(IterationNotFoundError);
        }
      }
      for (const stream of [web, clicks]) {
        const cut = reports[1]!.streams!.find((c) => c.stream === stream)!;
        for (const w of cut.window) {
          const checkpoint = await store.getCheckpoint('shop', stream, w.shardId, 2);
          expect(checkpoint?.endSeq).to.equal(w.endSeq);
        }
      }

      const rerun = await analyzer.rerunIteration(2);
      expect(rerun.report.result).to.deep.equal(reports[1]!.result);
      expect(rerun.report.streams).to.deep.equal(reports[1]!.streams);
      const again = await joinAt(2);
      expect(again.result.rows).to.deep.equal(expectedJoin(...batches[1]));
    } finally {
      analyzer.close();
    }

    // The name keeps its streams: one stream alone is refused, naming both.
    const alone = new Analyzer({ name: 'shop', stream: web, store, minCallIntervalMs: 0 });
    try {
      const err = await alone.runIteration().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as Error).message).to.include(`${web},${clicks}`);
    } finally {
      alone.close();
    }
  });

  it('kinlog analyze --stream a --stream b cuts both; kinlog query --iteration k joins them', async () => {
    const common = [
      '--checkpoints-table',
      tables.checkpointsTable,
      '--iterations-table',
      tables.iterationsTable,
    ];
    const [from, to] = [1_000, 1_090];
    await Promise.all([putWebEvents(client, web, from, to), putClicks(from, to)]);
    // The other name already read the streams: this one starts at their start.
    const analyzed = JSON.parse(
      await kinlog([
        'analyze',
        '--stream',
        web,
        '--stream',
        clicks,
        '--name',
        'cli',
        '--format',
        'json',
        ...common,
      ]),
    ) as StoredReport;
    expect(analyzed.streams?.map((c) => c.stream)).to.deep.equal([web, clicks]);
    const out = await kinlog([
      'query',
      JOIN,
      '--name',
      'cli',
      '--iteration',
      '1',
      '--table',
      `web=${web}`,
      '--table',
      `clicks=${clicks}`,
      '--format',
      'json',
      ...common,
    ]);
    const rows = (JSON.parse(out) as { page: string; ad: string; clicks: number }[]).map((r) => [
      r.page,
      r.ad,
      r.clicks,
    ]);
    const all = new Map<string, number>();
    for (const [a, b] of [...batches, [from, to] as const])
      for (const [page, ad, n] of expectedJoin(a, b) as [string, string, number][])
        all.set(`${page}\u0000${ad}`, (all.get(`${page}\u0000${ad}`) ?? 0) + n);
    expect(rows).to.deep.equal(
      [...all]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, n]) => [...key.split('\u0000'), n]),
    );

    // kinlog report reads a several-stream iteration: its top-N counts both streams.
    const report = JSON.parse(
      await kinlog([
        'report',
        '--name',
        'cli',
        '--format',
        'json',
        '--iterations-table',
        tables.iterationsTable,
      ]),
    ) as {
      iteration: number;
      totals: { events: number };
      window: { stream?: string; shardId: string; records: number }[];
    };
    expect(report.iteration).to.equal(1);
    // Every stream's shards are listed, each with its stream.
    expect(report.window.map((w) => [w.stream, w.shardId, w.records])).to.deep.equal(
      analyzed.streams!.flatMap((cut) => cut.window.map((w) => [cut.stream, w.shardId, w.records])),
    );
    expect(new Set(report.window.map((w) => w.stream))).to.deep.equal(new Set([web, clicks]));
    expect(report.totals.events).to.equal(
      (analyzed.result as { totals: { events: number } }).totals.events,
    );

    for (const extra of [['--workers'], ['--whole-stream'], ['--query', 'q=x.sql']]) {
      const err = await kinlog([
        'analyze',
        '--stream',
        web,
        '--stream',
        clicks,
        '--name',
        'cli',
        ...extra,
        ...common,
      ]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, extra.join(' ')).to.be.instanceOf(ConfigError);
      expect((err as Error).message).to.match(/reads one stream/);
    }
  });
});
