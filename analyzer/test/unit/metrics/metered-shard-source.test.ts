import { expect } from 'chai';
import {
  MeteredShardSource,
  MeteredShardSourceLimits,
} from '../../../src/metrics/metered-shard-source.js';
import type { ShardSource } from '../../../src/stream/kinesis-shard-source.js';
import type { RecordsPage } from '../../../src/stream/shard-info.js';

/** Two shards of three pages each; iterators are `shard:page`; page 1 fails once. */
function fakeSource(): ShardSource & { failNext: boolean } {
  const source = {
    failNext: false,
    listShards: () => Promise.resolve([]),
    getIterator: (_stream: string, shardId: string) => Promise.resolve(`${shardId}:0`),
    getRecords(iterator: string): Promise<RecordsPage> {
      if (source.failNext) {
        source.failNext = false;
        return Promise.reject(new Error('throttled'));
      }
      const [shard, page] = iterator.split(':') as [string, string];
      const n = Number(page);
      return Promise.resolve({
        records: Array.from({ length: n + 1 }, (_, i) => ({
          sequenceNumber: String(i),
          data: new Uint8Array(10 * (n + 1)),
          arrivalMs: 0,
        })),
        nextIterator: n < 2 ? `${shard}:${n + 1}` : undefined,
        millisBehindLatest: 1000 * (2 - n),
      });
    },
    close: () => undefined,
  };
  return source;
}

describe('MeteredShardSource', () => {
  it('tells records, bytes and MillisBehindLatest per shard, following each shard’s iterators', async () => {
    const pages: [string, string, number, number, number | undefined][] = [];
    const inner = fakeSource();
    const source = new MeteredShardSource(inner, {
      onPage: (...page) => pages.push(page),
    });
    const a = await source.getIterator('logs', 'a', { type: 'trimHorizon' });
    const b = await source.getIterator('logs', 'b', { type: 'trimHorizon' });
    const pa = await source.getRecords(a, 100);
    const pb = await source.getRecords(b, 100);
    inner.failNext = true;
    // A failed read is retried with the same iterator, which still counts for its shard.
    await source.getRecords(pa.nextIterator!, 100).catch(() => undefined);
    const pa2 = await source.getRecords(pa.nextIterator!, 100);
    await source.getRecords(pa2.nextIterator!, 100);
    await source.getRecords(pb.nextIterator!, 100);
    expect(pages).to.deep.equal([
      ['logs', 'a', 1, 10, 2000],
      ['logs', 'b', 1, 10, 2000],
      ['logs', 'a', 2, 40, 1000],
      ['logs', 'a', 3, 90, 0],
      ['logs', 'b', 2, 40, 1000],
    ]);
  });

  it('forgets abandoned iterators past its bound, oldest first', async () => {
    const pages: string[] = [];
    const source = new MeteredShardSource(fakeSource(), {
      onPage: (_s, shard) => pages.push(shard),
    });
    const first = await source.getIterator('logs', 'first', { type: 'trimHorizon' });
    for (let i = 0; i < MeteredShardSourceLimits.MAX_TRACKED_ITERATORS; i++) {
      await source.getIterator('logs', `s${i}`, { type: 'trimHorizon' });
    }
    await source.getRecords(first, 10); // read, but no longer known
    await source.getRecords('s7:0', 10);
    expect(pages).to.deep.equal(['s7']);
  });
});
