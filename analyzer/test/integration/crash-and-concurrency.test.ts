import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { createTestStream, seededRandom } from '@kinlog/testkit';
import { expect } from 'chai';
import { Analyzer, DynamoCheckpointStore, type StoredReport } from '../../src/index.js';
import { freshTables, kinesis, putNumbered } from '../support/stream-fixtures.js';

const ANALYZE_ONCE = fileURLToPath(new URL('../support/analyze-once.js', import.meta.url));
const LEASE_MS = 400;

interface RunResult {
  ok: boolean;
  iteration?: number;
  code?: string;
  killed: boolean;
}

async function analyzeInProcess(args: string[], killAfterMs?: number): Promise<RunResult> {
  const child = spawn(process.execPath, [ANALYZE_ONCE, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const timer =
    killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const [, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  if (signal === 'SIGKILL') return { ok: false, killed: true };
  const parsed = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Omit<RunResult, 'killed'>;
  return { ...parsed, killed: false };
}

/** What must match between runs: the windows' shards and counts and the top-N result. */
function essence(report: StoredReport) {
  return {
    iteration: report.iteration,
    window: report.window.map((w) => ({
      shardId: w.shardId,
      records: w.records,
      closed: w.closed,
    })),
    result: report.result,
  };
}

describe('analyzer under crashes and concurrent runs', function () {
  this.timeout(120_000);
  const client = kinesis();
  after(() => client.destroy());

  it('SIGKILLed at random points over 20 iterations, restarted, stores the reports of a crash-free run', async () => {
    const [crashStream, cleanStream] = await Promise.all([
      createTestStream(2),
      createTestStream(2),
    ]);
    const tables = freshTables();
    const store = new DynamoCheckpointStore(tables);
    await store.createTables();
    const clean = new Analyzer({ name: 'clean', stream: cleanStream, store, minCallIntervalMs: 0 });
    const random = seededRandom(20_240_601);
    let next = 0;
    let kills = 0;
    for (let i = 1; i <= 20; i++) {
      const count = 20 + Math.floor(random() * 60);
      await Promise.all([
        putNumbered(client, crashStream, next, next + count),
        putNumbered(client, cleanStream, next, next + count),
      ]);
      next += count;
      await clean.runIteration();
      const args = [
        'crashy',
        crashStream,
        tables.checkpointsTable,
        tables.iterationsTable,
        String(LEASE_MS),
      ];
      for (let attempt = 0; ; attempt++) {
        const kill = attempt < 2 && random() < 0.6 ? Math.floor(random() * 1500) : undefined;
        const run = await analyzeInProcess(args, kill);
        if (run.killed) {
          kills++;
          // Killed after its commit: iteration i is done, and a restart would start i+1 early.
          if ((await store.getIteration('crashy', i))?.status === 'committed') break;
          await delay(LEASE_MS + 50);
          continue;
        }
        if (run.ok) {
          expect(run.iteration).to.equal(i);
          break;
        }
        expect(run.code, JSON.stringify(run)).to.equal('ITERATION_CONFLICT');
        await delay(LEASE_MS + 50);
      }
    }
    expect(kills).to.be.greaterThan(0);
    for (let i = 1; i <= 20; i++) {
      const [a, b] = await Promise.all([store.getReport('crashy', i), store.getReport('clean', i)]);
      expect(essence(a!)).to.deep.equal(essence(b!));
      expect((await store.getIteration('crashy', i))?.status).to.equal('committed');
    }
    clean.close();
    store.close();
  });

  it('two analyzers started at once with the same name process each iteration exactly once', async () => {
    const stream = await createTestStream(3);
    const tables = freshTables();
    const store = new DynamoCheckpointStore(tables);
    await store.createTables();
    const runs = [0, 1].map(
      (i) =>
        new Analyzer({ name: 'twin', stream, store, owner: `twin-${i}`, minCallIntervalMs: 0 }),
    );
    const processed: number[][] = [[], []];
    let next = 0;
    for (let round = 0; round < 6; round++) {
      await putNumbered(client, stream, next, next + 100);
      next += 100;
      await Promise.all(
        runs.map(async (analyzer, i) => {
          try {
            processed[i]!.push((await analyzer.runIteration()).iteration);
          } catch (err) {
            if ((err as { code?: string }).code !== 'ITERATION_CONFLICT') throw err;
          }
        }),
      );
    }
    const all = [...processed[0]!, ...processed[1]!].sort((a, b) => a - b);
    expect(all).to.deep.equal([...new Set(all)]);
    expect(all.length).to.be.at.least(6);
    let events = 0;
    for (const n of all) events += (await store.getReport('twin', n))!.result.totals.events;
    expect(events).to.equal(next);
    store.close();
  });
});
