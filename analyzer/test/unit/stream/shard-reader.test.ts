import { expect } from 'chai';
import type { ShardSource } from '../../../src/stream/kinesis-shard-source.js';
import type { RecordsPage, ShardInfo } from '../../../src/stream/shard-info.js';
import { readShard, ShardReaderDefaults, StopReasons } from '../../../src/stream/shard-reader.js';

/** Timers may fire up to a millisecond before Date.now() shows the full delay. */
const TIMER_SLACK_MS = 2;

/** One closed shard of `pages` pages of one record each, noting when each GetRecords came. */
class TimedSource implements ShardSource {
  readonly callTimesMs: number[] = [];

  constructor(private readonly pages: number) {}

  listShards(): Promise<ShardInfo[]> {
    return Promise.resolve([{ shardId: 'a', parentShardIds: [] }]);
  }

  getIterator(): Promise<string> {
    return Promise.resolve('0');
  }

  getRecords(iterator: string): Promise<RecordsPage> {
    this.callTimesMs.push(Date.now());
    const page = Number(iterator);
    return Promise.resolve({
      records: [{ sequenceNumber: String(page + 1), data: new Uint8Array(1), arrivalMs: 0 }],
      nextIterator: page + 1 === this.pages ? undefined : String(page + 1),
      millisBehindLatest: 0,
    });
  }

  close(): void {}
}

/** Reads the whole shard, spending `consumerMs` on each page; the gaps between calls. */
async function callGaps(source: TimedSource, minCallIntervalMs?: number, consumerMs = 0) {
  let records = 0;
  let stopReason: string | undefined;
  const options = minCallIntervalMs === undefined ? {} : { minCallIntervalMs };
  for await (const step of readShard(source, { shardId: 'a' }, { stream: 's', ...options })) {
    if (step.type === 'page') {
      records += step.records.length;
      if (consumerMs > 0) await new Promise((resolve) => setTimeout(resolve, consumerMs));
    } else stopReason = step.end.stopReason;
  }
  const times = source.callTimesMs;
  return { records, stopReason, gaps: times.slice(1).map((t, i) => t - times[i]!) };
}

describe('readShard pacing', () => {
  it('spaces GetRecords calls on a shard by the Kinesis per-shard rate by default', async () => {
    expect(ShardReaderDefaults.MIN_CALL_INTERVAL_MS).to.equal(200);
    const { records, stopReason, gaps } = await callGaps(new TimedSource(4));
    expect(records).to.equal(4);
    expect(stopReason).to.equal(StopReasons.closed);
    expect(gaps).to.have.length(3);
    for (const gap of gaps)
      expect(gap).to.be.at.least(ShardReaderDefaults.MIN_CALL_INTERVAL_MS - TIMER_SLACK_MS);
  });

  it('takes the interval it is given', async () => {
    const { gaps } = await callGaps(new TimedSource(4), 60);
    expect(gaps).to.have.length(3);
    for (const gap of gaps) {
      expect(gap).to.be.at.least(60 - TIMER_SLACK_MS);
      expect(gap).to.be.below(ShardReaderDefaults.MIN_CALL_INTERVAL_MS);
    }
  });

  it('counts the interval from the last call, so time spent on a page is not waited again', async () => {
    // The consumer takes longer than the interval: the next call goes at once after it.
    const consumerMs = 150;
    const { gaps } = await callGaps(new TimedSource(4), 100, consumerMs);
    expect(gaps).to.have.length(3);
    for (const gap of gaps) {
      expect(gap).to.be.at.least(consumerMs - TIMER_SLACK_MS);
      // Waiting the interval again after the page would make it at least 250 ms.
      expect(gap).to.be.below(consumerMs + 100);
    }
  });
});
