import { expect } from 'chai';
import type { ShardSource } from '../../../src/stream/kinesis-shard-source.js';
import {
  pageWeightBytes,
  readShardsInOrder,
  ReadShardsDefaults,
} from '../../../src/stream/read-shards-in-order.js';
import type { RecordsPage, ShardInfo, StreamRecord } from '../../../src/stream/shard-info.js';

const PAGES_PER_SHARD = 5;
const RECORDS_PER_PAGE = 4;
const RECORD_BYTES = 1000;

/** Closed shards of fixed pages, counting the GetRecords calls made on each. */
class CountingSource implements ShardSource {
  readonly calls = new Map<string, number>();

  constructor(private readonly shardIds: readonly string[]) {}

  listShards(): Promise<ShardInfo[]> {
    return Promise.resolve(this.shardIds.map((shardId) => ({ shardId, parentShardIds: [] })));
  }

  getIterator(_stream: string, shardId: string): Promise<string> {
    return Promise.resolve(`${shardId}:0`);
  }

  getRecords(iterator: string): Promise<RecordsPage> {
    const [shardId, at] = iterator.split(':') as [string, string];
    const page = Number(at);
    this.calls.set(shardId, (this.calls.get(shardId) ?? 0) + 1);
    const records = Array.from({ length: RECORDS_PER_PAGE }, (_, i) => ({
      sequenceNumber: String(page * RECORDS_PER_PAGE + i + 1),
      data: new Uint8Array(RECORD_BYTES),
      arrivalMs: 0,
    }));
    const last = page + 1 === PAGES_PER_SHARD;
    return Promise.resolve({
      records,
      nextIterator: last ? undefined : `${shardId}:${page + 1}`,
      millisBehindLatest: 0,
    });
  }

  close(): void {}
}

const shardIds = ['a', 'b', 'c'];
const plans = shardIds.map((shardId) => ({ shardId }));

/** Reads everything, noting the calls made on each shard when the first shard ended. */
async function readAll(maxPrefetchBytes: number) {
  const source = new CountingSource(shardIds);
  const order: string[] = [];
  let callsWhenFirstEnded = new Map<string, number>();
  for await (const step of readShardsInOrder(source, plans, {
    stream: 's',
    minCallIntervalMs: 0,
    concurrency: 3,
    bufferedPages: 2,
    maxPrefetchBytes,
  })) {
    if (step.type === 'page') {
      order.push(`${step.shardId}:${step.records[0]!.sequenceNumber}`);
      // Give the readers ahead every chance to read more than they may.
      await new Promise((resolve) => setImmediate(resolve));
    } else {
      order.push(`${step.shardId}:end`);
      if (step.shardId === 'a') callsWhenFirstEnded = new Map(source.calls);
    }
  }
  return { order, callsWhenFirstEnded, calls: source.calls };
}

describe('readShardsInOrder prefetch budget', () => {
  it('weighs a page as its data plus a fixed overhead per record', () => {
    const records: StreamRecord[] = [
      { sequenceNumber: '1', data: new Uint8Array(10), arrivalMs: 0 },
      { sequenceNumber: '2', data: new Uint8Array(30), arrivalMs: 0 },
    ];
    expect(pageWeightBytes(records)).to.equal(40 + 2 * ReadShardsDefaults.RECORD_OVERHEAD_BYTES);
  });

  it('stops shards ahead of the consumer from reading once the budget is held', async () => {
    const tight = await readAll(1);
    // The budget was empty when all three started, so each shard ahead read one page, no more.
    expect(tight.callsWhenFirstEnded.get('a')).to.equal(PAGES_PER_SHARD);
    expect(tight.callsWhenFirstEnded.get('b')).to.equal(1);
    expect(tight.callsWhenFirstEnded.get('c')).to.equal(1);
    // And the shard being consumed still reads to its end: nothing waits forever.
    for (const id of shardIds) expect(tight.calls.get(id)).to.equal(PAGES_PER_SHARD);
  });

  it('reads ahead up to bufferedPages per shard when the budget has room', async () => {
    const roomy = await readAll(ReadShardsDefaults.MAX_PREFETCH_BYTES);
    expect(roomy.callsWhenFirstEnded.get('b')).to.equal(2);
    expect(roomy.callsWhenFirstEnded.get('c')).to.equal(2);
    // The budget changes when pages are read, never what is read or in which order.
    const tight = await readAll(1);
    expect(tight.order).to.deep.equal(roomy.order);
    expect(roomy.order).to.have.length(shardIds.length * (PAGES_PER_SHARD + 1));
  });

  it('rejects a negative or fractional budget, naming the option', async () => {
    for (const bad of [-1, 1.5]) {
      const steps = readShardsInOrder(new CountingSource(shardIds), plans, {
        stream: 's',
        maxPrefetchBytes: bad,
      });
      let error: unknown;
      await steps.next().catch((err: unknown) => (error = err));
      expect(error).to.be.instanceOf(RangeError);
      expect((error as Error).message).to.match(/maxPrefetchBytes/);
    }
  });
});
