/**
 * Lines put together as plain runs (`putLines`, no aggregation, no pacing: one held entry per
 * run) against the careful path (`putEncoded` of each line) on the same input over the fake
 * PutRecords client and clock: the same requests (the same records, in the same order, under
 * the same key numbers), the same results, the same books.
 */
import { expect } from 'chai';
import { KinesisSink, type SettleResult } from '../../../src/sink/kinesis-sink.js';
import type { KinesisSinkOptions } from '../../../src/sink/sink-options.js';
import { TRUNCATION_MARKER } from '../../../src/sink/fit-record.js';
import { FakeClock, settle } from './support/fake-clock.js';
import { FakePutRecords, THROTTLED, type SentEntry } from './support/fake-put-records.js';
import { rangesOf } from './support/line-ranges.js';

/** Characters of the sink's random key prefix (6 random bytes, base64url). */
const KEY_PREFIX_CHARS = 8;
const MIB = 1024 * 1024;

/** One step: lines put as one buffer (together, or one by one), a wait, or a close. */
type Step =
  | { lines: string[] }
  | { advanceMs: number }
  | { close: { timeoutMs?: number }; release?: boolean };

/** A record as compared: its payload (a truncated one by its head) and its key's number. */
function seen(e: SentEntry): string {
  let payload = e.data.toString();
  if (payload.endsWith(TRUNCATION_MARKER)) payload = `${payload.slice(0, 64)}…cut`;
  else if (payload.length > 80) payload = `${payload.slice(0, 40)}…${payload.length}`;
  return `${e.partitionKey.slice(KEY_PREFIX_CHARS)}:${payload}`;
}

interface Setup {
  client?: (client: FakePutRecords) => void;
}

/** Lines one by one (the careful path), as runs of a buffer the caller reuses, or given away. */
type Mode = 'careful' | 'runs' | 'owned';

async function run(mode: Mode, options: Partial<KinesisSinkOptions>, steps: Step[], setup: Setup) {
  const clock = new FakeClock();
  const client = new FakePutRecords();
  setup.client?.(client);
  const sink = new KinesisSink({ streamName: 'logs', ...options }, { client, clock });
  const results: string[] = [];
  const onSettled = (r: SettleResult, records: number): void => {
    for (let i = 0; i < records; i++) results.push(r.ok ? 'ok' : r.reason);
  };
  const flushes: number[] = [];
  sink.on('flush', (f) => flushes.push(f.records, f.kinesisRecords, f.failed));
  const drops: string[] = [];
  sink.on('drop', (d) => drops.push(`${d.reason} ${d.count} ${d.bytes}`));
  let closed: Promise<void> | undefined;
  let answers: boolean[] = [];
  for (const step of steps) {
    if ('advanceMs' in step) {
      await clock.advance(step.advanceMs);
      await settle();
      continue;
    }
    if ('close' in step) {
      closed = sink.close(step.close);
      if (step.release === true) {
        client.hold = false;
        client.release();
      } else {
        // Nothing is answered: the close ends at its deadline alone.
        await closed;
      }
      await settle();
      continue;
    }
    const lines = rangesOf(step.lines);
    if (mode === 'owned') lines.owned = true;
    if (mode !== 'careful') answers.push(sink.putLines(lines, onSettled));
    else {
      let ok = true;
      for (let i = 0; i < step.lines.length; i++)
        ok =
          sink.putEncoded(
            lines.buf.subarray(lines.starts[i], lines.ends[i]),
            undefined,
            onSettled,
          ) && ok;
      answers.push(ok);
    }
    // The caller may reuse its buffer once the put returned, unless it gave it away.
    if (mode !== 'owned') lines.buf.fill(0x21);
    await settle();
  }
  // Retries wait on the fake clock: let it run until nothing is held.
  for (let i = 0; i < 200 && sink.stats().bufferedRecords > 0; i++) {
    client.release();
    await clock.advance(1_000);
    await settle();
  }
  client.hold = false;
  client.release();
  await (closed ?? sink.close());
  const s = sink.stats();
  const books = {
    recordsPut: s.recordsPut,
    recordsSent: s.recordsSent,
    bufferedRecords: s.bufferedRecords,
    bufferedBytes: s.bufferedBytes,
    kinesisRecordsSent: s.kinesisRecordsSent,
    bytesSent: s.bytesSent,
    entriesSent: s.entriesSent,
    entriesRetried: s.entriesRetried,
    entriesFailedByCode: s.entriesFailedByCode,
    entriesFailedByShard: s.entriesFailedByShard,
    bytesSentByShard: s.bytesSentByShard,
    putRecordsCalls: s.putRecordsCalls,
    dropped: s.dropped,
    droppedTotal: s.droppedTotal,
    truncated: s.truncated,
  };
  const requests = client.requests.map((r) => r.map(seen));
  answers = answers.slice();
  return { requests, results, books, flushes, drops, answers, runEntries: client.runEntries };
}

/** Runs a script both ways and expects the same outcome; answers the fast one. */
async function same(options: Partial<KinesisSinkOptions>, steps: Step[], setup: Setup = {}) {
  const careful = await run('careful', options, steps, setup);
  const fast = await run('runs', options, steps, setup);
  for (const [name, got] of [
    ['runs', fast],
    ['owned', await run('owned', options, steps, setup)],
  ] as const) {
    expect(
      got.requests.map((r) => r.length),
      name,
    ).to.deep.equal(careful.requests.map((r) => r.length));
    expect(got.requests, name).to.deep.equal(careful.requests);
    expect(got.results, name).to.deep.equal(careful.results);
    expect(got.books, name).to.deep.equal(careful.books);
    expect(got.flushes, name).to.deep.equal(careful.flushes);
    expect(got.drops, name).to.deep.equal(careful.drops);
    expect(got.answers, name).to.deep.equal(careful.answers);
  }
  expect(careful.runEntries).to.equal(0);
  return fast;
}

const numbered = (n: number, from = 0, pad = 0) =>
  Array.from({ length: n }, (_, i) => `line ${from + i} ${'x'.repeat((i * 37) % pad || 0)}`);

/** Fails each entry whose payload has `fail` the first time it is sent. */
function failOnce(client: FakePutRecords): void {
  const failed = new Set<string>();
  client.answer = (entries) =>
    entries.map((e) => {
      const text = e.data.toString();
      if (!text.includes('fail') || failed.has(text)) return client.ok(e);
      failed.add(text);
      return THROTTLED;
    });
}

describe('putLines as plain runs against putEncoded of each line', () => {
  it('splits runs at 500 records a request, across steps and flush intervals', async () => {
    const fast = await same({ flushIntervalMs: 100 }, [
      { lines: numbered(1234, 0, 60) },
      { lines: numbered(3, 1234) },
      { advanceMs: 150 },
      { lines: numbered(777, 1237, 20) },
    ]);
    expect(fast.requests.some((r) => r.length === 500)).to.equal(true);
    expect(fast.results).to.have.length(2014);
    expect(fast.books.bufferedRecords).to.equal(0);
    // Held and sent as runs: a few entries of a run per request, not a record each.
    expect(fast.runEntries).to.be.within(1, 12);
  });

  it('splits runs at the request byte limit, with records of 1 byte and near the 1 MiB record limit', async () => {
    const big = Array.from({ length: 14 }, (_, i) => String(i).padEnd(MIB - 64 + i, 'b'));
    const atLimit = [String('n').padEnd(MIB - 12, 'n'), String('o').padEnd(MIB - 3, 'o')];
    const fast = await same({}, [
      { lines: ['a', 'b', '', 'c'] },
      { lines: [...big.slice(0, 7), 'x', ...atLimit, 'y', ...big.slice(7)] },
      { lines: Array.from({ length: 600 }, (_, i) => String(i % 10)) },
    ]);
    expect(fast.books.truncated).to.equal(1);
    expect(fast.requests.length).to.be.above(4);
    expect(fast.results.every((r) => r === 'ok')).to.equal(true);
  });

  it('acknowledges the rest of a run once and sends its failed records again once', async () => {
    const lines = numbered(1300, 0, 30).map((l, i) => (i % 9 === 4 ? `${l} fail` : l));
    const fast = await same({}, [{ lines }, { lines: numbered(20, 1300) }], { client: failOnce });
    const failed = lines.filter((l) => l.includes('fail')).length;
    expect(fast.books.entriesRetried).to.equal(failed);
    expect(fast.books.recordsSent).to.equal(1320);
    expect(fast.results.every((r) => r === 'ok')).to.equal(true);
  });

  it('retries whole requests that failed, within maxRetries', async () => {
    await same({ maxRetries: 1, backoffBaseMs: 10 }, [{ lines: numbered(1100, 0, 10) }], {
      client: (client) => {
        let calls = 0;
        client.answer = (entries) =>
          ++calls % 3 === 0 ? new Error('refused') : entries.map((e) => client.ok(e));
      },
    });
  });

  it('closes while runs wait: delivers them, then drops what comes after', async () => {
    await same(
      { maxInFlight: 2 },
      [
        { lines: numbered(1600, 0, 40) },
        { close: {}, release: true },
        { lines: numbered(5, 1600) },
      ],
      { client: (client) => (client.hold = true) },
    );
  });

  it('closes past its deadline with runs waiting and in flight: drops them, counted once', async () => {
    const fast = await same(
      { maxInFlight: 1 },
      [{ lines: numbered(1200, 0, 40) }, { close: { timeoutMs: 5 } }],
      { client: (client) => (client.hold = true) },
    );
    expect(fast.books.dropped.shutdownTimeout).to.equal(1200);
  });

  it('goes line by line with gzip, or with a drop policy near the bound; evicts runs a record at a time', async () => {
    await same({ compression: 'gzip' }, [{ lines: numbered(60, 0, 40) }]);
    const line = (i: number) => String(i).padEnd(2000, 'w');
    const lines = Array.from({ length: 900 }, (_, i) => line(i));
    const oldest = await same(
      { maxBufferBytes: MIB, whenFull: 'dropOldest' },
      [
        { lines: lines.slice(0, 300) },
        { lines: lines.slice(300, 400) },
        { lines: lines.slice(400) },
      ],
      { client: (client) => (client.hold = true) },
    );
    expect(oldest.books.dropped.bufferFull).to.be.above(0);
    // A run waiting behind a request in flight gives up its records one by one, oldest first:
    // its 100 waiting records go before any line put after them.
    const small = Array.from({ length: 1200 }, (_, i) => String(i).padEnd(1000, 's'));
    const evicted = await same(
      { maxBufferBytes: MIB, whenFull: 'dropOldest', maxInFlight: 1 },
      [{ lines: small.slice(0, 600) }, { lines: small.slice(600) }],
      { client: (client) => (client.hold = true) },
    );
    expect(evicted.books.dropped.bufferFull).to.be.within(100, 600);
    const newest = await same(
      { maxBufferBytes: MIB, whenFull: 'dropNewest' },
      [{ lines: lines.slice(0, 300) }, { lines: lines.slice(300) }],
      { client: (client) => (client.hold = true) },
    );
    expect(newest.books.dropped.bufferFull).to.be.above(0);
    const block = await same(
      { maxBufferBytes: MIB, whenFull: 'block' },
      [{ lines: lines.slice(0, 300) }, { lines: lines.slice(300, 700) }],
      { client: (client) => (client.hold = true) },
    );
    expect(block.answers).to.deep.equal([true, false]);
  });

  it('truncates or drops lines over the record limit on their own, between runs', async () => {
    const lines = ['short', 'c'.repeat(5000), 'after', '', 'd'.repeat(4090), 'end'];
    const cut = await same({ maxRecordBytes: 4096 }, [{ lines }, { lines: numbered(10) }]);
    expect(cut.books.truncated).to.equal(2);
    const drop = await same({ maxRecordBytes: 4096, oversize: 'drop' }, [{ lines }]);
    expect(drop.books.dropped.oversize).to.equal(2);
  });

  it('holds the lines of a buffer given away in that buffer, and copies those of a lent one', async () => {
    const sentAfterWriting = async (owned: boolean): Promise<string[]> => {
      const client = new FakePutRecords();
      client.hold = true;
      const sink = new KinesisSink({ streamName: 'logs' }, { client, clock: new FakeClock() });
      const lines = rangesOf(['abc', 'def']);
      if (owned) lines.owned = true;
      expect(sink.putLines(lines)).to.equal(true);
      // Written into after the put: only a lent buffer may be, but this shows what is held.
      lines.buf.fill(0x21);
      const closed = sink.close();
      client.hold = false;
      client.release();
      await closed;
      return client.requests.flat().map((e) => e.data.toString());
    };
    expect(await sentAfterWriting(false)).to.deep.equal(['abc', 'def']);
    expect(await sentAfterWriting(true)).to.deep.equal(['!!!', '!!!']);
  });
});
