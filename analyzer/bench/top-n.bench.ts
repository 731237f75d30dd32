// Two measurements, each in its own child process so one's memory does not colour the other:
//   memory      10,000,000 distinct (region, page) keys through parse → classify → bounded top-N;
//               prints peak RSS (target ≤ 100 MB).
//   throughput  1,000,000 synthetic JSON lines: parse → classify → top-N against a bare
//               JSON.parse loop over the same lines (target ratio ≥ 0.5), for a typical mix
//               (mostly fine records) and an all-errors mix.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AnalyzerEvent } from '../src/classify/analyzer-event.js';
import { classifyEvent } from '../src/classify/classify-event.js';
import type { ClassifyOptions } from '../src/classify/classify-event.js';
import { geoipRegionOf } from '../src/classify/geoip-region.js';
import { TopNAggregator, TopNDefaults } from '../src/aggregate/top-n-aggregator.js';

const MEMORY_KEYS = 10_000_000;
const THROUGHPUT_LINES = 1_000_000;
const THROUGHPUT_ROUNDS = 3;
const T0_MS = Date.parse('2024-05-01T00:00:00Z');
const REGIONS = ['EU', 'NA', 'SA', 'APAC', 'AF', 'ME', 'eu-west-1', 'us-east-1'];
const PUBLIC_IPS = ['8.8.8.8', '81.2.69.142', '200.160.2.3', '41.0.0.1', '1.0.16.1', '5.62.60.1'];
const options: ClassifyOptions = { regionOf: geoipRegionOf };

/** Digit-free names, so page folding keeps every key distinct. */
function letters(n: number): string {
  let s = '';
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n > 0);
  return s;
}

function memory(): void {
  const topN = new TopNAggregator();
  const started = performance.now();
  for (let i = 0; i < MEMORY_KEYS; i++) {
    const line = `{"time":"${new Date(T0_MS + i).toISOString()}","level":"error","region":"${REGIONS[i & 7]}","page":"/shop/${letters(i)}/reviews","msg":"upstream timeout after ${i % 5000}ms from 10.0.${i & 255}.${(i >> 8) & 255}:5432","reqId":"${i.toString(16).padStart(12, '0')}"}`;
    const event = JSON.parse(line) as AnalyzerEvent;
    topN.add(classifyEvent(event, options), line, T0_MS + i);
  }
  const seconds = (performance.now() - started) / 1000;
  const result = topN.result(10);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    `memory: ${MEMORY_KEYS.toLocaleString('en')} distinct keys, maxDistinctKeys ${TopNDefaults.maxDistinctKeys.toLocaleString('en')}: ` +
      `peak RSS ${peakRssMb.toFixed(1)} MB, ${Math.round(MEMORY_KEYS / seconds).toLocaleString('en')} records/s, ` +
      `bounded ${String(result.bounded)}, errorBound ${result.errorBound}, distinctKeys ≈ ${result.totals.distinctKeys.toLocaleString('en')}`,
  );
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

function throughput(allErrors: boolean): void {
  const lines = Array.from({ length: THROUGHPUT_LINES }, (_, i) => syntheticLine(i, allErrors));
  const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l), 0);
  let sink = 0;
  const time = (run: () => void): number => {
    let best = Infinity;
    for (let r = 0; r < THROUGHPUT_ROUNDS; r++) {
      const started = performance.now();
      run();
      best = Math.min(best, performance.now() - started);
    }
    return THROUGHPUT_LINES / (best / 1000);
  };
  const parseRate = time(() => {
    for (const line of lines) sink += (JSON.parse(line) as AnalyzerEvent).status ?? 0;
  });
  let errors = 0;
  const analyzeRate = time(() => {
    const topN = new TopNAggregator();
    for (const line of lines) {
      const event = JSON.parse(line) as AnalyzerEvent;
      const classified = classifyEvent(event, options);
      // Times matter only for errors; parsing one costs as much as classifying a record.
      topN.add(
        classified,
        line,
        classified.kind === 'ok' ? undefined : Date.parse(event.time ?? ''),
      );
    }
    errors = topN.result(10).totals.errors;
  });
  const fmt = (n: number) => Math.round(n).toLocaleString('en');
  console.log(
    `throughput (${allErrors ? 'all errors' : '20 % errors'}, ${fmt(THROUGHPUT_LINES)} lines, ${(bytes / 1e6).toFixed(0)} MB, ${fmt(errors)} errors): ` +
      `JSON.parse ${fmt(parseRate)} lines/s, parse+classify+top-N ${fmt(analyzeRate)} lines/s, ratio ${(analyzeRate / parseRate).toFixed(2)}` +
      (sink < 0 ? '' : ''),
  );
}

const mode = process.argv[2];
if (mode === 'memory') memory();
else if (mode === 'throughput') throughput(false);
else if (mode === 'throughput-errors') throughput(true);
else {
  const self = fileURLToPath(import.meta.url);
  for (const child of ['memory', 'throughput', 'throughput-errors']) {
    await new Promise<void>((resolve, reject) => {
      fork(self, [child], { stdio: 'inherit' })
        .on('error', reject)
        .on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`${child} exited with ${String(code)}`)),
        );
    });
  }
}
