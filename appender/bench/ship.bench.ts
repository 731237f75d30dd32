/**
 * `npm run bench` (not a test): `kinlog ship --once`, spawned as its own process, ships a
 * generated Apache combined access log (2,000,000 lines, ~400 MB) from head to the testkit's
 * null Kinesis endpoint over HTTPS (a throwaway certificate, trusted through
 * NODE_EXTRA_CA_CERTS). Per mode it prints lines/s, CPU-s per 1M lines and peak RSS (the child's
 * own resource usage) and the PutRecords count; then the same mode on a smaller file with 10 %
 * of entries throttled, as a ratio to that file without failures; then a correctness run of the
 * mode against a verifying endpoint (every line inside aggregates and gzip decoded and counted:
 * each must arrive exactly once, with the 10 % failures on). Timed runs only count records and
 * bytes: decoding would take CPU from the shipper. Last, the idle cost: 200 one-line files
 * followed, % of a core and RSS over a quiet window (read from /proc: Linux only).
 *
 *   parent: file generator, null endpoint(s) ◄── HTTPS PutRecords ── child: kinlog ship --once
 *           table                            ◄── resource usage file at exit
 *
 * A mode whose flags this build of `kinlog ship` rejects is reported as unavailable.
 *
 * Environment: KINLOG_BENCH_SHIP_LINES (timed file, default 2,000,000),
 * KINLOG_BENCH_SHIP_CHECK_LINES (failure and correctness file, default 200,000),
 * KINLOG_BENCH_SHIP_MODES=default,line,... (some modes; `idle` or `none` alone: only the idle
 * mode, no file generated), KINLOG_BENCH_IDLE_SECONDS (default 30; 0 skips the idle mode),
 * KINLOG_BENCH_IDLE_FILES (default 200), KINLOG_BENCH_SHIP_FLAGS (more `kinlog ship` flags for
 * every run, e.g. `--max-uncommitted 10000`, to compare settings), KINLOG_BENCH_SHIP_NODE_ARGS
 * (options for the child's node, space-separated, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
 * for a CPU profile of each run).
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { accessJsonWasmOf, ACCESS_JSON_WRITER_ENV } from '@kinlog/core';
import { NullKinesisRouting, startNullKinesis, type NullKinesis } from '@kinlog/testkit';

const ShipBench = {
  LINES: 2_000_000,
  CHECK_LINES: 200_000,
  FAIL_FRACTION: 0.1,
  IDLE_SECONDS: 30,
  IDLE_FILES: 200,
  /** Idle: how long to let the daemon settle after it delivered the files' lines. */
  IDLE_SETTLE_MS: 3_000,
  SHARDS: 4,
  STREAM: 'bench',
  /** A run still going after this long is killed and reported as failed. */
  RUN_TIMEOUT_MS: 20 * 60_000,
  /**
   * Forced: the null endpoint plays Kinesis itself, and against AWS's own endpoints `auto` (the
   * default) picks CBOR; left to `auto`, a local endpoint would be sent JSON.
   */
  WIRE_PROTOCOL: 'cbor',
} as const;

const SHIP_MAIN = fileURLToPath(new URL('./bin/ship-main.js', import.meta.url));
const LINE_ID = /[?&]id=(\d+)/;
const EXTRA_FLAGS = (process.env.KINLOG_BENCH_SHIP_FLAGS ?? '').split(' ').filter((f) => f !== '');
const NODE_ARGS = (process.env.KINLOG_BENCH_SHIP_NODE_ARGS ?? '')
  .split(' ')
  .filter((f) => f !== '');

interface Mode {
  name: string;
  what: string;
  flags: string[];
}

const MODES: readonly Mode[] = [
  { name: 'default', what: 'detected format, one JSON record per line', flags: [] },
  { name: 'line', what: 'lines as read', flags: ['--output', 'line'] },
  {
    name: 'aggregated',
    what: 'lines as read, KPL aggregated',
    flags: ['--output', 'line', '--aggregate'],
  },
  {
    name: 'gzip',
    what: 'lines as read, KPL aggregated, gzip',
    flags: ['--output', 'line', '--aggregate', '--compress', 'gzip'],
  },
];

interface Usage {
  userCPUTime: number;
  systemCPUTime: number;
  maxRSS: number;
}

interface RunResult {
  code: number | null;
  wallMs: number;
  usage: Usage | undefined;
  output: string;
  putRequests: number;
  records: number;
  bytes: number;
}

interface Env {
  dir: string;
  caFile: string;
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got ${raw}`);
  return n;
}

/** Apache combined lines, each with a unique `id=` in its URL so a verifier can key it. */
async function generate(file: string, lines: number): Promise<void> {
  const out = createWriteStream(file);
  const agents = [
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    'curl/8.5.0',
  ];
  let chunk = '';
  for (let i = 0; i < lines; i++) {
    const status = i % 50 === 0 ? 503 : 200;
    const mm = String(Math.floor(i / 60) % 60).padStart(2, '0');
    const ss = String(i % 60).padStart(2, '0');
    chunk += `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} - - [10/Oct/2024:13:${mm}:${ss} +0000] "GET /api/items/${i % 997}?id=${i}&page=${i % 13}&ref=campaign-2024-autumn HTTP/1.1" ${status} ${1000 + (i % 5000)} "https://shop.example.com/" "${agents[i % 2]}"\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

function spawnShip(env: Env, sink: NullKinesis, args: string[], usageFile: string) {
  const child = spawn(
    process.execPath,
    [
      ...NODE_ARGS,
      SHIP_MAIN,
      'ship',
      '--endpoint',
      sink.url,
      '--region',
      'us-east-1',
      '--wire-protocol',
      ShipBench.WIRE_PROTOCOL,
      ...args,
    ],
    {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        NODE_EXTRA_CA_CERTS: env.caFile,
        KINLOG_BENCH_USAGE_FILE: usageFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (d: Buffer): void => {
    // Enough to explain a failure; a chatty daemon must not grow the parent.
    if (output.length < 64 * 1024) output += d.toString();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, exited, output: () => output };
}

async function runOnce(
  env: Env,
  sink: NullKinesis,
  file: string,
  mode: Mode,
  label: string,
): Promise<RunResult> {
  const stateDir = join(env.dir, `state-${mode.name}-${label}`);
  const usageFile = join(env.dir, `usage-${mode.name}-${label}.json`);
  const before = sink.stats();
  const t0 = performance.now();
  const proc = spawnShip(
    env,
    sink,
    [
      '--once',
      '--stream',
      ShipBench.STREAM,
      '--state-dir',
      stateDir,
      '--stats-interval',
      '0',
      ...mode.flags,
      ...EXTRA_FLAGS,
      file,
    ],
    usageFile,
  );
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), ShipBench.RUN_TIMEOUT_MS);
  const code = await proc.exited;
  clearTimeout(timer);
  const wallMs = performance.now() - t0;
  const after = sink.stats();
  const usage = existsSync(usageFile)
    ? (JSON.parse(readFileSync(usageFile, 'utf8')) as Usage)
    : undefined;
  return {
    code,
    wallMs,
    usage,
    output: proc.output(),
    putRequests: after.putRequests - before.putRequests,
    records: after.entries - before.entries,
    bytes: after.bytes - before.bytes,
  };
}

function describeRun(lines: number, r: RunResult): string {
  const s = r.wallMs / 1000;
  const cpuS = r.usage === undefined ? NaN : (r.usage.userCPUTime + r.usage.systemCPUTime) / 1e6;
  const rssMiB = r.usage === undefined ? NaN : r.usage.maxRSS / 1024;
  return [
    `${s.toFixed(2)} s`,
    `${Math.round(lines / s).toLocaleString('en')} lines/s`,
    `CPU ${cpuS.toFixed(2)} s = ${((cpuS * 1e6) / lines).toFixed(2)} CPU-s/1M lines`,
    `peak RSS ${rssMiB.toFixed(0)} MiB`,
    `PutRecords ${r.putRequests.toLocaleString('en')}`,
    `records ${r.records.toLocaleString('en')}`,
    `${(r.bytes / lines).toFixed(0)} request B/line`,
  ].join('  ');
}

/** Lines of the check file that did not arrive exactly once, as a short text ('' when none). */
function verdict(sink: NullKinesis, lines: number): string {
  const { byKey, unkeyed, payloads } = sink.received();
  let missing = 0;
  let duplicated = 0;
  let foreign = 0;
  for (let i = 0; i < lines; i++) {
    const n = byKey.get(String(i)) ?? 0;
    if (n === 0) missing++;
    else if (n > 1) duplicated += n - 1;
  }
  for (const key of byKey.keys()) if (!(Number(key) < lines)) foreign++;
  if (missing + duplicated + foreign + unkeyed === 0) return '';
  return `${payloads} payloads: ${missing} lines missing, ${duplicated} duplicates, ${foreign} unknown keys, ${unkeyed} without a line id`;
}

async function benchMode(
  env: Env,
  mode: Mode,
  files: { timed: string; check: string },
  lines: { timed: number; check: number },
): Promise<boolean> {
  console.log(
    `\n  ${mode.name}: ${mode.what}${mode.flags.length ? ` (${mode.flags.join(' ')})` : ''}`,
  );
  // Aggregates are built per predicted shard: answers must confirm the prediction, as Kinesis
  // does, or the sink sees a resharding on every request.
  const routing = mode.flags.includes('--aggregate')
    ? NullKinesisRouting.HASH_KEY
    : NullKinesisRouting.ROUND_ROBIN;
  const counting = await startNullKinesis({ shardCount: ShipBench.SHARDS, tls: true, routing });
  const failing = await startNullKinesis({
    shardCount: ShipBench.SHARDS,
    tls: true,
    routing,
    failFraction: ShipBench.FAIL_FRACTION,
  });
  const verifying = await startNullKinesis({
    shardCount: ShipBench.SHARDS,
    tls: true,
    routing,
    failFraction: ShipBench.FAIL_FRACTION,
    verifyKey: (payload) => LINE_ID.exec(payload.toString('latin1'))?.[1],
  });
  await writeFile(env.caFile, [counting.ca, failing.ca, verifying.ca].join(''));
  try {
    const timed = await runOnce(env, counting, files.timed, mode, 'timed');
    if (timed.code !== 0) {
      const reason = timed.output.trim().split('\n').slice(-3).join(' | ');
      // A flag this build does not know is a mode not built yet, not a failed run.
      const unavailable = /unknown option|invalid ship/.test(timed.output);
      console.log(`    ${unavailable ? 'unavailable' : 'FAILED'} (exit ${timed.code}): ${reason}`);
      return unavailable;
    }
    console.log(
      `    ${lines.timed.toLocaleString('en')} lines: ${describeRun(lines.timed, timed)}`,
    );

    const clean = await runOnce(env, counting, files.check, mode, 'clean');
    const failed = await runOnce(env, failing, files.check, mode, 'failing');
    if (clean.code !== 0 || failed.code !== 0) {
      console.log(`    check-size runs failed: exit ${clean.code} / ${failed.code}`);
      console.log(clean.output, failed.output);
      return false;
    }
    const ratio = clean.wallMs / failed.wallMs;
    console.log(
      `    ${lines.check.toLocaleString('en')} lines, ${ShipBench.FAIL_FRACTION * 100} % of entries throttled: ${describeRun(lines.check, failed)}`,
    );
    console.log(
      `    throttled / clean lines/s: ${ratio.toFixed(2)}x (clean ${describeRun(lines.check, clean)})`,
    );

    const checked = await runOnce(env, verifying, files.check, mode, 'verify');
    const problem = checked.code === 0 ? verdict(verifying, lines.check) : `exit ${checked.code}`;
    console.log(
      problem === ''
        ? `    correctness: all ${lines.check.toLocaleString('en')} lines arrived exactly once (${verifying.stats().failedEntries.toLocaleString('en')} entries throttled and re-sent)`
        : `    correctness FAILED: ${problem}`,
    );
    return problem === '';
  } finally {
    await Promise.all([counting.close(), failing.close(), verifying.close()]);
  }
}

/** CPU ticks (user + system) and current RSS of a live process, from /proc. */
async function procSample(pid: number): Promise<{ ticks: number; rssKiB: number }> {
  const statText = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after its closing parenthesis.
  const fields = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return { ticks, rssKiB };
}

async function benchIdle(env: Env, seconds: number, files: number): Promise<void> {
  console.log(`\n  idle: ${files} one-line files followed for ${seconds} s`);
  if (!existsSync('/proc/self/stat')) {
    console.log('    skipped: needs /proc');
    return;
  }
  const sink = await startNullKinesis({ shardCount: ShipBench.SHARDS, tls: true });
  await writeFile(env.caFile, sink.ca ?? '');
  const logs = join(env.dir, 'idle');
  await mkdir(logs, { recursive: true });
  for (let i = 0; i < files; i++) {
    await writeFile(join(logs, `app-${i}.log`), `app ${i} started ?id=${i}\n`);
  }
  const usageFile = join(env.dir, 'usage-idle.json');
  const proc = spawnShip(
    env,
    sink,
    [
      '--stream',
      ShipBench.STREAM,
      '--state-dir',
      join(env.dir, 'state-idle'),
      '--stats-interval',
      '0',
      join(logs, '*.log'),
    ],
    usageFile,
  );
  try {
    const deadline = Date.now() + 60_000;
    while (sink.stats().entries < files && Date.now() < deadline) await delay(100);
    if (sink.stats().entries < files) {
      console.log(`    failed: ${sink.stats().entries} of ${files} lines delivered in 60 s`);
      console.log(proc.output());
      return;
    }
    await delay(ShipBench.IDLE_SETTLE_MS);
    const clkTck = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;
    const a = await procSample(proc.child.pid!);
    const putsBefore = sink.stats().putRequests;
    const t0 = performance.now();
    await delay(seconds * 1000);
    const b = await procSample(proc.child.pid!);
    const elapsedS = (performance.now() - t0) / 1000;
    const cpuS = (b.ticks - a.ticks) / clkTck;
    console.log(
      `    ${((cpuS / elapsedS) * 100).toFixed(2)} % of a core (${cpuS.toFixed(2)} CPU-s in ${elapsedS.toFixed(1)} s)  RSS ${(b.rssKiB / 1024).toFixed(0)} MiB  PutRecords while idle ${sink.stats().putRequests - putsBefore}`,
    );
  } finally {
    proc.child.kill('SIGTERM');
    await proc.exited;
    await sink.close();
  }
}

async function main(): Promise<void> {
  const lines = {
    timed: envInt('KINLOG_BENCH_SHIP_LINES', ShipBench.LINES),
    check: 0,
  };
  lines.check = Math.min(
    lines.timed,
    envInt('KINLOG_BENCH_SHIP_CHECK_LINES', ShipBench.CHECK_LINES),
  );
  const only = (process.env.KINLOG_BENCH_SHIP_MODES ?? '').split(',').filter((m) => m !== '');
  const idleSeconds = envInt('KINLOG_BENCH_IDLE_SECONDS', ShipBench.IDLE_SECONDS);
  const idleFiles = envInt('KINLOG_BENCH_IDLE_FILES', ShipBench.IDLE_FILES);
  const dir = await mkdtemp(join(tmpdir(), 'kinlog-ship-bench-'));
  const env: Env = { dir, caFile: join(dir, 'null-kinesis-ca.pem') };
  let ok = true;
  const modes = MODES.filter((m) => only.length === 0 || only.includes(m.name));
  const idle =
    idleSeconds > 0 && (only.length === 0 || only.includes('idle') || modes.length === 0);
  try {
    if (modes.length > 0) ok = await benchModes(env, modes, lines);
    if (idle) await benchIdle(env, idleSeconds, idleFiles);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (!ok) process.exitCode = 1;
}

async function benchModes(
  env: Env,
  modes: readonly Mode[],
  lines: { timed: number; check: number },
): Promise<boolean> {
  const { dir } = env;
  let ok = true;
  const files = { timed: join(dir, 'access.log'), check: join(dir, 'check', 'access.log') };
  await mkdir(join(dir, 'check'));
  await generate(files.timed, lines.timed);
  await generate(files.check, lines.check);
  const { size } = await stat(files.timed);
  const c0 = performance.now();
  spawnSync('sh', ['-c', `cat "${files.timed}" > /dev/null`]);
  const catS = (performance.now() - c0) / 1000;
  console.log(
    `kinlog ship --once → null Kinesis over HTTPS: ${lines.timed.toLocaleString('en')} lines, ${(size / 1e6).toFixed(1)} MB (${(size / lines.timed).toFixed(0)} bytes/line); cat reads it in ${catS.toFixed(2)} s`,
  );
  console.log(
    `wire protocol: ${ShipBench.WIRE_PROTOCOL} (--wire-protocol ${ShipBench.WIRE_PROTOCOL}: the null endpoint plays Kinesis, and auto picks CBOR against AWS's own endpoints)`,
  );
  // The child has this environment: it takes the same path.
  console.log(
    `access records (default mode): ${accessJsonWasmOf('auto') === undefined ? `JS writer (${ACCESS_JSON_WRITER_ENV}=${process.env[ACCESS_JSON_WRITER_ENV] ?? ''}, or no WebAssembly SIMD)` : `WebAssembly writer (${ACCESS_JSON_WRITER_ENV}=js for the JS one)`}`,
  );
  for (const mode of modes) ok = (await benchMode(env, mode, files, lines)) && ok;
  return ok;
}

await main();
