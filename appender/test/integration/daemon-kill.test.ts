/**
 * At-least-once across crashes: `kinlog ship` is killed with SIGKILL at 10 random moments while
 * it ships a growing 200,000-line file, and restarted each time, in each output mode (JSON
 * records, lines as read, KPL aggregates, gzipped aggregates). Every line must arrive; what a
 * kill costs is re-sent lines: at most the records put and not yet durably committed, which the
 * daemon holds to its default window (maxUncommittedRecords: 4 × maxInFlight full requests, or
 * 50,000 lines when aggregating; and 8 MiB of records). Each run ships to a stream of its own, so
 * a line re-sent by run k+1 tells what kill k cost.
 */
import { expect } from 'chai';
import { appendFileSync, statSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createTestStream, readAllRecords, userPayloads } from '@kinlog/testkit';
import { ShipDefaults, STATE_FILE_NAME, type ShipState } from '../../src/daemon/index.js';
import { lossAndDuplicates, tempDir, waitFor } from '../support/ship-helpers.js';
import { spawnShip, type ShipProcess } from '../support/ship-process.js';

const TOTAL_LINES = 200_000;
const KILLS = 10;
const BATCH_RECORDS = 500;
const MAX_IN_FLIGHT = 4;
/** The shortest line written ("line 0 " and 60 bytes of padding). */
const MIN_LINE_BYTES = 67;
/** Not aggregated: the window is COMMIT_WINDOW_REQUESTS × maxInFlight full requests. */
const WINDOW_BOUND = ShipDefaults.COMMIT_WINDOW_REQUESTS * MAX_IN_FLIGHT * BATCH_RECORDS;
/** Aggregated: 50,000 records, or as many as fit 8 MiB (put while under it), whichever is less. */
const AGGREGATED_BOUND = Math.min(
  ShipDefaults.AGGREGATED_MAX_UNCOMMITTED_RECORDS,
  Math.ceil(ShipDefaults.DEFAULT_MAX_UNCOMMITTED_BYTES / MIN_LINE_BYTES),
);

interface KillMode {
  name: string;
  output: 'json' | 'line';
  sink: Record<string, unknown>;
  /** The default commit window of this mode: what one kill may re-send. */
  bound: number;
}

const MODES: readonly KillMode[] = [
  { name: 'JSON records', output: 'json', sink: {}, bound: WINDOW_BOUND },
  { name: 'lines as read', output: 'line', sink: {}, bound: WINDOW_BOUND },
  {
    name: 'KPL aggregates',
    output: 'line',
    sink: { aggregation: true },
    bound: AGGREGATED_BOUND,
  },
  {
    name: 'gzipped KPL aggregates',
    output: 'line',
    sink: { aggregation: true, compression: 'gzip' },
    bound: AGGREGATED_BOUND,
  },
];

/** The line numbers a stream received, in any mode. */
async function lineNumbers(streamName: string, output: 'json' | 'line'): Promise<number[]> {
  const out: number[] = [];
  for (const record of await readAllRecords({ streamName })) {
    for (const payload of userPayloads(record.data)) {
      const text = payload.toString('utf8');
      const msg = output === 'json' ? String((JSON.parse(text) as { msg: unknown }).msg) : text;
      out.push(Number(/^line (\d+)/.exec(msg)![1]));
    }
  }
  return out;
}

describe('kinlog ship: kill -9 and restart', function () {
  this.timeout(300_000);

  for (const mode of MODES) {
    it(`${mode.name}: loses no line over 10 kills of a growing 200,000-line file; duplicates per kill ≤ the in-flight window (${mode.bound} lines)`, async () => {
      await killAndRestart(mode);
    });
  }
});

async function killAndRestart(mode: KillMode): Promise<void> {
  {
    // Two shards each: readAllRecords spreads one shard's records into an array.
    const streams: string[] = [];
    for (let run = 0; run <= KILLS; run++) streams.push(await createTestStream(2));
    const dir = await tempDir('ship-kill-');
    const file = join(dir, 'app.log');
    const stateDir = join(dir, 'state');
    writeFileSync(file, '');
    const configFor = async (run: number): Promise<string> => {
      const path = join(dir, `ship-${run}.json`);
      await writeFile(
        path,
        JSON.stringify({
          stateDir,
          pollIntervalMs: 20,
          statsIntervalMs: 0,
          sink: { flushIntervalMs: 50, maxInFlight: MAX_IN_FLIGHT, ...mode.sink },
          flows: [
            {
              name: 'app',
              paths: [file],
              stream: streams[run],
              parser: 'raw',
              output: mode.output,
            },
          ],
        }),
      );
      return path;
    };

    // The writer grows the file over ~10 s, in the background of the kills.
    let written = 0;
    const writer = (async () => {
      while (written < TOTAL_LINES) {
        let text = '';
        const until = Math.min(TOTAL_LINES, written + 1_000);
        for (; written < until; written++) text += `line ${written} ${'p'.repeat(60)}\n`;
        appendFileSync(file, text);
        await delay(50);
      }
    })();

    const random = mulberry32(20240601);
    let proc: ShipProcess | undefined;
    for (let run = 0; run < KILLS; run++) {
      proc = spawnShip(['--config', await configFor(run)]);
      await delay(700 + Math.floor(random() * 1_500));
      proc.child.kill('SIGKILL');
      const { signal } = await proc.exited;
      expect(signal, proc.output()).to.equal('SIGKILL');
    }
    await writer;
    const last = spawnShip(['--config', await configFor(KILLS)], { KINLOG_FIXTURE_SAY_READY: '1' });
    proc = last;
    const committed = async (): Promise<number> => {
      try {
        const state = JSON.parse(
          await readFile(join(stateDir, STATE_FILE_NAME), 'utf8'),
        ) as ShipState;
        return state.files[0]?.offset ?? 0;
      } catch {
        return 0;
      }
    };
    const fileSize = statSync(file).size;
    await waitFor(
      async () =>
        last.output().includes('fixture: signals handled') && (await committed()) === fileSize,
      'the last run to start and commit the whole file',
      120_000,
    );
    proc.child.kill('SIGTERM');
    const exit = await proc.exited;
    expect(exit.code, proc.output()).to.equal(143);

    const received: number[][] = [];
    for (let run = 0; run <= KILLS; run++) {
      received.push(await lineNumbers(streams[run]!, mode.output));
    }
    const counts = new Map<number, number>();
    for (const n of received.flat()) counts.set(n, (counts.get(n) ?? 0) + 1);
    const { missing, duplicates } = lossAndDuplicates(counts, TOTAL_LINES);
    // Duplicates caused by kill k: lines of run k+1 already sent by an earlier run.
    const sentBefore = new Set<number>();
    const perKill: number[] = [];
    for (let run = 0; run <= KILLS; run++) {
      const mine = received[run]!;
      if (run > 0) perKill.push(mine.filter((n) => sentBefore.has(n)).length);
      for (const n of mine) sentBefore.add(n);
    }
    console.log(
      `      ${mode.name}: ${TOTAL_LINES} lines, ${KILLS} kills: lost ${missing.length}, duplicates ${duplicates}; per kill: ${perKill.join(', ')}`,
    );
    expect(missing.length, `lost lines, first: ${missing.slice(0, 5).join(', ')}`).to.equal(0);
    // Reading waits while the window is put and not yet durably committed: that is all a kill
    // can re-send, even with requests acknowledged while offsets were being written.
    for (const d of perKill)
      expect(d, `duplicates per kill: ${perKill.join(', ')}`).to.be.at.most(mode.bound);
  }
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
