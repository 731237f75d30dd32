/**
 * KinesisSink against the `aws-kinesis-writable` package (auth0's Kinesis stream for bunyan,
 * on aws-sdk v2): the same 200-byte log events, the same null endpoint, each in a process of
 * its own, one Kinesis record per event and random partition keys on both sides.
 *
 * Both get their fairest settings: 500 records per PutRecords request (the writable defaults
 * to 10), static credentials, an explicit endpoint and region, keep-alive connections (aws-sdk
 * v2 opens a new one per request unless told otherwise). The writable's `_write` returns at
 * once and puts every full batch in flight without a bound, so its `write()` never pushes back;
 * its delivery is over when its last PutRecords answer is in, which this bench watches by
 * wrapping its `putRecords` method. It never looks at FailedRecordCount: the endpoint's entry
 * count checks that every event arrived. Printed, never asserted.
 *
 * Environment: as the other benches (KINLOG_BENCH_EVENTS, KINLOG_BENCH_ROUNDS, KINLOG_BENCH_ONLY).
 */
import { once } from 'node:events';
import { Agent } from 'node:http';
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import { KinesisSink } from '../src/index.js';
import { runBench, secondsSince, type BenchContext } from './support/bench-harness.js';
import { logLineAt } from './support/log-line-events.js';

// aws-sdk v2 prints a maintenance-mode notice when loaded; children inherit this.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';

const PeerBench = {
  /** PutRecords' own limit, which KinesisSink uses by default. */
  BATCH_RECORDS: 500,
  /** Seconds a partial batch waits in the writable (its option is in seconds). */
  BATCH_TIMEOUT_S: 1,
} as const;

const KINLOG = 'kinlog KinesisSink';
const PEER = 'aws-kinesis-writable';

/** The parts of aws-kinesis-writable's stream this bench uses (the package has no types). */
interface KinesisWritable extends Writable {
  timer: NodeJS.Timeout | null;
  flush(): void;
  putRecords(records: unknown[], cb: (err: unknown, data: unknown) => void): void;
}
type KinesisWritableConstructor = new (params: Record<string, unknown>) => KinesisWritable;

/** Loaded on first use, so the parent never loads aws-sdk v2. */
let KinesisWritableClass: KinesisWritableConstructor | undefined;

function loadKinesisWritable(): KinesisWritableConstructor {
  KinesisWritableClass ??= createRequire(import.meta.url)(
    'aws-kinesis-writable',
  ) as KinesisWritableConstructor;
  return KinesisWritableClass;
}

/** Random keys as KinesisSink makes them: a random prefix and a counter. */
function randomKeys(): () => string {
  const prefix = Math.random().toString(36).slice(2, 10);
  let counter = 0;
  return () => prefix + (counter++).toString(36);
}

await runBench({
  title: 'KinesisSink vs aws-kinesis-writable',
  variants: [
    {
      name: KINLOG,
      toKinesis: true,
      round: async (ctx: BenchContext, events) => {
        const sink = new KinesisSink({ ...ctx, maxBatchRecords: PeerBench.BATCH_RECORDS });
        const started = process.hrtime.bigint();
        for (let i = 0; i < events; i++) if (!sink.put(logLineAt(i))) await sink.ready();
        const callSeconds = secondsSince(started);
        await sink.close();
        return { callSeconds, totalSeconds: secondsSince(started) };
      },
    },
    {
      name: PEER,
      toKinesis: true,
      round: async (ctx: BenchContext, events) => {
        const KinesisWritable = loadKinesisWritable();
        const agent = new Agent({ keepAlive: true });
        const stream = new KinesisWritable({
          streamName: ctx.streamName,
          region: ctx.region,
          endpoint: ctx.endpoint,
          accessKeyId: ctx.credentials.accessKeyId,
          secretAccessKey: ctx.credentials.secretAccessKey,
          objectMode: true,
          partitionKey: randomKeys(),
          httpOptions: { agent },
          buffer: { length: PeerBench.BATCH_RECORDS, timeout: PeerBench.BATCH_TIMEOUT_S },
        });
        let failures = 0;
        stream.on('error', () => failures++);
        const answered = trackRequests(stream);
        const started = process.hrtime.bigint();
        for (let i = 0; i < events; i++) {
          if (!stream.write(logLineAt(i))) await once(stream, 'drain');
        }
        const callSeconds = secondsSince(started);
        // It has no end-of-stream flush: a partial batch waits for its timer. Send it now.
        if (stream.timer !== null) clearTimeout(stream.timer);
        stream.flush();
        stream.end();
        await answered();
        const totalSeconds = secondsSince(started);
        agent.destroy();
        if (failures > 0) throw new Error(`${PEER} reported ${failures} failed requests`);
        return { callSeconds, totalSeconds };
      },
    },
  ],
  ratios: [
    {
      label: `delivered events/s, kinlog ÷ ${PEER}`,
      of: KINLOG,
      over: PEER,
      metric: 'deliveredPerSec',
    },
    { label: `write calls/s, kinlog ÷ ${PEER}`, of: KINLOG, over: PEER, metric: 'callsPerSec' },
  ],
});

/**
 * Counts the writable's PutRecords requests in flight; the returned function resolves once none
 * is. A retry it schedules after a failed request is not waited for: the null endpoint fails
 * none, and a lost batch would show in the endpoint's entry count.
 */
function trackRequests(stream: KinesisWritable): () => Promise<void> {
  const putRecords = stream.putRecords.bind(stream);
  let inFlight = 0;
  let idle: (() => void) | undefined;
  stream.putRecords = (records, cb) => {
    inFlight++;
    putRecords(records, (err, data) => {
      cb(err, data);
      inFlight--;
      if (inFlight === 0) idle?.();
    });
  };
  return () =>
    inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (idle = resolve));
}
