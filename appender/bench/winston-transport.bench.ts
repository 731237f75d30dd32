// winston with the kinlog transport (KinesisSink → null Kinesis endpoint) against winston with
// its File transport on a temporary file, both behind the same format (timestamp + json).
// Prints log calls/s and end-to-end events/s; the target is ≥ 1.5× winston File.
// The two run in interleaved passes (File, kinlog / kinlog, File / …, a fresh process each) and
// every ratio is taken inside a pass, then the median of the passes: File alone has been seen at
// 26k-57k events/s in one run, so two windows a minute apart would measure the load, not the
// transports (support/bench-harness.ts; KINLOG_BENCH_PASSES, KINLOG_BENCH_ROUNDS per process).
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import winston from 'winston';
import type TransportStream from 'winston-transport';
import { KinesisTransport, closeLogger } from '../src/index.js';
import { EVENT_MESSAGE, fieldsAt } from './support/bench-events.js';
import { runBench, secondsSince, type RoundTiming } from './support/bench-harness.js';

const DRAIN_POLL_MS = 1;
const format = winston.format.combine(winston.format.timestamp(), winston.format.json());

async function logThrough(
  transport: TransportStream,
  events: number,
  close: (logger: winston.Logger) => Promise<void>,
): Promise<RoundTiming> {
  const logger = winston.createLogger({ format, transports: [transport] });
  const started = process.hrtime.bigint();
  for (let i = 0; i < events; i++) logger.info(EVENT_MESSAGE, fieldsAt(i));
  const callSeconds = secondsSince(started);
  await close(logger);
  return { callSeconds, totalSeconds: secondsSince(started) };
}

async function toFile(events: number): Promise<RoundTiming> {
  const dir = await mkdtemp(join(tmpdir(), 'kinlog-bench-'));
  try {
    const file = new winston.transports.File({ filename: join(dir, 'app.log') });
    await once(file, 'open');
    const path = join(dir, 'app.log');
    const timing = await logThrough(file, events, async (logger) => {
      // Ending the logger while lines still wait in its stream buffers makes winston write
      // after end (winston#1629): let them reach the transport first.
      while (logger.readableLength > 0 || file.writableLength > 0) {
        await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
      }
      // File's _final waits for its write stream: 'finish' means every line reached the file.
      const finished = once(file, 'finish');
      logger.end();
      await finished;
    });
    const lines = (await readFile(path, 'latin1')).split('\n').length - 1;
    if (lines !== events) throw new Error(`File transport wrote ${lines} lines of ${events}`);
    return timing;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await runBench({
  title: 'winston transport',

  variants: [
    { name: 'winston → File', toKinesis: false, round: (_ctx, events) => toFile(events) },
    {
      name: 'winston → kinlog',
      toKinesis: true,
      round: (ctx, events) =>
        logThrough(new KinesisTransport({ ...ctx }), events, (logger) => closeLogger(logger)),
    },
  ],
  ratios: [
    {
      label: 'end-to-end events/s, kinlog ÷ winston File',
      of: 'winston → kinlog',
      over: 'winston → File',
      metric: 'deliveredPerSec',
      target: 1.5,
    },
    {
      // No target: File's calls return at once while winston buffers every event in memory
      // (its peak RSS), so this ratio says how the two buffer, not how fast they deliver.
      label: 'log calls/s, kinlog ÷ winston File',
      of: 'winston → kinlog',
      over: 'winston → File',
      metric: 'callsPerSec',
    },
    {
      label: 'peak RSS, kinlog ÷ winston File',
      of: 'winston → kinlog',
      over: 'winston → File',
      metric: 'peakRssMb',
    },
  ],
});
