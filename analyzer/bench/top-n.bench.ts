// The analyzer's own pipeline, fed from memory instead of Kinesis, in child processes so one
// measurement's memory does not colour another's:
//
//   stored record bytes ─▶ analyzeShards: RecordDecoder ─▶ classifyEvent ─▶ TopNAggregator
//                      └─▶ reference:    TextDecoder ─▶ JSON.parse            (same bytes, same run)
//
//   throughput         1,000,000 stored records (20 % errors, and all errors), a warm-up round,
//                      then 5 interleaved runs of the pipeline and of the reference each: the
//                      ratio of every run (wall clock, and CPU time), their
//                      median and spread (targets ≥ 0.6 and, all errors, ≥ 0.35), peak RSS,
//                      and the garbage collection time inside each side of each run (a full
//                      mark-compact marks the million stored records too: it shows which runs
//                      it fell in).
//   memory             10,000,000 records with distinct (region, page) keys made page by page,
//                      default settings (bounded mode): peak RSS of the whole pipeline, next to
//                      the RSS after loading. Records are made as the SDK hands them over: each
//                      a small view into Node's shared Buffer pool (base64 decoding), none kept.
//   memory-read        the floor of that: the same records read through the same prefetching
//                      reader and only touched, in a process of its own. The pipeline's peak
//                      is printed as a ratio to it: what analysis adds to reading.
//   get-records        pages of 10,000 records (3.5 MB of JSON) served by a local HTTP server:
//                      KinesisShardSource.getRecords (JSON.parse, native base64) against the
//                      SDK's own GetRecords deserialization of the same answer, in the same run.
//   memory-aggregator  the same 10,000,000 distinct keys as classified events straight into a
//                      TopNAggregator at default settings, in a process that loads nothing else:
//                      peak RSS (target ≤ 100 MB). Loading the aggregator loads @kinlog/core and
//                      with it the AWS SDK (≈ 57 MB RSS, printed): that baseline is included.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import {
  constants as perfConstants,
  PerformanceObserver,
  type PerformanceEntry,
} from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TopNAggregator, TopNDefaults } from '../src/aggregate/top-n-aggregator.js';
import type { IteratorStart, RecordsPage, ShardInfo } from '../src/stream/shard-info.js';
import type { ShardSource } from '../src/stream/kinesis-shard-source.js';
import type { AnalyzePlan } from '../src/window/analyze-shards.js';

const MEMORY_RECORDS = 10_000_000;
const THROUGHPUT_RECORDS = 1_000_000;
const THROUGHPUT_RUNS = 5;
/** Analyzer records/s as a share of decode + JSON.parse, in every run: 20 % errors, all errors. */
const THROUGHPUT_TARGET = 0.6;
const THROUGHPUT_TARGET_ALL_ERRORS = 0.35;
/** Rounds of the get-records comparison, best of each. */
const GET_RECORDS_ROUNDS = 3;
const SHARDS = 4;
const T0_MS = Date.parse('2024-05-01T00:00:00Z');
const REGIONS = ['EU', 'NA', 'SA', 'APAC', 'AF', 'ME', 'eu-west-1', 'us-east-1'];
const PUBLIC_IPS = ['8.8.8.8', '81.2.69.142', '200.160.2.3', '41.0.0.1', '1.0.16.1', '5.62.60.1'];
const encoder = new TextEncoder();

/** Records of one shard, either stored or made on demand (10 M records do not fit in memory). */
type RecordAt = (index: number) => Uint8Array;

/** A `ShardSource` over in-memory shards: iterators are `shard:offset`, every shard is closed. */
class MemoryShardSource implements ShardSource {
  constructor(private readonly shards: readonly { count: number; at: RecordAt }[]) {}

  listShards(): Promise<ShardInfo[]> {
    return Promise.resolve(this.shards.map((_, i) => ({ shardId: `s${i}`, parentShardIds: [] })));
  }

  getIterator(_stream: string, shardId: string, start: IteratorStart): Promise<string> {
    const offset = start.type === 'afterSequenceNumber' ? Number(start.sequenceNumber) + 1 : 0;
    return Promise.resolve(`${shardId.slice(1)}:${offset}`);
  }

  getRecords(iterator: string, limit: number): Promise<RecordsPage> {
    const [shard, from] = iterator.split(':').map(Number) as [number, number];
    const { count, at } = this.shards[shard]!;
    const to = Math.min(count, from + limit);
    const records = [];
    for (let i = from; i < to; i++) {
      records.push({ sequenceNumber: String(i), data: at(i), arrivalMs: T0_MS + i });
    }
    return Promise.resolve({
      records,
      nextIterator: to === count ? undefined : `${shard}:${to}`,
      millisBehindLatest: count - to,
    });
  }

  close(): void {}
}

const plans: AnalyzePlan[] = Array.from({ length: SHARDS }, (_, i) => ({
  shardId: `s${i}`,
  parentShardIds: [],
}));

// Each mode imports what it runs, so memory-aggregator's process holds the aggregator alone.
const pipeline = () => import('../src/window/analyze-shards.js');

async function analyze(source: ShardSource) {
  const { analyzeShards } = await pipeline();
  // No GetRecords pacing: the source is memory, and pacing is not what is measured.
  return analyzeShards(source, plans, { stream: 'bench', minCallIntervalMs: 0 });
}

/** Digit-free names, so page folding keeps every key distinct. */
function letters(n: number): string {
  let s = '';
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n > 0);
  return s;
}

function distinctKeyLine(i: number): string {
  const where = i % 4 === 3 ? `"clientIp":"${PUBLIC_IPS[i % 6]}"` : `"region":"${REGIONS[i & 7]}"`;
  return `{"time":"${new Date(T0_MS + i).toISOString()}","level":"error",${where},"page":"/shop/${letters(i)}/reviews","msg":"upstream timeout after ${i % 5000}ms from 10.0.${i & 255}.${(i >> 8) & 255}:5432","reqId":"${i.toString(16).padStart(12, '0')}"}`;
}

function syntheticLine(i: number, allErrors: boolean): string {
  const time = new Date(T0_MS + i * 3).toISOString();
  const where = i % 2 === 0 ? `"region":"${REGIONS[i % 8]}"` : `"clientIp":"${PUBLIC_IPS[i % 6]}"`;
  const pick = allErrors ? 80 + (i % 20) : i % 100;
  if (pick < 80) {
    return `{"time":"${time}","level":"info","msg":"request completed","status":200,"path":"/api/items/${i % 977}?page=${i % 7}",${where},"durationMs":${i % 300}}`;
  }
  if (pick < 88) {
    return `{"time":"${time}","level":"error","msg":"request failed","status":${500 + (i % 4)},"path":"/api/orders/${i % 5000}/items",${where},"durationMs":${i % 3000}}`;
  }
  if (pick < 92) {
    return `{"time":"${time}","level":"warn","msg":"not found","status":404,"path":"/products/${i.toString(16)}ab12",${where}}`;
  }
  return `{"time":"${time}","level":50,"msg":"db query failed after ${i % 9000}ms on 10.1.${i & 255}.7:5432 for user ${i} (req 550e8400-e29b-41d4-a716-${i.toString(16).padStart(12, '0')})","page":"/checkout/${i % 13}",${where},"pid":${i % 64}}`;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en');
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

function distinctKeySource(): MemoryShardSource {
  const perShard = MEMORY_RECORDS / SHARDS;
  return new MemoryShardSource(
    Array.from({ length: SHARDS }, (_, s) => ({
      count: perShard,
      at: (i: number) => Buffer.from(distinctKeyLine(s * perShard + i)),
    })),
  );
}

/** Peak RSS of a child, sent to the parent so it can print ratios across children. */
function report(mode: string, line: string): void {
  console.log(line);
  process.send?.({ mode, peakRssMb: peakRssMb() });
}

async function memory(): Promise<void> {
  await pipeline();
  const baselineMb = process.memoryUsage().rss / 1024 / 1024;
  const started = performance.now();
  const { result, decode } = await analyze(distinctKeySource());
  const seconds = (performance.now() - started) / 1000;
  report(
    'memory',
    `memory: ${fmt(decode.events)} records, distinct keys ≈ ${fmt(result.totals.distinctKeys)}, ` +
      `maxDistinctKeys ${fmt(TopNDefaults.maxDistinctKeys)} (default), bounded ${String(result.bounded)}, ` +
      `errorBound ${fmt(result.errorBound)}: ${fmt(MEMORY_RECORDS / seconds)} records/s, ` +
      `RSS after loading ${baselineMb.toFixed(1)} MB, peak RSS ${peakRssMb().toFixed(1)} MB`,
  );
}

async function memoryRead(): Promise<void> {
  const { readShardsInOrder } = await import('../src/stream/read-shards-in-order.js');
  let bytes = 0;
  const steps = readShardsInOrder(distinctKeySource(), plans, {
    stream: 'bench',
    minCallIntervalMs: 0,
  });
  for await (const step of steps) {
    if (step.type === 'page') for (const record of step.records) bytes += record.data.length;
  }
  report(
    'memory-read',
    `memory-read: the same ${fmt(MEMORY_RECORDS)} records (${(bytes / 1e6).toFixed(0)} MB) only read: ` +
      `peak RSS ${peakRssMb().toFixed(1)} MB`,
  );
}

function memoryAggregator(): void {
  const baselineMb = process.memoryUsage().rss / 1024 / 1024;
  const topN = new TopNAggregator();
  const started = performance.now();
  for (let i = 0; i < MEMORY_RECORDS; i++) {
    // The line the pipeline would hand over, and the key and signature it would classify.
    const line = distinctKeyLine(i);
    topN.add(
      {
        kind: 'errorLevel',
        region: REGIONS[i & 7]!,
        page: `/shop/${letters(i)}/reviews`,
        signature: 'upstream timeout after <n>ms from <ip>',
      },
      line,
      T0_MS + i,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  const result = topN.result();
  report(
    'memory-aggregator',
    `memory-aggregator: ${fmt(MEMORY_RECORDS)} distinct keys, estimate ${fmt(result.totals.distinctKeys)}, ` +
      `maxDistinctKeys ${fmt(TopNDefaults.maxDistinctKeys)} (default), bounded ${String(result.bounded)}, ` +
      `errorBound ${fmt(result.errorBound)}: ${fmt(MEMORY_RECORDS / seconds)} adds/s, ` +
      `RSS after loading ${baselineMb.toFixed(1)} MB, peak RSS ${peakRssMb().toFixed(1)} MB (target ≤ 100)`,
  );
}

/** Median of a non-empty list of numbers. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function throughput(allErrors: boolean): Promise<void> {
  await pipeline();
  const perShard = THROUGHPUT_RECORDS / SHARDS;
  const stored = Array.from({ length: THROUGHPUT_RECORDS }, (_, i) =>
    encoder.encode(syntheticLine(i, allErrors)),
  );
  const bytes = stored.reduce((n, r) => n + r.length, 0);
  const source = new MemoryShardSource(
    Array.from({ length: SHARDS }, (_, s) => ({
      count: perShard,
      at: (i: number) => stored[s * perShard + i]!,
    })),
  );
  const textDecoder = new TextDecoder();
  let sink = 0;
  const parseRates: number[] = [];
  const analyzeRates: number[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  let errors = 0;
  // Interleaved runs over the same bytes, each a ratio of its own: the machine is shared, and
  // a ratio of two measurements taken seconds apart is what noise disturbs least. Every run is
  // printed, none is dropped. The ratio of the process's CPU time (GC threads included) is
  // printed too: on a loaded machine, wall time also counts the time spent waiting for a core.
  // One round of each first, not counted: both sides start compiled and with the setup's
  // garbage collected, as in a process that has been reading for a while. Its ratio is printed.
  let warmUp = 0;
  // Collections are observed on the same clock and told apart by when they started.
  const collections: PerformanceEntry[] = [];
  const gcObserver = new PerformanceObserver((list) => collections.push(...list.getEntries()));
  gcObserver.observe({ entryTypes: ['gc'] });
  /** Each counted run's reference and analyzer spans, in `performance.now()` time. */
  const spans: { parse: [number, number]; analyze: [number, number] }[] = [];
  for (let r = -1; r < THROUGHPUT_RUNS; r++) {
    let started = performance.now();
    let cpu = process.cpuUsage();
    for (const record of stored) {
      sink += (JSON.parse(textDecoder.decode(record)) as { status?: number }).status ?? 0;
    }
    const parseEnd = performance.now();
    const parseMs = parseEnd - started;
    const parseCpu = process.cpuUsage(cpu);
    const parseSpan: [number, number] = [started, parseEnd];
    started = performance.now();
    cpu = process.cpuUsage();
    const { result } = await analyze(source);
    const analyzeEnd = performance.now();
    const analyzeMs = analyzeEnd - started;
    const analyzeCpu = process.cpuUsage(cpu);
    if (r < 0) {
      warmUp = parseMs / analyzeMs;
      continue;
    }
    spans.push({ parse: parseSpan, analyze: [started, analyzeEnd] });
    cpuRatios.push((parseCpu.user + parseCpu.system) / (analyzeCpu.user + analyzeCpu.system));
    errors = result.totals.errors;
    parseRates.push(THROUGHPUT_RECORDS / (parseMs / 1000));
    analyzeRates.push(THROUGHPUT_RECORDS / (analyzeMs / 1000));
    ratios.push(parseMs / analyzeMs);
  }
  // Entries are handed to the observer asynchronously: let the last ones arrive.
  await new Promise((resolve) => setImmediate(resolve));
  collections.push(...gcObserver.takeRecords());
  gcObserver.disconnect();
  const gcIn = ([from, to]: [number, number]) => {
    let ms = 0;
    let majorMs = 0;
    for (const entry of collections) {
      if (entry.startTime < from || entry.startTime >= to) continue;
      ms += entry.duration;
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) majorMs += entry.duration;
    }
    return `${ms.toFixed(0)}${majorMs > 0 ? ` (${majorMs.toFixed(0)} full)` : ''}`;
  };
  const gcPerRun = spans.map((span) => `${gcIn(span.parse)}/${gcIn(span.analyze)}`).join(' ');
  const spread = (values: readonly number[], show: (n: number) => string) =>
    `median ${show(median(values))} (${show(Math.min(...values))}–${show(Math.max(...values))})`;
  const ratio = (n: number) => n.toFixed(2);
  const target = allErrors ? THROUGHPUT_TARGET_ALL_ERRORS : THROUGHPUT_TARGET;
  console.log(
    `throughput (${allErrors ? 'all errors' : '20 % errors'}, ${fmt(THROUGHPUT_RECORDS)} records, ` +
      `${(bytes / 1e6).toFixed(0)} MB, ${fmt(errors)} errors), ${THROUGHPUT_RUNS} runs after a warm-up ` +
      `(ratio ${ratio(warmUp)}): ` +
      `ratios ${ratios.map(ratio).join(' ')}, ${spread(ratios, ratio)} (target ≥ ${target} in every run); ` +
      `CPU-time ratios ${cpuRatios.map(ratio).join(' ')}, ${spread(cpuRatios, ratio)}; ` +
      `decode+JSON.parse records/s ${spread(parseRates, fmt)}, analyzer records/s ${spread(analyzeRates, fmt)}; ` +
      `GC ms per run, reference/analyzer (full mark-compact): ${gcPerRun}; ` +
      `peak RSS ${peakRssMb().toFixed(0)} MB (stored records included)` +
      (sink < 0 ? '' : ''),
  );
}

const GET_RECORDS_PAGE = 10_000;
const GET_RECORDS_CALLS = 20;

async function getRecords(): Promise<void> {
  const { GetRecordsCommand, KinesisClient } = await import('@aws-sdk/client-kinesis');
  const { awsClientConfig } = await import('@kinlog/core');
  const { KinesisShardSource } = await import('../src/stream/kinesis-shard-source.js');
  const answer = JSON.stringify({
    Records: Array.from({ length: GET_RECORDS_PAGE }, (_, i) => ({
      SequenceNumber: `4960${String(i).padStart(52, '0')}`,
      ApproximateArrivalTimestamp: T0_MS / 1000 + i / 1000,
      Data: Buffer.from(syntheticLine(i, false)).toString('base64'),
      PartitionKey: `k${i}`,
    })),
    NextShardIterator: 'next',
    MillisBehindLatest: 0,
  });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const connection = {
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  };
  const sdk = new KinesisClient(awsClientConfig(connection));
  const source = new KinesisShardSource(connection);
  let best = { sdk: Infinity, kinlog: Infinity };
  let records = 0;
  try {
    for (let round = 0; round < GET_RECORDS_ROUNDS; round++) {
      let started = performance.now();
      for (let i = 0; i < GET_RECORDS_CALLS; i++) {
        const out = await sdk.send(
          new GetRecordsCommand({ ShardIterator: 'it', Limit: GET_RECORDS_PAGE }),
        );
        records += out.Records?.length ?? 0;
      }
      const sdkMs = performance.now() - started;
      started = performance.now();
      for (let i = 0; i < GET_RECORDS_CALLS; i++) {
        records += (await source.getRecords('it', GET_RECORDS_PAGE)).records.length;
      }
      const kinlogMs = performance.now() - started;
      best = { sdk: Math.min(best.sdk, sdkMs), kinlog: Math.min(best.kinlog, kinlogMs) };
    }
  } finally {
    sdk.destroy();
    source.close();
    server.close();
  }
  const perPage = (ms: number) => (ms / GET_RECORDS_CALLS).toFixed(1);
  console.log(
    `get-records (${fmt(GET_RECORDS_PAGE)} records, ${(answer.length / 1e6).toFixed(1)} MB a page, ` +
      `${fmt(records)} read): SDK deserialization ${perPage(best.sdk)} ms a page, ` +
      `kinlog ${perPage(best.kinlog)} ms a page, ratio ${(best.sdk / best.kinlog).toFixed(2)}× faster`,
  );
}

const mode = process.argv[2];
if (mode === 'memory') await memory();
else if (mode === 'memory-read') await memoryRead();
else if (mode === 'memory-aggregator') memoryAggregator();
else if (mode === 'throughput') await throughput(false);
else if (mode === 'throughput-errors') await throughput(true);
else if (mode === 'get-records') await getRecords();
else {
  const self = fileURLToPath(import.meta.url);
  const only =
    mode === undefined
      ? [
          'memory-aggregator',
          'memory-read',
          'memory',
          'throughput',
          'throughput-errors',
          'get-records',
        ]
      : [mode];
  const peaks = new Map<string, number>();
  for (const child of only) {
    await new Promise<void>((resolve, reject) => {
      fork(self, [child], {
        stdio: 'inherit',
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      })
        .on('message', (message: { mode: string; peakRssMb: number }) =>
          peaks.set(message.mode, message.peakRssMb),
        )
        .on('error', reject)
        .on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`${child} exited with ${String(code)}`)),
        );
    });
  }
  const pipeline = peaks.get('memory');
  const floor = peaks.get('memory-read');
  if (pipeline !== undefined && floor !== undefined) {
    console.log(
      `memory: whole pipeline peak RSS ${(pipeline / floor).toFixed(2)}× that of reading the same records ` +
        `(${pipeline.toFixed(0)} / ${floor.toFixed(0)} MB)`,
    );
  }
}
