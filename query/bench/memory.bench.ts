// Peak RSS of a query over a 2,000,000-record window with --memory-limit 256MB (target < 600 MB),
// each run in a process of its own: records made page by page by an in-memory shard source (as
// Kinesis would hand them over), read, decoded and loaded as `kinlog query` does (through
// openWindowSession), then the top-N SQL. Prints each run, then min / median / max.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openWindowSession } from '../src/engine/window-session.js';
import type { IteratorStart, RecordsPage, ShardInfo, ShardSource } from '@kinlog/analyzer';

const RECORDS = Number(process.env.KINLOG_BENCH_MEMORY_RECORDS ?? 2_000_000);
const MEMORY_LIMIT = '256MB';
const RUNS = Number(process.env.KINLOG_BENCH_MEMORY_RUNS ?? 3);
/** Set in a run's own process. */
const RUN_ENV = 'KINLOG_BENCH_MEMORY_RUN';
const SHARDS = 2;
const PAGE = 10_000;
const T0_MS = Date.parse('2024-05-01T00:00:00Z');
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-south-1', 'sa-east-1'];
const PAGES = ['/cart', '/checkout', '/home', '/search', '/login', '/orders', '/api/items'];

function record(i: number): Uint8Array {
  const error = i % 5 === 0;
  return Buffer.from(
    JSON.stringify({
      time: new Date(T0_MS + i * 10).toISOString(),
      level: error ? 'error' : 'info',
      msg: error ? `upstream timeout after ${i % 900} ms` : 'request done',
      status: error ? 503 : 200,
      region: REGIONS[(i * 7) % REGIONS.length],
      page: PAGES[(i * 13) % PAGES.length],
      host: `web-${i % 12}`,
      reqId: `r-${i.toString(36)}`,
      durationMs: (i * 37) % 2000,
    }),
  );
}

/** Shards of RECORDS / SHARDS records each, made on demand; iterators are `shard:offset`. */
class MemoryShardSource implements ShardSource {
  private readonly perShard = Math.ceil(RECORDS / SHARDS);
  listShards(): Promise<ShardInfo[]> {
    return Promise.resolve(
      Array.from({ length: SHARDS }, (_, i) => ({
        shardId: `shardId-${i}`,
        parentShardIds: [],
        endingSequenceNumber: String(this.perShard),
      })),
    );
  }
  getIterator(_stream: string, shardId: string, start: IteratorStart): Promise<string> {
    const offset = start.type === 'afterSequenceNumber' ? Number(start.sequenceNumber) : 0;
    return Promise.resolve(`${shardId.slice(8)}:${offset}`);
  }
  getRecords(iterator: string, limit: number): Promise<RecordsPage> {
    const [shard, offset] = iterator.split(':').map(Number) as [number, number];
    const end = Math.min(this.perShard, offset + Math.min(limit, PAGE));
    const records = [];
    for (let i = offset; i < end; i++) {
      records.push({
        sequenceNumber: String(i + 1),
        data: record(shard * this.perShard + i),
        arrivalMs: T0_MS + i,
        partitionKey: `k${i % 64}`,
      });
    }
    return Promise.resolve({
      records,
      nextIterator: end >= this.perShard ? undefined : `${shard}:${end}`,
      millisBehindLatest: 0,
    });
  }
  close(): void {}
}

async function runOnce(): Promise<void> {
  const started = performance.now();
  const ws = await openWindowSession({
    tables: [{ table: 'logs', stream: 'memory' }],
    window: { type: 'wholeStream' },
    memoryLimit: MEMORY_LIMIT,
    source: new MemoryShardSource(),
    minCallIntervalMs: 0,
  });
  try {
    const loadedMs = performance.now() - started;
    const top = await ws.session.run(
      `SELECT region, page, count(*) AS n FROM logs WHERE status >= 400 OR level IN ('error', 'fatal')
       GROUP BY region, page ORDER BY n DESC, region, page LIMIT 10`,
    );
    const rssMb = process.resourceUsage().maxRSS / 1024;
    console.log(
      `memory: ${ws.loaded[0]!.rows.toLocaleString('en-US')} records loaded in ${(loadedMs / 1000).toFixed(1)} s ` +
        `with --memory-limit ${MEMORY_LIMIT}, top-N ${top.rows.length} rows; peak RSS ${rssMb.toFixed(0)} MB (target < 600 MB)`,
    );
  } finally {
    await ws.close();
  }
}

if (process.env[RUN_ENV] === '1') {
  await runOnce();
} else {
  const peaks: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url)], {
      env: { ...process.env, [RUN_ENV]: '1' },
      encoding: 'utf8',
    });
    process.stdout.write(out);
    const peak = /peak RSS (\d+) MB/.exec(out);
    if (peak === null) throw new Error(`a run printed no peak RSS: ${out}`);
    peaks.push(Number(peak[1]));
  }
  peaks.sort((a, b) => a - b);
  const median = peaks[Math.floor(peaks.length / 2)]!;
  console.log(
    `memory: peak RSS over ${peaks.length} runs: min ${peaks[0]} / median ${median} / max ${peaks[peaks.length - 1]} MB (target < 600 MB)`,
  );
}
