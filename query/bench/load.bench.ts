// Loading decoded events into DuckDB, in one process, each measurement on a fresh database:
//
//   load       1,000,000 decoded events (as the analyzer's decoder hands them over, 20 % errors)
//              ─▶ StreamTableLoad, as queries load them: chunks of stream rows, each read by
//              read_csv + json_transform on one of two insert lanes while the next is encoded:
//              records/s
//              (wall, and CPU of the process), against DuckDB's own read_json (types detected)
//              over the same events already on disk as NDJSON. Target: ratio ≥ 0.5.
//   top-N      SELECT region, page, count(*) … LIMIT 10 over the loaded table, against the
//              analyzer's built-in classify + TopNAggregator over the same events: both times,
//              and the rows must be identical.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { classifyEvent, TopNAggregator } from '@kinlog/analyzer';
import { normalizeJsonEvent, type LogEvent } from '@kinlog/core';
import { QuerySession, quoteLiteral } from '../src/session/query-session.js';
import { SpoolDirectory } from '../src/load/ndjson-spool.js';
import { StreamTableLoad } from '../src/load/stream-table-load.js';

const EVENTS = Number(process.env.KINLOG_BENCH_EVENTS ?? 1_000_000);
const ROUNDS = Number(process.env.KINLOG_BENCH_ROUNDS ?? 2);
const T0_MS = Date.parse('2024-05-01T00:00:00Z');
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-south-1', 'sa-east-1'];
/**
 * A shard's first sequence number, and what the next adds: Kinesis counts records in the middle
 * of a 186-bit number written in 56 decimal digits, so a shard's numbers share only their first
 * digits (about 24).
 */
const FIRST_SEQUENCE = 49590338271490256608559692538361571095921575989136588898n;
const SEQUENCE_STEP = 2n ** 80n;
const PAGES = ['/cart', '/checkout', '/home', '/search', '/login', '/orders', '/api/items'];

function makeEvents(n: number): { events: LogEvent[]; lines: string[] } {
  const events: LogEvent[] = [];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const error = i % 5 === 0;
    const line = JSON.stringify({
      time: new Date(T0_MS + i * 10).toISOString(),
      level: error ? 'error' : 'info',
      msg: error ? `upstream timeout after ${i % 900} ms` : 'request done',
      status: error ? (i % 3 === 0 ? 503 : 500) : 200,
      region: REGIONS[(i * 7) % REGIONS.length],
      page: PAGES[(i * 13) % PAGES.length],
      host: `web-${i % 12}`,
      service: 'shop',
      reqId: `r-${i.toString(36)}`,
      durationMs: (i * 37) % 2000,
      user: { id: i % 5000, plan: i % 2 === 0 ? 'free' : 'pro' },
    });
    lines.push(line);
    events.push(normalizeJsonEvent(JSON.parse(line), line));
  }
  return { events, lines };
}

/** Wall time, and CPU time of the whole process (every DuckDB thread too): less noisy. */
async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; cpuMs: number; value: T }> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const value = await run();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, value };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** CPU time of the main thread (JavaScript) so far, from Linux's per-thread counters; else NaN. */
function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** Where the wall time of one load went, as seen from the main thread. */
interface LoadSplit {
  /** Adding rows (encoding and copying them into write buffers). */
  encodeMs: number;
  /** Waiting between pages: for a chunk lane to free up, or a write. */
  waitMs: number;
  /** From the last row to the table being complete (DuckDB inserting what is left). */
  tailMs: number;
  /** CPU of the main thread (10 ms ticks); the rest of the process's CPU is DuckDB's. */
  mainCpuMs: number;
}

async function main(): Promise<void> {
  const { events, lines } = makeEvents(EVENTS);
  // What Kinesis hands over with each record, made before timing.
  const seqs = events.map((_, i) => String(FIRST_SEQUENCE + BigInt(i) * SEQUENCE_STEP));
  const keys = Array.from({ length: 64 }, (_, i) => `k-${i}`);
  const spool = await SpoolDirectory.create();
  try {
    // The reference's input: the same events as NDJSON on disk, written before timing.
    const reference = join(spool.path, 'reference.ndjson');
    await writeFile(reference, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    let best = { ours: Infinity, reference: Infinity, oursCpu: Infinity, referenceCpu: Infinity };
    let bestSplit: (LoadSplit & { cpuMs: number }) | undefined;
    let loaded: QuerySession | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      const ref = await QuerySession.open();
      const r = await timed(() =>
        ref.exec(
          `CREATE TABLE logs AS SELECT * FROM read_json(${quoteLiteral(reference)}, format = 'newline_delimited')`,
        ),
      );
      ref.close();
      const session = await QuerySession.open();
      const split: LoadSplit = { encodeMs: 0, waitMs: 0, tailMs: 0, mainCpuMs: 0 };
      const o = await timed(async () => {
        const mainCpu = mainThreadCpuMs();
        let since = performance.now();
        // The loader of `kinlog query`, `kinlog export` and saved queries.
        const load = new StreamTableLoad(session, spool, 'logs', 'web-logs');
        for (let i = 0; i < events.length; i++) {
          load.row(events[i]!, lines[i]!, {
            shardId: 'shardId-000000000000',
            sequenceNumber: seqs[i]!,
            arrivalMs: T0_MS + i * 10,
            partitionKey: keys[i % 64],
            format: 'json',
          });
          // Pages of a GetRecords answer hold up to 10,000 records.
          if (i % 10_000 === 0) {
            const page = performance.now();
            split.encodeMs += page - since;
            await load.afterPage();
            since = performance.now();
            split.waitMs += since - page;
          }
        }
        const last = performance.now();
        split.encodeMs += last - since;
        await load.finish();
        split.tailMs = performance.now() - last;
        split.mainCpuMs = mainThreadCpuMs() - mainCpu;
      });
      if (o.ms < best.ours) bestSplit = { ...split, cpuMs: o.cpuMs };
      best = {
        ours: Math.min(best.ours, o.ms),
        reference: Math.min(best.reference, r.ms),
        oursCpu: Math.min(best.oursCpu, o.cpuMs),
        referenceCpu: Math.min(best.referenceCpu, r.cpuMs),
      };
      loaded?.close();
      loaded = session;
    }
    const oursRate = (EVENTS / best.ours) * 1000;
    const refRate = (EVENTS / best.reference) * 1000;
    console.log(`load ${fmt(EVENTS)} decoded events (best of ${ROUNDS})`);
    console.log(
      `  kinlog (encode + spool + read_csv, typed)  ${fmt(oursRate)} records/s  ` +
        `(${fmt(best.ours)} ms, CPU ${fmt(best.oursCpu)} ms)`,
    );
    console.log(
      `  DuckDB read_json over NDJSON on disk       ${fmt(refRate)} records/s  ` +
        `(${fmt(best.reference)} ms, CPU ${fmt(best.referenceCpu)} ms)`,
    );
    console.log(
      `  ratio ${(oursRate / refRate).toFixed(2)} (target ≥ 0.50); ` +
        `CPU ratio ${(best.referenceCpu / best.oursCpu).toFixed(2)}`,
    );
    if (bestSplit !== undefined) {
      const s = bestSplit;
      const perRow = (ms: number) => ((ms * 1000) / EVENTS).toFixed(2);
      console.log(
        `  kinlog's best load, wall: adding rows ${fmt(s.encodeMs)} ms, waiting between pages ` +
          `${fmt(s.waitMs)} ms, after the last row ${fmt(s.tailMs)} ms; CPU: JavaScript ` +
          `${fmt(s.mainCpuMs)} ms (${perRow(s.mainCpuMs)} µs/row), DuckDB and the rest ` +
          `${fmt(s.cpuMs - s.mainCpuMs)} ms (${perRow(s.cpuMs - s.mainCpuMs)} µs/row)`,
      );
    }

    const sql = `SELECT region, page, count(*) AS n FROM logs
      WHERE status >= 400 OR level IN ('error', 'fatal')
      GROUP BY region, page ORDER BY n DESC, region, page LIMIT 10`;
    const q = await timed(() => loaded!.run(sql));
    const b = await timed(() => {
      const topN = new TopNAggregator();
      for (const event of events) topN.add(classifyEvent(event));
      return Promise.resolve(topN.result(10));
    });
    const same =
      JSON.stringify(q.value.rows) ===
      JSON.stringify(b.value.rows.slice(0, 10).map((row) => [row.region, row.page, row.count]));
    console.log(`top-N over the ${fmt(EVENTS)} events`);
    console.log(`  SQL GROUP BY … LIMIT 10 (loaded table)  ${q.ms.toFixed(1)} ms`);
    console.log(`  built-in classify + TopNAggregator      ${b.ms.toFixed(1)} ms`);
    console.log(`  identical rows: ${same ? 'yes' : 'NO'}`);
    loaded?.close();
    if (!same) process.exitCode = 1;
  } finally {
    await spool.remove();
  }
}

await main();
