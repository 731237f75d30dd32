// pino with the kinlog transport as the README starts it, kinesisPinoTransport (worker thread →
// KinesisSink → null Kinesis endpoint), against
// pino writing to /dev/null, directly and through pino's own file transport (also a worker).
// Prints main-thread log calls/s, end-to-end events/s and peak RSS as ratios to pino to /dev/null
// in the same run; targets: delivered ≥ 0.9×, peak RSS ≤ 1.2×.
// The variants run in interleaved passes (order reversed every other pass, a fresh process each)
// and every ratio, peak RSS too, is taken inside a pass, then the median of the passes: load
// that changes between passes then moves both sides of a ratio alike instead of one
// (support/bench-harness.ts; KINLOG_BENCH_PASSES, KINLOG_BENCH_ROUNDS per process).
import { once } from 'node:events';
import pino from 'pino';
import { closeLogger, kinesisPinoTransport, type PinoKinesisOptions } from '../src/index.js';
import { EVENT_MESSAGE, fieldsAt } from './support/bench-events.js';
import {
  runBench,
  secondsSince,
  type BenchContext,
  type RoundTiming,
} from './support/bench-harness.js';

const DEV_NULL = '/dev/null';

async function logThrough(
  logger: pino.Logger,
  events: number,
  close: () => Promise<void>,
): Promise<RoundTiming> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < events; i++) logger.info(fieldsAt(i), EVENT_MESSAGE);
  const callSeconds = secondsSince(started);
  await close();
  return { callSeconds, totalSeconds: secondsSince(started) };
}

async function devNull(_ctx: BenchContext, events: number): Promise<RoundTiming> {
  const destination = pino.destination(DEV_NULL);
  await once(destination, 'ready');
  return logThrough(pino(destination), events, async () => {
    const closed = once(destination, 'close');
    destination.end();
    await closed;
  });
}

async function threadStream(
  transport: ReturnType<typeof pino.transport>,
  events: number,
): Promise<RoundTiming> {
  await once(transport, 'ready');
  return logThrough(pino(transport), events, () => closeLogger(transport));
}

await runBench({
  title: 'pino transport',

  variants: [
    { name: 'pino → /dev/null', toKinesis: false, round: devNull },
    {
      name: 'pino → pino/file /dev/null',
      toKinesis: false,
      round: (_ctx, events) =>
        threadStream(
          pino.transport({ target: 'pino/file', options: { destination: DEV_NULL } }),
          events,
        ),
    },
    {
      name: 'pino → kinlog',
      toKinesis: true,
      round: (ctx, events) => {
        const options: PinoKinesisOptions = {
          streamName: ctx.streamName,
          endpoint: ctx.endpoint,
          region: ctx.region,
          credentials: ctx.credentials,
          wireProtocol: ctx.wireProtocol,
        };
        return threadStream(kinesisPinoTransport(options), events);
      },
    },
  ],
  ratios: [
    {
      label: 'log calls/s, kinlog ÷ pino → /dev/null',
      of: 'pino → kinlog',
      over: 'pino → /dev/null',
      metric: 'callsPerSec',
      target: 0.9,
    },
    {
      label: 'log calls/s, kinlog ÷ pino/file transport',
      of: 'pino → kinlog',
      over: 'pino → pino/file /dev/null',
      metric: 'callsPerSec',
    },
    {
      label: 'end-to-end events/s, kinlog ÷ pino → /dev/null',
      of: 'pino → kinlog',
      over: 'pino → /dev/null',
      metric: 'deliveredPerSec',
      target: 0.9,
    },
    {
      label: 'peak RSS, kinlog ÷ pino → /dev/null',
      of: 'pino → kinlog',
      over: 'pino → /dev/null',
      metric: 'peakRssMb',
      target: 1.2,
      targetIsMax: true,
    },
  ],
});
