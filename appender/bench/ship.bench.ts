/**
 * `npm run bench` (not a test): ships a generated 2,000,000-line (~200 bytes/line) access log
 * from head to the null Kinesis endpoint with `kinlog ship --once`, and prints lines/s, MB/s,
 * CPU seconds, peak RSS and PutRecords calls next to `cat file > /dev/null` timed in the same
 * run. The daemon runs in a child process so the endpoint's work is not counted as its own.
 *
 * The daemon runs with its default `maxUncommittedRecords` (one batch: what a kill -9 may re-send),
 * then, for comparison, with a window of MAX_UNCOMMITTED_COMPARED records.
 *
 *   node dist/bench/ship.bench.js [lines] [maxUncommittedRecords to compare]
 */
import { spawnSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNullKinesis } from '@kinlog/testkit';
import { ShipDaemon, resolveShipConfig } from '../src/daemon/index.js';

const DEFAULT_LINES = 2_000_000;
/** A wider commit window, to show what the one-batch default costs. */
const MAX_UNCOMMITTED_COMPARED = 5_000;
const CHILD_FLAG = '--ship-child';

interface ChildResult {
  wallMs: number;
  cpuUserS: number;
  cpuSystemS: number;
  maxRssMiB: number;
  acked: number;
}

async function child(): Promise<void> {
  const { file, endpoint, stateDir, maxUncommittedRecords } = JSON.parse(
    process.env.KINLOG_BENCH ?? '{}',
  ) as { file: string; endpoint: string; stateDir: string; maxUncommittedRecords?: number };
  const config = resolveShipConfig({
    endpoint,
    stateDir,
    ...(maxUncommittedRecords === undefined ? {} : { maxUncommittedRecords }),
    statsIntervalMs: 0,
    flows: [{ paths: [file], stream: 'bench', parser: 'nginx', fields: { service: 'web' } }],
  });
  const t0 = performance.now();
  const daemon = await ShipDaemon.start({
    config,
    once: true,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await daemon.done;
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage();
  const result: ChildResult = {
    wallMs,
    cpuUserS: cpu.user / 1e6,
    cpuSystemS: cpu.system / 1e6,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    acked: daemon.stats().counters.recordsAcked,
  };
  process.send?.(result);
}

async function generate(file: string, lines: number): Promise<void> {
  const out = createWriteStream(file);
  const agents = [
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    'curl/8.5.0',
  ];
  let chunk = '';
  for (let i = 0; i < lines; i++) {
    const status = i % 50 === 0 ? 503 : 200;
    chunk += `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} - - [10/Oct/2024:13:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')} +0000] "GET /api/items/${i % 997}?page=${i % 13}&ref=campaign-2024-autumn HTTP/1.1" ${status} ${1000 + (i % 5000)} "https://shop.example.com/" "${agents[i % 2]}"\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

async function runShip(
  file: string,
  endpoint: string,
  stateDir: string,
  maxUncommittedRecords: number | undefined,
): Promise<ChildResult> {
  const proc = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], {
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      KINLOG_BENCH: JSON.stringify({ file, endpoint, stateDir, maxUncommittedRecords }),
    },
  });
  const [result] = (await once(proc, 'message')) as [ChildResult];
  await once(proc, 'exit');
  return result;
}

async function main(): Promise<void> {
  const lines = Number(process.argv[2] ?? DEFAULT_LINES);
  const compared = Number(process.argv[3] ?? MAX_UNCOMMITTED_COMPARED);
  const dir = await mkdtemp(join(tmpdir(), 'kinlog-ship-bench-'));
  const sink = await startNullKinesis({ shardCount: 4 });
  try {
    const file = join(dir, 'access.log');
    await generate(file, lines);
    const { size } = await stat(file);
    const mb = size / 1e6;
    const c0 = performance.now();
    spawnSync('sh', ['-c', `cat "${file}" > /dev/null`]);
    const catMs = performance.now() - c0;
    console.log(
      `kinlog ship → null Kinesis: ${lines.toLocaleString('en')} lines, ${mb.toFixed(1)} MB (${(size / lines).toFixed(0)} bytes/line)`,
    );
    let calls = 0;
    let defaultMs = 0;
    for (const [label, window] of [
      ['ship (maxUncommittedRecords: one batch, the default)', undefined],
      [`ship (maxUncommittedRecords: ${compared})`, compared],
    ] as const) {
      const result = await runShip(file, sink.url, join(dir, `state-${label.length}`), window);
      defaultMs ||= result.wallMs;
      const s = result.wallMs / 1000;
      const putRequests = sink.stats().putRequests - calls;
      calls += putRequests;
      console.log(`  ${label}`);
      console.log(
        `    ${s.toFixed(2)} s  ${Math.round(lines / s).toLocaleString('en')} lines/s  ${(mb / s).toFixed(1)} MB/s  CPU ${(result.cpuUserS + result.cpuSystemS).toFixed(2)} s (user ${result.cpuUserS.toFixed(2)}, sys ${result.cpuSystemS.toFixed(2)})  peak RSS ${result.maxRssMiB.toFixed(0)} MiB  PutRecords ${putRequests}  acked ${result.acked.toLocaleString('en')}`,
      );
      if (result.acked !== lines)
        throw new Error(`only ${result.acked} of ${lines} lines acknowledged`);
    }
    console.log(
      `  cat:   ${(catMs / 1000).toFixed(3)} s  ${(mb / (catMs / 1000)).toFixed(0)} MB/s   ship/cat time ratio ${(defaultMs / catMs).toFixed(1)}x`,
    );
  } finally {
    await sink.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes(CHILD_FLAG)) await child();
else await main();
