import { expect } from 'chai';
import { gunzipSync } from 'node:zlib';
import { SplitShardCommand } from '@aws-sdk/client-kinesis';
import { hashKeyOf, ShardMap, type ShardHashRange } from '@kinlog/core';
import {
  createTestStream,
  localKinesisClient,
  readAllRecords,
  startFaultProxy,
  waitForStreamActive,
} from '@kinlog/testkit';
import { KinesisSink } from '../../src/index.js';
import { deaggregate } from '../support/kpl-deaggregate.js';

const endpoint = (): string => process.env.AWS_ENDPOINT_URL_KINESIS ?? '';

async function shardRanges(streamName: string): Promise<ShardHashRange[]> {
  const { ListShardsCommand } = await import('@aws-sdk/client-kinesis');
  const out = await localKinesisClient().send(new ListShardsCommand({ StreamName: streamName }));
  return (out.Shards ?? []).map((s) => ({
    shardId: s.ShardId!,
    startingHashKey: BigInt(s.HashKeyRange!.StartingHashKey!),
    endingHashKey: BigInt(s.HashKeyRange!.EndingHashKey!),
  }));
}

describe('KinesisSink aggregation, compression and pacing', function () {
  this.timeout(120_000);

  it('writes KPL aggregates that aws-kinesis-agg turns back into the exact events and keys', async () => {
    const streamName = await createTestStream(4);
    const sink = new KinesisSink({
      streamName,
      endpoint: endpoint(),
      aggregation: true,
      flushIntervalMs: 50,
      partitionKey: { field: 'user' },
    });
    const put = 5000;
    for (let id = 0; id < put; id++)
      sink.put({ id, user: `user-${id % 37}`, msg: `line ${id} ${'x'.repeat(150)}` });
    await sink.close();
    const stats = sink.stats();
    expect(stats.recordsSent).to.equal(put);
    expect(stats.kinesisRecordsSent).to.be.at.most(put / 50);
    const records = await readAllRecords({ streamName });
    expect(records.length).to.equal(stats.kinesisRecordsSent);
    const ranges = new ShardMap(await shardRanges(streamName));
    const seen = new Map<number, string>();
    for (const r of records) {
      for (const u of deaggregate(r.data, r.partitionKey, r.sequenceNumber)) {
        const event = JSON.parse(Buffer.from(u.data, 'base64').toString('utf8')) as {
          id: number;
          user: string;
        };
        expect(u.partitionKey).to.equal(event.user);
        // Each user record sits on the shard its own key maps to.
        expect(ranges.holds(r.shardId, hashKeyOf(u.partitionKey))).to.equal(true);
        expect(seen.has(event.id)).to.equal(false);
        seen.set(event.id, u.partitionKey);
      }
    }
    expect(seen.size).to.equal(put);
  });

  it('with its own random keys, places aggregates on every shard without hashing a key per record', async () => {
    const streamName = await createTestStream(4);
    const sink = new KinesisSink({
      streamName,
      endpoint: endpoint(),
      aggregation: true,
      flushIntervalMs: 50,
    });
    const put = 20_000;
    for (let id = 0; id < put; id++) sink.put({ id, msg: `line ${id} ${'x'.repeat(100)}` });
    await sink.close();
    const stats = sink.stats();
    expect(stats.recordsSent).to.equal(put);
    // Kinesis put every aggregate on the shard it was placed on: no surprise, no second map.
    expect(stats.shardMapRefreshes).to.equal(1);
    expect(stats.userRecordsRerouted).to.equal(0);
    const ranges = new ShardMap(await shardRanges(streamName));
    const ids = new Set<number>();
    const perShard = new Map<string, number>();
    for (const r of await readAllRecords({ streamName })) {
      perShard.set(r.shardId, (perShard.get(r.shardId) ?? 0) + 1);
      const users = deaggregate(r.data, r.partitionKey, r.sequenceNumber);
      const keys = new Set(users.map((u) => `${u.partitionKey}/${u.explicitPartitionKey}`));
      expect(keys.size).to.equal(1); // one key and one explicit hash key per aggregate
      for (const u of users) {
        // A reader that checks each user record's shard (the KCL) keeps every one.
        expect(ranges.holds(r.shardId, BigInt(u.explicitPartitionKey!))).to.equal(true);
        ids.add((JSON.parse(Buffer.from(u.data, 'base64').toString('utf8')) as { id: number }).id);
      }
    }
    expect(ids.size).to.equal(put);
    expect(perShard.size).to.equal(4);
    const counts = [...perShard.values()];
    expect(Math.max(...counts) - Math.min(...counts)).to.be.at.most(2);
  });

  it('takes a burst of 300,000 lines before the first shard map arrives', async () => {
    const streamName = await createTestStream(2);
    const sink = new KinesisSink({
      streamName,
      endpoint: endpoint(),
      aggregation: true,
      flushIntervalMs: 50,
    });
    // Every put happens before ListShards can answer: all of them wait for the first map.
    for (let i = 0; i < 300_000; i++) sink.put({ i });
    await sink.close();
    const stats = sink.stats();
    expect(stats.recordsSent).to.equal(300_000);
    expect(stats.droppedTotal).to.equal(0);
  });

  it('compresses records with gzip, inside aggregates too', async () => {
    const streamName = await createTestStream(1);
    const plain = new KinesisSink({
      streamName,
      endpoint: endpoint(),
      compression: 'gzip',
      flushIntervalMs: 20,
    });
    plain.put({ id: 'plain', msg: 'a'.repeat(5000) });
    await plain.close();
    const aggregated = new KinesisSink({
      streamName,
      endpoint: endpoint(),
      compression: 'gzip',
      aggregation: true,
      flushIntervalMs: 20,
    });
    for (let i = 0; i < 10; i++) aggregated.put({ id: `agg-${i}`, msg: 'b'.repeat(5000) });
    await aggregated.close();
    const records = await readAllRecords({ streamName });
    const ids: string[] = [];
    let wireBytes = 0;
    for (const r of records) {
      wireBytes += r.data.length;
      for (const u of deaggregate(r.data, r.partitionKey, r.sequenceNumber)) {
        const raw = Buffer.from(u.data, 'base64');
        expect(raw[0]).to.equal(0x1f); // gzip magic
        ids.push((JSON.parse(gunzipSync(raw).toString('utf8')) as { id: string }).id);
      }
    }
    expect(ids.sort()).to.deep.equal([
      'agg-0',
      'agg-1',
      'agg-2',
      'agg-3',
      'agg-4',
      'agg-5',
      'agg-6',
      'agg-7',
      'agg-8',
      'agg-9',
      'plain',
    ]);
    expect(wireBytes).to.be.below(11 * 5000 * 0.1);
    // A held gzip record costs what it counts: no 16 KiB zlib buffer kept alive behind it.
    const held = new KinesisSink({
      streamName,
      endpoint: 'http://127.0.0.1:9',
      compression: 'gzip',
      flushIntervalMs: 60_000,
      shutdownTimeoutMs: 0,
    });
    for (let i = 0; i < 20; i++) held.put({ i, msg: 'c'.repeat(100) });
    const lanes = (held as unknown as { lanes: { drain(): { data: Buffer }[] } }).lanes;
    for (const r of lanes.drain()) expect(r.data.buffer.byteLength).to.be.below(8 * 1024 + 1);
    await held.close();
  });

  it('after a split, every aggregated user record still lands on the shard its key maps to', async () => {
    const streamName = await createTestStream(1);
    const sink = new KinesisSink({
      streamName,
      endpoint: endpoint(),
      aggregation: true,
      flushIntervalMs: 30,
      partitionKey: { field: 'user' },
    });
    const put = (from: number, to: number): void => {
      for (let id = from; id < to; id++) sink.put({ id, user: `u-${id % 101}` });
    };
    put(0, 2000);
    await sink.flush();
    const [parent] = await shardRanges(streamName);
    await localKinesisClient().send(
      new SplitShardCommand({
        StreamName: streamName,
        ShardToSplit: parent!.shardId,
        NewStartingHashKey: (1n << 127n).toString(),
      }),
    );
    await waitForStreamActive(streamName); // the split has completed
    put(2000, 4000);
    await sink.flush();
    put(4000, 6000);
    await sink.close();
    const stats = sink.stats();
    expect(stats.recordsSent).to.equal(6000);
    expect(stats.shardMapRefreshes).to.be.at.least(2); // the first map, then the one after the split
    const all = await shardRanges(streamName);
    const byId = new Map(all.map((r) => [r.shardId, r]));
    const ids = new Set<number>();
    let misplaced = 0;
    for (const r of await readAllRecords({ streamName })) {
      const range = byId.get(r.shardId)!;
      for (const u of deaggregate(r.data, r.partitionKey, r.sequenceNumber)) {
        const h = hashKeyOf(u.partitionKey);
        const id = (JSON.parse(Buffer.from(u.data, 'base64').toString('utf8')) as { id: number })
          .id;
        // Copies on a shard that does not own their key were put again; readers skip them.
        if (h < range.startingHashKey || h > range.endingHashKey) misplaced++;
        else ids.add(id);
      }
    }
    expect(ids.size).to.equal(6000);
    // The first aggregates after the split went out on the stale map and were caught.
    expect(stats.userRecordsRerouted).to.be.above(0);
    expect(misplaced).to.equal(stats.userRecordsRerouted);
  });

  it('paces a hot shard: under 1 % throttled entries where the unpaced sink exceeds 10 %', async () => {
    const streamName = await createTestStream(2);
    const errors: string[] = [];
    const run = async (rateLimitFraction: number | undefined): Promise<number> => {
      // A proxy per run: its one-second shard windows start empty. The unpaced run's last
      // window is often nearly full, and a second run in the same window would be throttled
      // for the first run's records.
      const proxy = await startFaultProxy({
        upstream: endpoint(),
        // Scaled-down shard limits so the test takes seconds: 200 records/s per shard.
        faults: { shardRecordsPerSecond: 200 },
      });
      errors.length = 0;
      try {
        const sink = new KinesisSink({
          streamName,
          endpoint: proxy.url,
          flushIntervalMs: 20,
          backoffBaseMs: 50,
          backoffMaxMs: 400,
          maxRetries: Infinity,
          ...(rateLimitFraction === undefined ? {} : { rateLimitFraction }),
        });
        // A shard map that failed to load would leave the sink unpaced: name it if it happens.
        sink.on('error', (e: Error) => errors.push(e.message));
        for (let i = 0; i < 800; i++) sink.put({ i, msg: 'hot' });
        await sink.close();
        expect(sink.stats().recordsSent).to.equal(800);
        expect(sink.stats().shardMapRefreshes, 'shard map loads').to.be.at.least(
          rateLimitFraction === undefined ? 0 : 1,
        );
        const s = proxy.stats();
        return s.entriesShardThrottled / s.entriesReceived;
      } finally {
        await proxy.close();
      }
    };
    const unpaced = await run(undefined);
    // The proxy's 200 records/s is 20 % of the real limit; pace at 60 % of that, which leaves
    // room for the burst a bucket banks and for request jitter across the proxy's windows.
    const paced = await run(0.2 * 0.6);
    console.log(
      `      throttled entries: unpaced ${(unpaced * 100).toFixed(1)} %, paced ${(paced * 100).toFixed(2)} %`,
    );
    // Unpaced, the first two requests (500 + 300 records) alone exceed a shard's window.
    expect(unpaced).to.be.above(0.1);
    expect(paced, `errors: ${errors.join('; ')}`).to.be.below(0.01);
  });
});
