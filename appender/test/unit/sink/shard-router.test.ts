import { hashKeyOf, KplAggregateBuilder } from '@kinlog/core';
import { expect } from 'chai';
import type { UserRecord } from '../../../src/sink/held-record.js';
import { KinesisAccessError, KinesisRequestError } from '../../../src/errors.js';
import { ANY_SHARD } from '../../../src/sink/shard-lanes.js';
import { evenShards } from './support/fake-put-records.js';
import { settle } from './support/fake-clock.js';
import { sinkRooms } from './support/sink-rooms.js';

let seq = 0;
function user(partitionKey: string, atMs = 0): UserRecord {
  return {
    data: Buffer.from(`{"k":"${partitionKey}"}`),
    partitionKey,
    bytes: 20,
    hashKey: hashKeyOf(partitionKey),
    seq: ++seq,
    firstPutAtMs: atMs,
    onSettled: undefined,
  };
}

const target = { streamName: 'logs', endpoint: 'fake' };

describe('ShardRouter', () => {
  it('without aggregation or pacing, every record goes plain to the single lane', () => {
    const { router, lanes } = sinkRooms();
    expect(router.active).to.equal(false);
    expect(router.hashKeyFor('a')).to.equal(undefined);
    router.route(user('a'));
    const [held] = lanes.takeBatch(0, true)!;
    expect(held!.shardId).to.equal(undefined);
  });

  it('holds records until the first map, then routes them by MD5 in put order', async () => {
    const rooms = sinkRooms({ rateLimitFraction: 1 });
    rooms.client.shards = evenShards(4);
    const users = ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => user(k));
    for (const u of users) rooms.router.route(u);
    expect(rooms.router.lowestSeq()).to.equal(users[0]!.seq);
    await settle();
    expect(rooms.client.listCalls).to.equal(1);
    expect(rooms.ledger.counters.shardMapRefreshes).to.equal(1);
    expect(rooms.pumps).to.equal(1);
    const taken = rooms.lanes.takeBatch(0, true)!;
    expect(taken).to.have.length(6);
    for (const r of taken) {
      const range = rooms.client.shards.find((s) => s.shardId === r.shardId)!;
      expect(hashKeyOf(r.partitionKey) >= range.startingHashKey).to.equal(true);
      expect(hashKeyOf(r.partitionKey) <= range.endingHashKey).to.equal(true);
    }
  });

  it('aggregates per shard: one KPL record per shard, sealed when due', async () => {
    const rooms = sinkRooms({ aggregation: true, flushIntervalMs: 100 });
    rooms.client.shards = evenShards(2);
    await rooms.router.loadShardMap();
    for (let i = 0; i < 40; i++) rooms.router.route(user(`key-${i}`, rooms.clock.now()));
    expect(rooms.lanes.takeBatch(rooms.clock.now(), true)).to.equal(undefined);
    expect(rooms.router.nextDueMs()).to.equal(rooms.clock.now() + 100);
    rooms.router.sealAggregates(rooms.clock.now() + 100, false);
    const sealed = rooms.lanes.takeBatch(rooms.clock.now() + 100, true)!;
    expect(sealed).to.have.length(2);
    expect(sealed.map((r) => r.shardId).sort()).to.deep.equal(
      rooms.client.shards.map((s) => s.shardId),
    );
    expect(sealed.reduce((n, r) => n + r.users!.length, 0)).to.equal(40);
    const magic = new KplAggregateBuilder().build().subarray(0, 4);
    for (const r of sealed) expect(r.data.subarray(0, 4).equals(magic)).to.equal(true);
  });

  it('retries a map that failed retryably with backoff on the clock', async () => {
    const rooms = sinkRooms({ rateLimitFraction: 1, backoffBaseMs: 100, backoffMaxMs: 100 });
    rooms.client.listError = new KinesisRequestError(target, 'LimitExceededException', 'x', true);
    rooms.router.route(user('a'));
    await settle();
    expect(rooms.client.listCalls).to.equal(1);
    expect(rooms.events.map((e) => e.name)).to.deep.equal(['error']);
    rooms.client.listError = undefined;
    await rooms.clock.advance(100);
    expect(rooms.client.listCalls).to.equal(2);
    expect(rooms.lanes.takeBatch(0, true)![0]!.shardId).to.equal(evenShards(1)[0]!.shardId);
  });

  it('stops routing when ListShards is denied: plain records, single lane', async () => {
    const rooms = sinkRooms({ aggregation: true });
    rooms.client.listError = new KinesisAccessError(target, 'not allowed');
    rooms.router.route(user('a'));
    rooms.router.route(user('b'));
    await settle();
    expect(rooms.router.active).to.equal(false);
    const taken = rooms.lanes.takeBatch(0, true)!;
    expect(taken.map((r) => [r.partitionKey, r.shardId, r.users])).to.deep.equal([
      ['a', undefined, undefined],
      ['b', undefined, undefined],
    ]);
  });

  it('knows whether a shard owns a record by the current map', async () => {
    const rooms = sinkRooms({ rateLimitFraction: 1 });
    rooms.client.shards = evenShards(2);
    const u = user('a');
    expect(rooms.router.owns('shardId-000000000000', u)).to.equal(undefined); // no map yet
    await rooms.router.loadShardMap();
    const own = rooms.client.shards.find((s) => u.hashKey! <= s.endingHashKey)!.shardId;
    const other = rooms.client.shards.find((s) => s.shardId !== own)!.shardId;
    expect(rooms.router.owns(own, u)).to.equal(true);
    expect(rooms.router.owns(other, u)).to.equal(false);
    expect(rooms.router.owns(ANY_SHARD, u)).to.equal(undefined);
  });
});

describe('ShardRouter.resharded', () => {
  it('tells a closed predicted shard (resharding) from an endpoint that routes otherwise', async () => {
    const rooms = sinkRooms({ aggregation: true });
    rooms.client.shards = evenShards(2);
    await rooms.router.loadShardMap();
    const [first, second] = rooms.client.shards.map((s) => s.shardId);
    // Same shards open: not a resharding, and the next surprise soon after does not reload.
    expect(await rooms.router.resharded(first!)).to.equal(false);
    expect(rooms.client.listCalls).to.equal(2);
    expect(await rooms.router.resharded(second!)).to.equal(false);
    expect(rooms.client.listCalls).to.equal(2);
    // The first shard closed (split or merged): another shard now covers its range.
    rooms.client.shards = [
      { ...rooms.client.shards[0]!, shardId: 'shardId-000000000002' },
      rooms.client.shards[1]!,
    ];
    await rooms.clock.advance(5_000);
    expect(await rooms.router.resharded(first!)).to.equal(true);
    expect(rooms.client.listCalls).to.equal(3);
  });
});

describe('ShardRouter, records of the sink’s own keys', () => {
  function own(partitionKey: string, dataBytes: number, atMs = 0): UserRecord {
    const data = Buffer.alloc(dataBytes, 0x61);
    return {
      data,
      partitionKey,
      bytes: dataBytes + partitionKey.length,
      hashKey: undefined,
      seq: ++seq,
      firstPutAtMs: atMs,
      onSettled: undefined,
      randomKey: true,
    };
  }

  it('places plain records on the shards in turn, each with an explicit hash key of its shard', async () => {
    const rooms = sinkRooms({ rateLimitFraction: 1 });
    rooms.client.shards = evenShards(4);
    await rooms.router.loadShardMap();
    for (let i = 0; i < 8; i++) rooms.router.route(own(`r${i}`, 10));
    const taken = rooms.lanes.takeBatch(0, true)!;
    expect(taken).to.have.length(8);
    const perShard = new Map<string, number>();
    for (const r of taken) {
      perShard.set(r.shardId!, (perShard.get(r.shardId!) ?? 0) + 1);
      const range = rooms.client.shards.find((s) => s.shardId === r.shardId)!;
      const ehk = BigInt(r.explicitHashKey!);
      expect(ehk >= range.startingHashKey && ehk <= range.endingHashKey).to.equal(true);
      expect(r.hashKey).to.equal(ehk);
    }
    expect([...perShard.values()]).to.deep.equal([2, 2, 2, 2]);
  });

  it('fills one shard’s one-key aggregate, then the next shard’s', async () => {
    const rooms = sinkRooms({ aggregation: true, maxAggregateBytes: 1024 });
    rooms.client.shards = evenShards(2);
    await rooms.router.loadShardMap();
    // About 9 records of 100 bytes fit in 1 KiB: 30 records make 3 full aggregates and a rest.
    for (let i = 0; i < 30; i++) rooms.router.route(own(`r${i}`, 100));
    const sealedFirst = rooms.lanes.takeBatch(0, true)!;
    expect(sealedFirst.map((r) => r.shardId)).to.have.members([
      'shardId-000000000000',
      'shardId-000000000001',
      'shardId-000000000000',
    ]);
    for (const r of sealedFirst) {
      expect(r.users!.length).to.be.above(5);
      expect(r.data.length).to.be.at.most(1024);
      expect(r.explicitHashKey).to.not.equal(undefined);
    }
    rooms.router.sealAggregates(0, true);
    const rest = rooms.lanes.takeBatch(0, true)!;
    const seqs = [...sealedFirst, ...rest].flatMap((r) => r.users?.map((u) => u.seq) ?? [r.seq]);
    expect(seqs).to.have.length(30);
  });

  it('a record sealed alone or in a small aggregate holds no more than its aggregate’s bytes', async () => {
    const cap = 50 * 1024;
    const rooms = sinkRooms({ aggregation: true, maxAggregateBytes: cap });
    rooms.client.shards = evenShards(1);
    await rooms.router.loadShardMap();
    for (let i = 0; i < 3; i++) rooms.router.route(own(`r${i}`, 100));
    rooms.router.sealAggregates(0, true);
    const [small] = rooms.lanes.takeBatch(0, true)!;
    expect(small!.users).to.have.length(3);
    expect(small!.data.buffer.byteLength).to.be.below(cap / 2);
    for (const u of small!.users!) {
      expect(u.data.buffer).to.equal(small!.data.buffer);
      expect(u.data.toString()).to.equal('a'.repeat(100));
    }
    rooms.router.route(own('alone', 100));
    rooms.router.sealAggregates(0, true);
    const [alone] = rooms.lanes.takeBatch(0, true)!;
    expect(alone!.users).to.equal(undefined);
    expect(alone!.data.toString()).to.equal('a'.repeat(100));
    expect(alone!.data.buffer.byteLength).to.be.below(cap / 2);
  });
});
