import { expect } from 'chai';
import { NullKinesisRouting, startNullKinesis, type NullKinesis } from '@kinlog/testkit';
import { KinesisSink } from '../../src/sink/kinesis-sink.js';
import type { KinesisSinkOptions } from '../../src/sink/sink-options.js';

const LINES = 10_000;
const ID = /"id":(\d+)/;

/** Each line's id, and how many times it arrived; problems as text ('' when none). */
function verdict(endpoint: NullKinesis, lines: number): string {
  const { byKey, unkeyed } = endpoint.received();
  let missing = 0;
  let duplicates = 0;
  for (let i = 0; i < lines; i++) {
    const n = byKey.get(String(i)) ?? 0;
    if (n === 0) missing++;
    else duplicates += n - 1;
  }
  return missing + duplicates + unkeyed === 0
    ? ''
    : `${missing} missing, ${duplicates} duplicates, ${unkeyed} unkeyed`;
}

async function ship(endpoint: NullKinesis, options: Partial<KinesisSinkOptions>) {
  const sink = new KinesisSink({
    streamName: 'logs',
    endpoint: endpoint.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    flushIntervalMs: 50,
    maxRetries: Infinity,
    recordTtlMs: Infinity,
    shutdownTimeoutMs: 60_000,
    ...options,
  });
  let acked = 0;
  let dropped = 0;
  for (let id = 0; id < LINES; id++) {
    const accepted = sink.put({ id, msg: `line ${id}` }, (r) => (r.ok ? acked++ : dropped++));
    if (!accepted) await sink.ready();
  }
  await sink.close();
  return { acked, dropped, stats: sink.stats() };
}

describe('sink against an endpoint that routes other than predicted', function () {
  this.timeout(120_000);

  for (const mode of [
    { name: 'aggregated', options: { aggregation: true } },
    {
      name: 'aggregated, field keys',
      options: { aggregation: true, partitionKey: { field: 'id' } },
    },
    { name: 'paced', options: { rateLimitFraction: 1 } },
  ] as const) {
    it(`${mode.name}: a record acknowledged on any shard is settled once; only failed entries are re-sent`, async () => {
      // Round-robin answers put entries on shards regardless of their keys, every request:
      // what a stale shard map looks like to the producer, on every single put.
      const endpoint = await startNullKinesis({
        shardCount: 4,
        routing: NullKinesisRouting.ROUND_ROBIN,
        failFraction: 0.1,
        verifyKey: (payload) => ID.exec(payload.toString('latin1'))?.[1],
      });
      try {
        const { acked, dropped, stats } = await ship(endpoint, mode.options);
        expect(verdict(endpoint, LINES)).to.equal('');
        expect({ acked, dropped }).to.deep.equal({ acked: LINES, dropped: 0 });
        expect(stats.recordsSent).to.equal(LINES);
        // Every entry sent was either acknowledged once or failed and sent again.
        const failed = Object.values(stats.entriesFailedByCode).reduce((a, b) => a + b, 0);
        expect(stats.entriesSent).to.equal(stats.kinesisRecordsSent + failed);
        expect(endpoint.stats().failedEntries).to.equal(failed);
      } finally {
        await endpoint.close();
      }
    });
  }
});
