/**
 * Runs each variant of a benchmark in a child process of its own (clean CPU counters, peak RSS
 * and JIT state) against one null Kinesis endpoint hosted by the parent, which is idle while a
 * child runs, then prints a table and the ratios against a baseline measured in the same run.
 * Timings are printed, never asserted: machines are noisy.
 *
 *   parent: null endpoint ◄──── PutRecords ──── child per variant:
 *           table, ratios  ◄──── IPC result ──── warm-up round, ROUNDS measured rounds (median)
 *
 * Environment: KINLOG_BENCH_EVENTS / KINLOG_BENCH_ROUNDS shrink or grow a run,
 * KINLOG_BENCH_ONLY=name,name runs some variants, KINLOG_BENCH_PROFILE=dir writes a
 * `--cpu-prof` profile of each child into dir, KINLOG_BENCH_VERBOSE=1 prints every round.
 */
import { fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { startNullKinesis, type NullKinesisStats } from '@kinlog/testkit';

/** How long a profiled bench child may take to end on its own after reporting. */
const PROFILED_EXIT_GRACE_MS = 10_000;

/** Defaults of {@link runBench}. */
export const BenchDefaults = {
  EVENTS: 200_000,
  ROUNDS: 5,
  WARMUP_FRACTION: 0.25,
  /** Wall time all variants of a bench may spend measuring; rounds stop early past it. */
  BENCH_BUDGET_MS: 48_000,
  /** Only a child stuck far past its budget is killed. */
  CHILD_TIMEOUT_MS: 120_000,
  STREAM_NAME: 'bench',
  REGION: 'us-east-1',
  /**
   * Forced: the null endpoint plays Kinesis itself, and against AWS's own endpoints `auto` (the
   * default) picks CBOR; left to `auto`, a local endpoint would be sent JSON.
   */
  WIRE_PROTOCOL: 'cbor',
} as const;

/** Where a variant sends its records. */
export interface BenchContext {
  endpoint: string;
  streamName: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** What the sink is told to speak (see {@link BenchDefaults.WIRE_PROTOCOL}). */
  wireProtocol: 'cbor';
}

/** One measured round: `events` calls, how long the calls took, how long until all were out. */
export interface RoundTiming {
  callSeconds: number;
  totalSeconds: number;
}

export interface BenchVariant {
  name: string;
  /** Whether every event of every round must arrive at the null endpoint. */
  toKinesis: boolean;
  /** One round of `events` events; a fresh logger or sink each time, closed at the end. */
  round(ctx: BenchContext, events: number): Promise<RoundTiming>;
}

/** What a child reports. */
export interface VariantResult {
  callsPerSec: number;
  deliveredPerSec: number;
  cpuSeconds: number;
  peakRssMb: number;
  rounds: number;
  measuredEvents: number;
  expectedEntries: number;
}

/** `of` / `over`, on one metric, with the target to compare with (printed, not asserted). */
export interface BenchRatio {
  label: string;
  of: string;
  over: string;
  metric: 'callsPerSec' | 'deliveredPerSec' | 'peakRssMb';
  target?: number;
  /** Whether the target is a ceiling (memory) rather than a floor (rates). */
  targetIsMax?: boolean;
}

export interface BenchSpec {
  title: string;
  variants: BenchVariant[];
  ratios: BenchRatio[];
  events?: number;
  rounds?: number;
}

interface Row {
  name: string;
  result?: VariantResult;
  endpoint?: NullKinesisStats;
  failure?: string;
}

/**
 * Entry point of a `*.bench.ts` file: in the parent, orchestrates and prints; in a child
 * (`--variant name endpoint`), measures one variant and sends the result back.
 *
 * @example
 * ```ts
 * await runBench({ title: 'sink', variants: [a, b], ratios: [{ label: 'x', of: 'a', over: 'b', metric: 'callsPerSec' }] });
 * ```
 */
export async function runBench(spec: BenchSpec): Promise<void> {
  const events = envInt('KINLOG_BENCH_EVENTS') ?? spec.events ?? BenchDefaults.EVENTS;
  const rounds = envInt('KINLOG_BENCH_ROUNDS') ?? spec.rounds ?? BenchDefaults.ROUNDS;
  if (process.argv[2] === '--variant') {
    const variant = spec.variants.find((v) => v.name === process.argv[3]);
    if (variant === undefined) throw new Error(`unknown variant ${process.argv[3]}`);
    const budgetMs = BenchDefaults.BENCH_BUDGET_MS / spec.variants.length;
    const ctx = contextFor(process.argv[4] ?? '');
    reportToParent(await measureVariant(variant, ctx, events, rounds, budgetMs));
    return;
  }
  const only = process.env.KINLOG_BENCH_ONLY?.split(',');
  const endpoint = await startNullKinesis();
  const startedAt = performance.now();
  const rows: Row[] = [];
  try {
    for (const variant of spec.variants) {
      if (only !== undefined && !only.includes(variant.name)) continue;
      rows.push(await runChild(variant.name, endpoint.url, () => endpoint.stats()));
    }
  } finally {
    await endpoint.close();
  }
  printReport(spec, rows, events, rounds, (performance.now() - startedAt) / 1000);
  if (rows.some((r) => r.failure !== undefined)) process.exitCode = 1;
}

async function measureVariant(
  variant: BenchVariant,
  ctx: BenchContext,
  events: number,
  rounds: number,
  budgetMs: number,
): Promise<VariantResult> {
  const startedAt = performance.now();
  const warmup = Math.max(1, Math.round(events * BenchDefaults.WARMUP_FRACTION));
  await variant.round(ctx, warmup);
  const cpuBefore = process.cpuUsage();
  const timings: RoundTiming[] = [];
  // On a busy machine fewer rounds, not a longer run: at least one round always.
  while (timings.length < rounds) {
    const timing = await variant.round(ctx, events);
    timings.push(timing);
    if (process.env.KINLOG_BENCH_VERBOSE !== undefined) printRound(variant.name, events, timing);
    if (performance.now() - startedAt > budgetMs) break;
  }
  const cpu = process.cpuUsage(cpuBefore);
  return {
    callsPerSec: median(timings.map((t) => events / t.callSeconds)),
    deliveredPerSec: median(timings.map((t) => events / t.totalSeconds)),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    // maxRSS is in KiB on Linux.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    rounds: timings.length,
    measuredEvents: events * timings.length,
    expectedEntries: variant.toKinesis ? warmup + events * timings.length : 0,
  };
}

async function runChild(
  name: string,
  url: string,
  endpointStats: () => NullKinesisStats,
): Promise<Row> {
  const profileDir = process.env.KINLOG_BENCH_PROFILE;
  const execArgv = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
  const { result, endpoint, exit } = await forkBenchChild<VariantResult>(['--variant', name, url], {
    timeoutMs: BenchDefaults.CHILD_TIMEOUT_MS,
    endpointStats,
    execArgv,
  });
  if (result === undefined) return { name, failure: `exited with ${exit} before reporting` };
  if (endpoint.entries !== result.expectedEntries) {
    return {
      name,
      result,
      endpoint,
      failure: `endpoint counted ${endpoint.entries} entries, expected ${result.expectedEntries}`,
    };
  }
  return { name, result, endpoint };
}

/** What a bench child reported, what the endpoint counted meanwhile, and how the child ended. */
export interface BenchChildOutcome<T> {
  result: T | undefined;
  endpoint: NullKinesisStats;
  exit: string;
}

/**
 * Runs this bench file again as a child with `args`, and waits for the one result it sends with
 * {@link reportToParent}. The child is ended here once it has reported (it may still hold idle
 * sockets), or killed after `timeoutMs`; `endpoint` is what the null endpoint counted meanwhile.
 *
 * @example
 * ```ts
 * const { result } = await forkBenchChild<Result>(['--variant', 'a', url], { timeoutMs, endpointStats });
 * ```
 */
export function forkBenchChild<T>(
  args: string[],
  options: { timeoutMs: number; endpointStats: () => NullKinesisStats; execArgv?: string[] },
): Promise<BenchChildOutcome<T>> {
  const before = options.endpointStats();
  const child = fork(process.argv[1]!, args, {
    execArgv: options.execArgv ?? [],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return new Promise((resolve) => {
    let result: T | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('message', (message) => {
      result = message as T;
      if (!(options.execArgv ?? []).includes('--cpu-prof')) child.kill();
      // A profiled child that still holds something past the grace is ended without its profile.
      else setTimeout(() => child.kill(), PROFILED_EXIT_GRACE_MS).unref();
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const after = options.endpointStats();
      resolve({
        result,
        endpoint: {
          requests: after.requests - before.requests,
          putRequests: after.putRequests - before.putRequests,
          cborPutRequests: after.cborPutRequests - before.cborPutRequests,
          entries: after.entries - before.entries,
          failedEntries: after.failedEntries - before.failedEntries,
          bytes: after.bytes - before.bytes,
        },
        exit: String(signal ?? code),
      });
    });
  });
}

/**
 * Sends a bench child's result to {@link forkBenchChild}, which then ends the child.
 *
 * @example
 * ```ts
 * reportToParent(await measure());
 * ```
 */
export function reportToParent(result: unknown): void {
  if (process.send === undefined)
    throw new Error('a bench child must be started by forkBenchChild');
  // A profiled child must end on its own (a killed process writes no --cpu-prof profile): it
  // lets go of the channel to its parent, the last thing holding it once its work is closed.
  const profiled = process.execArgv.includes('--cpu-prof');
  process.send(result, () => {
    if (profiled) process.disconnect();
  });
}

function printReport(
  spec: BenchSpec,
  rows: Row[],
  events: number,
  rounds: number,
  seconds: number,
): void {
  console.log(
    `\n${spec.title}: ${fmt(events)} events × up to ${rounds} rounds (median), one process per variant, ${seconds.toFixed(1)} s`,
  );
  // Ratios hold up under load better than absolute rates; say how busy the machine was.
  const load = loadavg()[0]!.toFixed(1);
  console.log(`machine: ${availableParallelism()} CPUs, load average ${load} at the end`);
  console.log(
    `wire protocol: ${BenchDefaults.WIRE_PROTOCOL} (wireProtocol: '${BenchDefaults.WIRE_PROTOCOL}': the null endpoint plays Kinesis, and auto picks CBOR against AWS's own endpoints)`,
  );
  const header = [
    'variant',
    'rounds',
    'calls/s',
    'delivered/s',
    'CPU s',
    'CPU µs/ev',
    'peak RSS MB',
    'PutRecords',
  ];
  const table = rows.map((r) => {
    const x = r.result;
    if (x === undefined) return [r.name, '-', 'failed', '', '', '', '', ''];
    return [
      r.name,
      String(x.rounds),
      fmt(x.callsPerSec),
      fmt(x.deliveredPerSec),
      x.cpuSeconds.toFixed(2),
      ((x.cpuSeconds * 1e6) / x.measuredEvents).toFixed(2),
      x.peakRssMb.toFixed(0),
      r.endpoint === undefined || r.endpoint.putRequests === 0 ? '-' : fmt(r.endpoint.putRequests),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const row of table) console.log(line(row));
  for (const r of rows) if (r.failure !== undefined) console.log(`! ${r.name}: ${r.failure}`);
  for (const ratio of spec.ratios) {
    const of = rows.find((r) => r.name === ratio.of)?.result;
    const over = rows.find((r) => r.name === ratio.over)?.result;
    if (of === undefined || over === undefined) continue;
    const value = of[ratio.metric] / over[ratio.metric];
    const max = ratio.targetIsMax === true;
    const met = ratio.target !== undefined && (max ? value <= ratio.target : value >= ratio.target);
    const target =
      ratio.target === undefined
        ? ''
        : ` (target ${max ? '≤' : '≥'} ${ratio.target}×: ${met ? 'met' : 'missed'})`;
    console.log(`ratio ${ratio.label}: ${value.toFixed(2)}×${target}`);
  }
}

function contextFor(endpoint: string): BenchContext {
  return {
    endpoint,
    streamName: BenchDefaults.STREAM_NAME,
    region: BenchDefaults.REGION,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    wireProtocol: BenchDefaults.WIRE_PROTOCOL,
  };
}

/** One measured round, on stderr (KINLOG_BENCH_VERBOSE): to see the spread behind a median. */
function printRound(name: string, events: number, t: RoundTiming): void {
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
  process.stderr.write(
    `  ${name}: calls/s ${fmt(events / t.callSeconds)}, delivered/s ${fmt(events / t.totalSeconds)}, heap ${heapMb.toFixed(0)} MB\n`,
  );
}

/** Seconds since `startNs` (from `process.hrtime.bigint()`). */
export function secondsSince(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A count as printed in bench tables: rounded, with thousands separators. */
export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en');
}

/** A positive integer from the environment, to grow or shrink a bench run. */
export function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}
