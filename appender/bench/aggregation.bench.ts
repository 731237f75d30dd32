/**
 * What KPL aggregation and gzip buy: 1,000,000 log lines of 200 bytes through KinesisSink, one
 * Kinesis record per line against aggregated records, with random and per-tenant partition keys,
 * with and without gzip. Counts what the null endpoint received (PutRecords entries, request
 * bytes: JSON with base64 data) and what each variant cost (events/s, CPU, peak RSS).
 *
 *   parent: null endpoint, routing by hash key ◄── PutRecords ── child per variant (own process):
 *           table and ratios ◄────────────────── IPC result ──── one pass of all events, close()
 *
 * The endpoint answers each entry with the shard its key hashes to, as Kinesis does, so the
 * sink's shard prediction holds and no aggregate is put twice. No warm-up round: a pass is long
 * enough that JIT warm-up is noise, and every variant pays it alike. Printed, never asserted.
 *
 * gzip variants put fewer lines (KINLOG_BENCH_GZIP_EVENTS): gzip runs once per 200-byte line, at
 * tens of µs each, and a million of them would not fit in the time a bench may take; their
 * bytes are compared per line.
 *
 * Environment: KINLOG_BENCH_EVENTS (default 1,000,000), KINLOG_BENCH_GZIP_EVENTS (default
 * 100,000), KINLOG_BENCH_ONLY=name,name.
 */
import { availableParallelism, loadavg } from 'node:os';
import { NullKinesisRouting, startNullKinesis, type NullKinesisStats } from '@kinlog/testkit';
import { KinesisSink, type KinesisSinkOptions, type SinkStats } from '../src/index.js';
import {
  BenchDefaults,
  envInt,
  fmt,
  forkBenchChild,
  reportToParent,
  secondsSince,
} from './support/bench-harness.js';
import { LogLineDefaults, logLineAt } from './support/log-line-events.js';

const AggregationBench = {
  EVENTS: 1_000_000,
  GZIP_EVENTS: 100_000,
  SHARD_COUNT: 4,
  /** A stuck child is killed well inside the 90 s a bench may take. */
  CHILD_TIMEOUT_MS: 60_000,
  /** Aggregated Kinesis records per line-per-record Kinesis records, at most. */
  TARGET_RECORD_RATIO: 1 / 100,
} as const;

interface Variant {
  name: string;
  options: Pick<KinesisSinkOptions, 'aggregation' | 'compression' | 'partitionKey'>;
}

const events = envInt('KINLOG_BENCH_EVENTS') ?? AggregationBench.EVENTS;
const gzipEvents = Math.min(
  events,
  envInt('KINLOG_BENCH_GZIP_EVENTS') ?? AggregationBench.GZIP_EVENTS,
);

function linesOf(variant: Variant): number {
  return variant.options.compression === 'gzip' ? gzipEvents : events;
}

const BY_TENANT = { field: LogLineDefaults.TENANT_FIELD } as const;
const VARIANTS: readonly Variant[] = [
  { name: 'per line, random key', options: {} },
  { name: 'per line, tenant key', options: { partitionKey: BY_TENANT } },
  { name: 'aggregated, random key', options: { aggregation: true } },
  { name: 'aggregated, tenant key', options: { aggregation: true, partitionKey: BY_TENANT } },
  { name: 'aggregated, random key, gzip', options: { aggregation: true, compression: 'gzip' } },
  {
    name: 'aggregated, tenant key, gzip',
    options: { aggregation: true, compression: 'gzip', partitionKey: BY_TENANT },
  },
];

/** What a child reports. */
interface ChildResult {
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  sink: SinkStats;
}

interface Row {
  variant: Variant;
  lines: number;
  result?: ChildResult;
  endpoint?: NullKinesisStats;
  problems: string[];
}

if (process.argv[2] === '--variant') {
  const variant = VARIANTS.find((v) => v.name === process.argv[3]);
  if (variant === undefined) throw new Error(`unknown variant ${process.argv[3]}`);
  reportToParent(await runVariant(variant, process.argv[4] ?? ''));
} else {
  await main();
}

async function runVariant(variant: Variant, endpoint: string): Promise<ChildResult> {
  const sink = new KinesisSink({
    streamName: BenchDefaults.STREAM_NAME,
    region: BenchDefaults.REGION,
    endpoint,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    wireProtocol: BenchDefaults.WIRE_PROTOCOL,
    ...variant.options,
  });
  const lines = linesOf(variant);
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  // The first line goes out alone, so aggregating variants have their shard map before the
  // flood: lines put before it arrives wait in one list, and a list of a few hundred thousand
  // lines overflows the stack when the map is applied (`push(...pending)` in the sink).
  sink.put(logLineAt(0));
  await sink.flush();
  for (let i = 1; i < lines; i++) if (!sink.put(logLineAt(i))) await sink.ready();
  await sink.close();
  const seconds = secondsSince(started);
  const cpu = process.cpuUsage(cpuBefore);
  return {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    // maxRSS is in KiB on Linux.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    sink: sink.stats(),
  };
}

async function main(): Promise<void> {
  const only = process.env.KINLOG_BENCH_ONLY?.split(',');
  const endpoint = await startNullKinesis({
    shardCount: AggregationBench.SHARD_COUNT,
    routing: NullKinesisRouting.HASH_KEY,
  });
  const startedAt = performance.now();
  const rows: Row[] = [];
  try {
    for (const variant of VARIANTS) {
      if (only !== undefined && !only.includes(variant.name)) continue;
      rows.push(await runChild(variant, endpoint.url, () => endpoint.stats()));
    }
  } finally {
    await endpoint.close();
  }
  printReport(rows, (performance.now() - startedAt) / 1000);
  if (rows.some((r) => r.problems.length > 0)) process.exitCode = 1;
}

async function runChild(
  variant: Variant,
  url: string,
  endpointStats: () => NullKinesisStats,
): Promise<Row> {
  const lines = linesOf(variant);
  const { result, endpoint, exit } = await forkBenchChild<ChildResult>(
    ['--variant', variant.name, url],
    { timeoutMs: AggregationBench.CHILD_TIMEOUT_MS, endpointStats },
  );
  if (result === undefined) {
    return { variant, lines, problems: [`exited with ${exit} before reporting`] };
  }
  return { variant, lines, result, endpoint, problems: problemsOf(lines, result.sink, endpoint) };
}

/** A run only counts if every line arrived exactly once, each Kinesis record sent once. */
function problemsOf(lines: number, sink: SinkStats, endpoint: NullKinesisStats): string[] {
  const problems: string[] = [];
  if (sink.recordsSent !== lines) problems.push(`sink sent ${sink.recordsSent} of ${lines}`);
  if (sink.droppedTotal > 0) problems.push(`sink dropped ${sink.droppedTotal}`);
  if (sink.userRecordsRerouted > 0) problems.push(`${sink.userRecordsRerouted} lines rerouted`);
  if (endpoint.entries !== sink.kinesisRecordsSent) {
    problems.push(
      `endpoint counted ${endpoint.entries} entries, sink ${sink.kinesisRecordsSent} records`,
    );
  }
  return problems;
}

function printReport(rows: Row[], seconds: number): void {
  console.log(
    `\nKPL aggregation and gzip: ${fmt(events)} lines (gzip: ${fmt(gzipEvents)}) × ${LogLineDefaults.LINE_BYTES} B, ` +
      `${AggregationBench.SHARD_COUNT} shards, one process per variant, ${seconds.toFixed(1)} s`,
  );
  const load = loadavg()[0]!.toFixed(1);
  console.log(`machine: ${availableParallelism()} CPUs, load average ${load} at the end`);
  const header = [
    'variant',
    'lines',
    'events/s',
    'CPU s',
    'peak RSS MB',
    'PutRecords',
    'Kinesis records',
    'lines/record',
    'wire MB',
    'wire B/line',
  ];
  const table = rows.map((r) => {
    const x = r.result;
    const e = r.endpoint;
    if (x === undefined || e === undefined) return [r.variant.name, fmt(r.lines), 'failed'];
    return [
      r.variant.name,
      fmt(r.lines),
      fmt(r.lines / x.seconds),
      x.cpuSeconds.toFixed(2),
      x.peakRssMb.toFixed(0),
      fmt(e.putRequests),
      fmt(e.entries),
      (r.lines / e.entries).toFixed(1),
      (e.bytes / 1e6).toFixed(1),
      (e.bytes / r.lines).toFixed(1),
    ];
  });
  const widths = header.map((h, i) =>
    Math.max(h.length, ...table.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const row of table) console.log(line(row));
  for (const r of rows) for (const p of r.problems) console.log(`! ${r.variant.name}: ${p}`);

  const of = (name: string): Row | undefined =>
    rows.find((r) => r.variant.name === name && r.problems.length === 0);
  const ratio = (label: string, a: string, b: string, metric: (r: Row) => number): void => {
    const x = of(a);
    const y = of(b);
    if (x === undefined || y === undefined) return;
    const value = metric(x) / metric(y);
    const target =
      metric === entries
        ? ` = 1/${(1 / value).toFixed(0)} (target ≤ 1/${1 / AggregationBench.TARGET_RECORD_RATIO}: ${value <= AggregationBench.TARGET_RECORD_RATIO ? 'met' : 'missed'})`
        : '';
    console.log(`ratio ${label}: ${value.toFixed(value < 0.1 ? 5 : 3)}×${target}`);
  };
  for (const key of ['random key', 'tenant key']) {
    ratio(
      `Kinesis records, aggregated ÷ per line, ${key}`,
      `aggregated, ${key}`,
      `per line, ${key}`,
      entries,
    );
  }
  for (const key of ['random key', 'tenant key']) {
    ratio(
      `wire bytes/line, aggregated ÷ per line, ${key}`,
      `aggregated, ${key}`,
      `per line, ${key}`,
      wireBytes,
    );
  }
  for (const key of ['random key', 'tenant key']) {
    ratio(
      `wire bytes/line, gzip ÷ none, aggregated, ${key}`,
      `aggregated, ${key}, gzip`,
      `aggregated, ${key}`,
      wireBytes,
    );
  }
  for (const key of ['random key', 'tenant key']) {
    ratio(
      `events/s, aggregated ÷ per line, ${key}`,
      `aggregated, ${key}`,
      `per line, ${key}`,
      (r) => r.lines / r.result!.seconds,
    );
    ratio(
      `CPU s/line, aggregated ÷ per line, ${key}`,
      `aggregated, ${key}`,
      `per line, ${key}`,
      (r) => r.result!.cpuSeconds / r.lines,
    );
  }
}

function entries(r: Row): number {
  return r.endpoint!.entries / r.lines;
}

function wireBytes(r: Row): number {
  return r.endpoint!.bytes / r.lines;
}
