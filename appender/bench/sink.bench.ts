// Raw KinesisSink put() into the null Kinesis endpoint against a loop that only JSON.stringifies
// the same events: what the sink adds on top of the serialization every logger pays anyway.
import { KinesisSink } from '../src/index.js';
import { eventAt } from './support/bench-events.js';
import { runBench, secondsSince, type BenchContext } from './support/bench-harness.js';

/** Keeps the serialized lengths observable so the loop cannot be optimized away. */
let checksum = 0;

await runBench({
  title: 'KinesisSink',
  variants: [
    {
      name: 'JSON.stringify only',
      toKinesis: false,
      round: (_ctx, events) => {
        const started = process.hrtime.bigint();
        for (let i = 0; i < events; i++) checksum += JSON.stringify(eventAt(i)).length;
        const seconds = secondsSince(started);
        if (checksum < 0) console.log(checksum);
        return Promise.resolve({ callSeconds: seconds, totalSeconds: seconds });
      },
    },
    {
      name: 'KinesisSink put()',
      toKinesis: true,
      round: async (ctx: BenchContext, events) => {
        const sink = new KinesisSink({ ...ctx });
        const started = process.hrtime.bigint();
        for (let i = 0; i < events; i++) if (!sink.put(eventAt(i))) await sink.ready();
        const callSeconds = secondsSince(started);
        await sink.close();
        return { callSeconds, totalSeconds: secondsSince(started) };
      },
    },
  ],
  ratios: [
    {
      label: 'put() calls/s ÷ JSON.stringify',
      of: 'KinesisSink put()',
      over: 'JSON.stringify only',
      metric: 'callsPerSec',
    },
    {
      label: 'delivered events/s ÷ JSON.stringify',
      of: 'KinesisSink put()',
      over: 'JSON.stringify only',
      metric: 'deliveredPerSec',
    },
  ],
});
