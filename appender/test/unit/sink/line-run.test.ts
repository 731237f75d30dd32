/**
 * Lines put together (`putLines`, runs copied straight into one-key aggregates) against the
 * careful path (`putEncoded` of each line's bytes) on the same input: the same Kinesis records
 * (plain or aggregated, the same explicit hash keys, the same user records in the same order
 * under the aggregate's one key), the same acknowledgements, the same books.
 */
import { expect } from 'chai';
import { KplAggregateFormat } from '@kinlog/core';
import { KinesisSink, type SettleResult } from '../../../src/sink/kinesis-sink.js';
import type { KinesisSinkOptions } from '../../../src/sink/sink-options.js';
import { TRUNCATION_MARKER } from '../../../src/sink/fit-record.js';
import { expandRun } from '../../../src/sink/line-run.js';
import { OneKeyAggregate } from '../../../src/sink/one-key-aggregate.js';
import { FakeClock, settle } from './support/fake-clock.js';
import { evenShards, FakePutRecords, type SentEntry } from './support/fake-put-records.js';
import { deaggregate } from '../../support/kpl-deaggregate.js';
import { rangesOf, resultPerRecord } from './support/line-ranges.js';

/** What a reader sees of one Kinesis record, keys aside (they are the sink's own, random). */
interface Seen {
  aggregated: boolean;
  explicitHashKey: string | undefined;
  payloads: string[];
}

function seen(e: SentEntry): Seen {
  const magic = Buffer.from(KplAggregateFormat.MAGIC);
  if (!e.data.subarray(0, 4).equals(magic)) {
    const payloads = [comparable(e.data.toString())];
    return { aggregated: false, explicitHashKey: e.explicitHashKey, payloads };
  }
  const users = deaggregate(e.data, e.partitionKey);
  // Every user record of an aggregate carries the aggregate's one key and explicit hash key.
  for (const u of users) {
    expect(u.partitionKey).to.equal(e.partitionKey);
    expect(u.explicitPartitionKey).to.equal(e.explicitHashKey);
  }
  return {
    aggregated: true,
    explicitHashKey: e.explicitHashKey,
    payloads: users.map((u) => comparable(Buffer.from(u.data, 'base64').toString())),
  };
}

/**
 * A payload, with a truncated one cut short: where a record over the limit is cut depends on
 * its key's length, and the sink's own keys differ in length between the two ways.
 */
function comparable(payload: string): string {
  if (!payload.endsWith(TRUNCATION_MARKER)) return payload;
  return `${payload.slice(0, 64)}${TRUNCATION_MARKER}`;
}

/** One step of a script: lines put as one buffer (together, or one by one), or a wait. */
type Step = { lines: string[]; prefix?: string } | { advanceMs: number };

async function run(
  together: boolean,
  options: Partial<KinesisSinkOptions>,
  steps: Step[],
  setup: (client: FakePutRecords) => void = () => undefined,
) {
  const clock = new FakeClock();
  const client = new FakePutRecords();
  client.shards = evenShards(3);
  setup(client);
  const sink = new KinesisSink(
    { streamName: 'logs', aggregation: true, maxAggregateBytes: 1024, ...options },
    { client, clock },
  );
  const results: SettleResult[] = [];
  // A run of lines is settled with one call: one result per record, as the careful path gives.
  const onSettled = resultPerRecord(results);
  // The first line waits for the shard map: ranges go in as runs only once it is known.
  sink.putEncoded('warm-up', undefined, onSettled);
  await settle();
  let put = 1;
  for (const step of steps) {
    if ('advanceMs' in step) {
      await clock.advance(step.advanceMs);
      await settle();
      continue;
    }
    const lines = rangesOf(step.lines, step.prefix);
    put += step.lines.length;
    if (together) sink.putLines(lines, onSettled);
    else
      for (let i = 0; i < step.lines.length; i++)
        sink.putEncoded(lines.buf.subarray(lines.starts[i], lines.ends[i]), undefined, onSettled);
    // The caller may reuse its buffer once the put returned.
    lines.buf.fill(0x21);
  }
  await sink.flush();
  await sink.close();
  const stats = sink.stats();
  return { records: client.sentEntries.map(seen), results, stats, put };
}

/** Runs a script both ways and expects the same outcome. */
async function same(
  options: Partial<KinesisSinkOptions>,
  steps: Step[],
  setup?: (client: FakePutRecords) => void,
) {
  const careful = await run(false, options, steps, setup);
  const fast = await run(true, options, steps, setup);
  expect(fast.records).to.deep.equal(careful.records);
  expect(fast.results.map((r) => r.ok)).to.deep.equal(careful.results.map((r) => r.ok));
  const books = (s: typeof fast.stats) => ({
    recordsPut: s.recordsPut,
    recordsSent: s.recordsSent,
    bufferedRecords: s.bufferedRecords,
    bufferedBytes: s.bufferedBytes,
    kinesisRecordsSent: s.kinesisRecordsSent,
    droppedTotal: s.droppedTotal,
    truncated: s.truncated,
    userRecordsRerouted: s.userRecordsRerouted,
  });
  expect(books(fast.stats)).to.deep.equal(books(careful.stats));
  expect(fast.results).to.have.length(careful.put);
  return { careful, fast };
}

const numbered = (n: number, from = 0, pad = 0) =>
  Array.from({ length: n }, (_, i) => `line ${from + i} ${'x'.repeat((i * 37) % pad || 0)}`);

describe('putLines (runs of lines) against putEncoded of each line', () => {
  it('sends the same aggregates, shard after shard, for lines crossing many aggregates', async () => {
    const { fast } = await same({}, [
      { lines: numbered(300, 0, 90) },
      { lines: numbered(7, 300), prefix: 'junk before the lines\n' },
      { lines: numbered(200, 307, 200) },
    ]);
    expect(fast.records.filter((r) => r.aggregated).length).to.be.above(20);
    expect(fast.results.every((r) => r.ok)).to.equal(true);
  });

  it('handles odd lines the same: empty, varint edges, multi-byte, too big to aggregate, over the record limit', async () => {
    const odd = [
      '',
      'a',
      'y'.repeat(127),
      'y'.repeat(128),
      'é'.repeat(70),
      '日本語のログ行',
      'z'.repeat(900), // fits an aggregate alone only
      'b'.repeat(2000), // too big to aggregate: plain
      'c'.repeat(5000), // over maxRecordBytes: truncated
      'after',
    ];
    const { fast } = await same({ maxRecordBytes: 4096 }, [
      { lines: odd },
      { lines: numbered(40, 0, 30) },
      { lines: odd.slice().reverse() },
    ]);
    expect(fast.stats.truncated).to.equal(2);
    expect(fast.records.some((r) => !r.aggregated && r.payloads[0]!.startsWith('bbbb'))).to.equal(
      true,
    );
  });

  it('seals aggregates when they are due, between runs, as one line at a time does', async () => {
    await same({ flushIntervalMs: 100 }, [
      { lines: numbered(5) },
      { advanceMs: 150 },
      { lines: ['alone'] },
      { advanceMs: 150 },
      { lines: numbered(30, 5, 50) },
    ]);
  });

  it('goes one line at a time with gzip, or with a drop policy and no room', async () => {
    await same({ compression: 'gzip' }, [{ lines: numbered(60, 0, 40) }]);
    // Lines of 2,000 bytes: whatever the keys' lengths, 521 fit 1 MiB and the 522nd does not.
    const big = Array.from({ length: 700 }, (_, i) => String(i).padEnd(2000, 'w'));
    const full = await same(
      { maxBufferBytes: 1024 * 1024, whenFull: 'dropNewest', maxAggregateBytes: 50 * 1024 },
      [{ lines: big.slice(0, 300) }, { lines: big.slice(300) }],
    );
    expect(full.fast.stats.dropped.bufferFull).to.be.above(0);
  });

  it('moves the lines of a run one by one when their shard closed under them (resharding)', async () => {
    const { fast } = await same(
      { maxAggregateBytes: 50 * 1024 },
      [{ lines: numbered(400) }],
      (client) => {
        client.shards = evenShards(2);
        const split = [
          { ...evenShards(2)[1]! },
          {
            shardId: 'shardId-000000000002',
            startingHashKey: 0n,
            endingHashKey: (1n << 125n) - 1n,
          },
          {
            shardId: 'shardId-000000000003',
            startingHashKey: 1n << 125n,
            endingHashKey: (1n << 127n) - 1n,
          },
        ];
        client.answer = (entries, request) => {
          // The first request lands on the split's lower half: the records predicted for the
          // closed shard are not that shard's, and are put again.
          if (request !== 0) return entries.map((e) => client.ok(e));
          client.shards = split;
          return entries.map((e) => client.ok(e, 'shardId-000000000002'));
        };
      },
    );
    expect(fast.stats.userRecordsRerouted).to.be.above(0);
    const delivered = fast.records.flatMap((r) => r.payloads);
    expect(new Set(delivered).size).to.equal(401);
  });
});

describe('putLines without aggregation or pacing', () => {
  it('gives each line a key of its own, so a run spreads over the shards as lines put one by one do', async () => {
    const client = new FakePutRecords();
    client.shards = evenShards(4);
    const sink = new KinesisSink({ streamName: 'logs' }, { client, clock: new FakeClock() });
    const lines = rangesOf(numbered(400));
    expect(sink.putLines(lines)).to.equal(true);
    await sink.close();
    const keys = new Set(client.sentEntries.map((e) => e.partitionKey));
    expect(client.sentEntries).to.have.length(400);
    expect(keys.size).to.equal(400);
    expect(client.sentEntries.map((e) => e.data.toString())).to.deep.equal(numbered(400));
  });
});

describe('expandRun', () => {
  it('gives back each record of a run, in order, with its own sequence number', () => {
    const a = new OneKeyAggregate('k', '7', 4096);
    const lines = ['', 'one', 'x'.repeat(200), 'é'];
    const buf = Buffer.from(lines.join('\n'));
    a.add(Buffer.from('before'));
    const from = a.position;
    let at = 0;
    for (const l of lines) {
      const n = Buffer.byteLength(l);
      a.addRange(buf, at, at + n);
      at += n + 1;
    }
    const users = expandRun({
      data: a.viewSince(from),
      partitionKey: 'k',
      bytes: 0,
      hashKey: 7n,
      seq: 10,
      firstPutAtMs: 5,
      onSettled: undefined,
      randomKey: true,
      count: lines.length,
    });
    expect(users.map((u) => u.data.toString())).to.deep.equal(lines);
    expect(users.map((u) => u.seq)).to.deep.equal([10, 11, 12, 13]);
    expect(users.map((u) => u.bytes)).to.deep.equal(lines.map((l) => Buffer.byteLength(l) + 1));
  });

  it('refuses a run whose count does not match its records', () => {
    const a = new OneKeyAggregate('k', '7', 4096);
    const from = a.position;
    a.addRange(Buffer.from('ab'), 0, 2);
    const run = {
      data: a.viewSince(from),
      partitionKey: 'k',
      bytes: 3,
      hashKey: 7n,
      seq: 1,
      firstPutAtMs: 0,
      onSettled: undefined,
      count: 2,
    };
    expect(() => expandRun(run)).to.throw(RangeError, /1 records encoded, 2 counted/);
  });
});
