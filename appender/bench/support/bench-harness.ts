/**
 * Runs each variant of a benchmark in a fresh child process per pass (clean CPU counters, peak RSS
 * and JIT state) against one null Kinesis endpoint hosted by the parent, which is idle while a
 * child runs, then prints a table and the ratios against a baseline measured in the same run.
 * Timings are printed, never asserted: machines are noisy.
 *
 *   parent: null endpoint ◄──── PutRecords ──── child per variant per pass:
 *           table, ratios  ◄──── IPC result ──── warm-up round, ROUNDS measured rounds
 *
 *   pass 1: A B   pass 2: B A   pass 3: A B   …   ratio of each pass → median, min–max
 *
 * Why passes are interleaved: on a shared machine the load changes within seconds. Run one
 * variant after the other in one window each, and a ratio of two medians taken a minute apart
 * carries whatever the load did in between (File seen at 26k-57k events/s and kinlog at
 * 29k-101k within one run). Here every pass runs every variant once, in alternating order so
 * neither side always goes first, each child with the same warm-up and the same number of
 * measured rounds; a ratio is taken inside each pass from that pass's own children, and the
 * bench prints each pass's ratio, their median (the ratio reported against the target) and their
 * spread. The table gives per-variant medians over all rounds, CPU summed over the children and
 * the highest peak RSS any child of the variant reached.
 *
 * Environment: KINLOG_BENCH_EVENTS (events per round) / KINLOG_BENCH_ROUNDS (measured rounds per
 * child, default 1) / KINLOG_BENCH_PASSES (passes; by default up to 5, fewer but at least 2
 * where more would overrun the bench's time budget; when set, exactly that many, however long
 * they take) shrink or grow a run, KINLOG_BENCH_ONLY=name,name runs some
 * variants, KINLOG_BENCH_PROFILE=dir writes a `--cpu-prof` profile of each child into dir,
 * KINLOG_BENCH_VERBOSE=1 prints every round.
 */
import { fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { startNullKinesis, type NullKinesisStats } from '@kinlog/testkit';
import { passOrder, startsAnotherPass } from './pass-plan.js';
import {
  median,
  passRatios,
  summarizeVariant,
  type RatioMetric,
  type VariantResult,
} from './pass-summary.js';

export type { VariantResult } from './pass-summary.js';

/** How long a profiled bench child may take to end on its own after reporting. */
const PROFILED_EXIT_GRACE_MS = 10_000;

/** Defaults of {@link runBench}. */
export const BenchDefaults = {
  EVENTS: 200_000,
  /** Measured rounds per child: few, so the two sides of a pass run close together in time. */
  ROUNDS: 1,
  /** Passes asked for; each runs every variant once (see {@link passOrder}). */
  PASSES: 5,
  /** Passes run whatever the budget: one of each order. */
  MIN_PASSES: 2,
  WARMUP_FRACTION: 0.25,
  /** Wall time all passes of a bench may spend (see {@link startsAnotherPass}). */
  BENCH_BUDGET_MS: 48_000,
  /** Only a child stuck far longer than a pass may take is killed. */
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

/**
 * `of` / `over`, on one metric, with the target to compare with (printed, not asserted): taken
 * in each pass, reported as the median of the passes.
 */
export interface BenchRatio {
  label: string;
  of: string;
  over: string;
  metric: RatioMetric;
  target?: number;
  /** Whether the target is a ceiling (memory) rather than a floor (rates). */
  targetIsMax?: boolean;
}

export interface BenchSpec {
  title: string;
  variants: BenchVariant[];
  ratios: BenchRatio[];
  events?: number;
  /** Measured rounds per child. */
  rounds?: number;
  passes?: number;
}

/** One child: one variant in one pass. */
interface Row {
  name: string;
  /** 1-based. */
  pass: number;
  result?: VariantResult;
  endpoint?: NullKinesisStats;
  failure?: string;
}

/** How a run went, for the report. */
interface RunShape {
  events: number;
  rounds: number;
  passes: number;
  passesRun: number;
  seconds: number;
}

/**
 * Entry point of a `*.bench.ts` file: in the parent, runs the passes and prints; in a child
 * (`--variant name endpoint pass`), measures one variant and sends the result back.
 *
 * @example
 * ```ts
 * await runBench({ title: 'sink', variants: [a, b], ratios: [{ label: 'x', of: 'a', over: 'b', metric: 'callsPerSec' }] });
 * ```
 */
export async function runBench(spec: BenchSpec): Promise<void> {
  const events = envInt('KINLOG_BENCH_EVENTS') ?? spec.events ?? BenchDefaults.EVENTS;
  const rounds = envInt('KINLOG_BENCH_ROUNDS') ?? spec.rounds ?? BenchDefaults.ROUNDS;
  const passesAsked = envInt('KINLOG_BENCH_PASSES');
  const passes = passesAsked ?? spec.passes ?? BenchDefaults.PASSES;
  if (process.argv[2] === '--variant') {
    const variant = spec.variants.find((v) => v.name === process.argv[3]);
    if (variant === undefined) throw new Error(`unknown variant ${process.argv[3]}`);
    const ctx = contextFor(process.argv[4] ?? '');
    const label = `${variant.name} (pass ${process.argv[5] ?? '?'})`;
    reportToParent(await measureVariant(variant, label, ctx, events, rounds));
    return;
  }
  const only = process.env.KINLOG_BENCH_ONLY?.split(',');
  const names = spec.variants
    .map((v) => v.name)
    .filter((name) => only === undefined || only.includes(name));
  const endpoint = await startNullKinesis();
  const startedAt = performance.now();
  const rows: Row[] = [];
  let passesRun = 0;
  try {
    while (
      startsAnotherPass({
        passesDone: passesRun,
        passes,
        // Passes asked for by name all run: a longer run for a steadier median is a choice.
        minPasses: passesAsked ?? Math.min(passes, BenchDefaults.MIN_PASSES),
        elapsedMs: performance.now() - startedAt,
        budgetMs: BenchDefaults.BENCH_BUDGET_MS,
      })
    ) {
      passesRun++;
      for (const name of passOrder(names, passesRun - 1)) {
        rows.push(await runChild(name, passesRun, endpoint.url, () => endpoint.stats()));
      }
    }
  } finally {
    await endpoint.close();
  }
  const seconds = (performance.now() - startedAt) / 1000;
  printReport(spec, names, rows, { events, rounds, passes, passesRun, seconds });
  if (rows.some((r) => r.failure !== undefined)) process.exitCode = 1;
}

/** One child's work: the warm-up round, then exactly `rounds` measured rounds. */
async function measureVariant(
  variant: BenchVariant,
  label: string,
  ctx: BenchContext,
  events: number,
  rounds: number,
): Promise<VariantResult> {
  const warmup = Math.max(1, Math.round(events * BenchDefaults.WARMUP_FRACTION));
  await variant.round(ctx, warmup);
  const cpuBefore = process.cpuUsage();
  const timings: RoundTiming[] = [];
  // No time budget here: every child of a pass does the same work (the parent runs fewer passes
  // on a busy machine instead).
  while (timings.length < rounds) {
    const timing = await variant.round(ctx, events);
    timings.push(timing);
    if (process.env.KINLOG_BENCH_VERBOSE !== undefined) printRound(label, events, timing);
  }
  const cpu = process.cpuUsage(cpuBefore);
  const callsPerSecRounds = timings.map((t) => events / t.callSeconds);
  const deliveredPerSecRounds = timings.map((t) => events / t.totalSeconds);
  return {
    callsPerSec: median(callsPerSecRounds),
    deliveredPerSec: median(deliveredPerSecRounds),
    callsPerSecRounds,
    deliveredPerSecRounds,
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
  pass: number,
  url: string,
  endpointStats: () => NullKinesisStats,
): Promise<Row> {
  const profileDir = process.env.KINLOG_BENCH_PROFILE;
  const execArgv = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
  const { result, endpoint, exit } = await forkBenchChild<VariantResult>(
    ['--variant', name, url, String(pass)],
    { timeoutMs: BenchDefaults.CHILD_TIMEOUT_MS, endpointStats, execArgv },
  );
  if (result === undefined) return { name, pass, failure: `exited with ${exit} before reporting` };
  // Every child's own delivery is checked: the endpoint is idle between children.
  if (endpoint.entries !== result.expectedEntries) {
    return {
      name,
      pass,
      result,
      endpoint,
      failure: `endpoint counted ${endpoint.entries} entries, expected ${result.expectedEntries}`,
    };
  }
  return { name, pass, result, endpoint };
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

function printReport(spec: BenchSpec, names: string[], rows: Row[], run: RunShape): void {
  console.log(
    `\n${spec.title}: ${fmt(run.events)} events × ${run.rounds} round${run.rounds === 1 ? '' : 's'} per child, ${run.passesRun} of ${run.passes} passes interleaved (order alternating), one process per variant per pass, ${run.seconds.toFixed(1)} s`,
  );
  // Ratios hold up under load better than absolute rates; say how busy the machine was.
  const load = loadavg()[0]!.toFixed(1);
  console.log(`machine: ${availableParallelism()} CPUs, load average ${load} at the end`);
  console.log(
    `wire protocol: ${BenchDefaults.WIRE_PROTOCOL} (wireProtocol: '${BenchDefaults.WIRE_PROTOCOL}': the null endpoint plays Kinesis, and auto picks CBOR against AWS's own endpoints)`,
  );
  const passes: Map<string, VariantResult>[] = [];
  for (const r of rows) {
    const pass = passes[r.pass - 1] ?? new Map<string, VariantResult>();
    passes[r.pass - 1] = pass;
    if (r.result !== undefined) pass.set(r.name, r.result);
  }
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
  const table = names.map((name) => {
    const own = rows.filter((r) => r.name === name);
    const x = summarizeVariant(own.flatMap((r) => r.result ?? []));
    if (x === undefined) return [name, '-', 'failed', '', '', '', '', ''];
    const putRequests = own.reduce((sum, r) => sum + (r.endpoint?.putRequests ?? 0), 0);
    return [
      name,
      String(x.rounds),
      fmt(x.callsPerSec),
      fmt(x.deliveredPerSec),
      x.cpuSeconds.toFixed(2),
      ((x.cpuSeconds * 1e6) / x.measuredEvents).toFixed(2),
      x.peakRssMb.toFixed(0),
      putRequests === 0 ? '-' : fmt(putRequests),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const row of table) console.log(line(row));
  for (const r of rows) {
    if (r.failure !== undefined) console.log(`! ${r.name} (pass ${r.pass}): ${r.failure}`);
  }
  // Each pass in the order it ran, to show the drift the per-pass ratios cancel.
  for (let pass = 1; pass <= run.passesRun; pass++) {
    const cells = rows
      .filter((r) => r.pass === pass)
      .map((r) => `${r.name} ${r.result === undefined ? 'failed' : fmt(r.result.deliveredPerSec)}`);
    console.log(`pass ${pass}, delivered/s: ${cells.join(', ')}`);
  }
  for (const ratio of spec.ratios) {
    const summary = passRatios(passes, ratio.of, ratio.over, ratio.metric);
    if (summary === undefined) continue;
    const value = summary.median;
    const max = ratio.targetIsMax === true;
    const met = ratio.target !== undefined && (max ? value <= ratio.target : value >= ratio.target);
    const target =
      ratio.target === undefined
        ? ''
        : ` (target ${max ? '≤' : '≥'} ${ratio.target}×: ${met ? 'met' : 'missed'})`;
    console.log(`ratio ${ratio.label}: ${value.toFixed(2)}×${target}`);
    const perPass = summary.perPass.map((p) => `${p.value.toFixed(2)}×`).join(' ');
    console.log(
      `  per pass: ${perPass} (median of ${summary.perPass.length}, spread ${summary.min.toFixed(2)}-${summary.max.toFixed(2)}×)`,
    );
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
function printRound(label: string, events: number, t: RoundTiming): void {
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
  process.stderr.write(
    `  ${label}: calls/s ${fmt(events / t.callSeconds)}, delivered/s ${fmt(events / t.totalSeconds)}, heap ${heapMb.toFixed(0)} MB\n`,
  );
}

/** Seconds since `startNs` (from `process.hrtime.bigint()`). */
export function secondsSince(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
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
