import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { LeaseLostError } from '../../src/errors.js';
import type { IterationCut, LeaseStore } from '../../src/lease/lease-store.js';

const NAME = 'web';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

/** The semantics every lease store keeps, run against the in-memory and DynamoDB stores. */
export function leaseStoreConformance(make: () => Promise<LeaseStore>): void {
  let store: LeaseStore;
  beforeEach(async () => {
    store = await make();
  });
  afterEach(() => store.close());

  it('creates missing leases once, unowned at counter 0, listed by key', async () => {
    const shards = ['b', 'a', 'c'].map((s) => ({ stream: 'logs', shardId: s }));
    await store.ensureLeases(NAME, shards);
    const [a] = await store.listLeases(NAME);
    await store.takeLease(NAME, a!, 'w1');
    await store.ensureLeases(NAME, shards);
    const leases = await store.listLeases(NAME);
    expect(leases.map((l) => [l.leaseKey, l.owner, l.counter])).to.deep.equal([
      ['logs#a', 'w1', 1],
      ['logs#b', undefined, 0],
      ['logs#c', undefined, 0],
    ]);
    expect(await store.listLeases('other')).to.deep.equal([]);
  });

  it('every renew and change of owner raises the counter; a stale counter or owner is refused', async () => {
    await store.ensureLeases(NAME, [{ stream: 'logs', shardId: 's0' }]);
    const [free] = await store.listLeases(NAME);
    const mine = await store.takeLease(NAME, free!, 'w1');
    expect(mine.counter).to.equal(1);
    const renewed = await store.renewLease(NAME, mine);
    expect(renewed.counter).to.equal(2);
    // The old view (counter 1) can neither renew nor be taken.
    expect(await rejection(store.renewLease(NAME, mine))).to.be.instanceOf(LeaseLostError);
    expect(await rejection(store.takeLease(NAME, mine, 'w2'))).to.be.instanceOf(LeaseLostError);
    const stolen = await store.takeLease(NAME, renewed, 'w2');
    expect(stolen).to.include({ owner: 'w2', counter: 3 });
    // w1 still thinks it holds counter 2.
    expect(await rejection(store.renewLease(NAME, renewed))).to.be.instanceOf(LeaseLostError);
    expect(
      await rejection(store.putPartial(NAME, renewed, 1, new Uint8Array([1]))),
    ).to.be.instanceOf(LeaseLostError);
    expect(await store.getPartial(NAME, 'logs#s0', 1)).to.equal(undefined);
    // A release by a stale owner is ignored; by the owner it frees the lease.
    await store.releaseLease(NAME, renewed);
    await store.releaseLease(NAME, stolen);
    const [released] = await store.listLeases(NAME);
    expect(released!.owner).to.equal(undefined);
    expect(released!.counter).to.equal(4);
  });

  it('the first cut stored for an iteration wins', async () => {
    const cut = (createdBy: string): IterationCut => ({
      formatVersion: 1,
      name: NAME,
      iteration: 3,
      createdBy,
      createdAtMs: 1,
      cutoffArrivalMs: 2,
      deadlineMs: 3,
      shards: [{ stream: 'logs', shardId: 's0', parentShardIds: [], startAfterSeq: '49' }],
    });
    expect(await store.getCut(NAME, 3)).to.equal(undefined);
    expect((await store.putCut(cut('w1'))).createdBy).to.equal('w1');
    expect((await store.putCut(cut('w2'))).createdBy).to.equal('w1');
    expect(await store.getCut(NAME, 3)).to.deep.equal(cut('w1'));
  });

  it('stores partials of any size the owner publishes, per iteration', async () => {
    await store.ensureLeases(NAME, [{ stream: 'logs', shardId: 's0' }]);
    const [free] = await store.listLeases(NAME);
    let lease = await store.takeLease(NAME, free!, 'w1');
    const big = new Uint8Array(randomBytes(800_000));
    lease = await store.putPartial(NAME, lease, 1, big);
    expect(lease.partial).to.include({ iteration: 1, bytes: big.length });
    expect(Buffer.from((await store.getPartial(NAME, 'logs#s0', 1))!).equals(big)).to.equal(true);
    lease = await store.putPartial(NAME, lease, 2, new Uint8Array([9]));
    expect(Array.from((await store.getPartial(NAME, 'logs#s0', 2))!)).to.deep.equal([9]);
    expect(await store.getPartial(NAME, 'logs#s0', 1)).to.equal(undefined);
    expect(await store.getPartial(NAME, 'logs#nope', 2)).to.equal(undefined);
    const [listed] = await store.listLeases(NAME);
    expect(listed!.counter).to.equal(lease.counter);
  });

  it('the latest cut is the one with the highest iteration (past 9: keys sort as numbers)', async () => {
    const cut = (iteration: number): IterationCut => ({
      formatVersion: 1,
      name: NAME,
      iteration,
      createdBy: 'w1',
      createdAtMs: 1,
      cutoffArrivalMs: 2,
      deadlineMs: 3,
      shards: [],
    });
    expect(await store.latestCut(NAME)).to.equal(undefined);
    for (const k of [2, 10, 9]) await store.putCut(cut(k));
    expect((await store.latestCut(NAME))?.iteration).to.equal(10);
    expect(await store.latestCut('other')).to.equal(undefined);
  });

  it('deletes a lease whoever holds it; deleting a missing one does nothing', async () => {
    await store.ensureLeases(NAME, [
      { stream: 'logs', shardId: 's0' },
      { stream: 'logs', shardId: 's1' },
    ]);
    const [free] = await store.listLeases(NAME);
    await store.takeLease(NAME, free!, 'w1');
    await store.deleteLease(NAME, 'logs#s0');
    await store.deleteLease(NAME, 'logs#s0');
    expect((await store.listLeases(NAME)).map((l) => l.leaseKey)).to.deep.equal(['logs#s1']);
  });

  it('registers workers with a beat each tick raises; forgets one only at the beat it was seen at', async () => {
    await store.beat(NAME, 'w1');
    await store.beat(NAME, 'w1');
    await store.beat(NAME, 'w2');
    const beats = async () =>
      Object.fromEntries((await store.listWorkers(NAME)).map((w) => [w.workerId, w.beat]));
    expect(await beats()).to.deep.equal({ w1: 2, w2: 1 });
    await store.forgetWorker(NAME, 'w1', 1);
    expect(await beats()).to.deep.equal({ w1: 2, w2: 1 });
    await store.forgetWorker(NAME, 'w1', 2);
    await store.forgetWorker(NAME, 'w2');
    expect(await beats()).to.deep.equal({});
  });

  it('deletes every attempt of a partial once its iteration is done; a repeat deletes nothing', async () => {
    await store.ensureLeases(NAME, [
      { stream: 'logs', shardId: 's0' },
      { stream: 'logs', shardId: 's1' },
    ]);
    const [l0, l1] = await store.listLeases(NAME);
    let a = await store.takeLease(NAME, l0!, 'w1');
    const b = await store.takeLease(NAME, l1!, 'w1');
    a = await store.putPartial(NAME, a, 1, new Uint8Array(randomBytes(800_000)));
    await store.putPartial(NAME, b, 1, new Uint8Array([1]));
    // A stale owner's refused write leaves no chunks behind.
    const stale = await store.takeLease(NAME, a, 'w2');
    expect(await rejection(store.putPartial(NAME, a, 2, new Uint8Array([2])))).to.be.instanceOf(
      LeaseLostError,
    );
    expect(await store.deletePartials(NAME, 2, ['logs#s0'])).to.equal(0);
    await store.putPartial(NAME, stale, 2, new Uint8Array([3]));

    expect(await store.deletePartials(NAME, 1, ['logs#s0'])).to.be.at.least(1);
    expect(await store.getPartial(NAME, 'logs#s1', 1)).to.not.equal(undefined);
    expect(await store.deletePartials(NAME, 1, ['logs#s0', 'logs#s1'])).to.equal(1);
    expect(await store.deletePartials(NAME, 1, ['logs#s0', 'logs#s1'])).to.equal(0);
    expect(await store.getPartial(NAME, 'logs#s1', 1)).to.equal(undefined);
    // Iteration 2's partial is untouched.
    expect(Array.from((await store.getPartial(NAME, 'logs#s0', 2))!)).to.deep.equal([3]);
  });

  it('deletes leases and a cut; the swept mark only rises', async () => {
    await store.ensureLeases(
      NAME,
      ['s0', 's1', 's2'].map((shardId) => ({ stream: 'logs', shardId })),
    );
    await store.deleteLeases(NAME, ['logs#s0', 'logs#s2', 'logs#gone']);
    expect((await store.listLeases(NAME)).map((l) => l.leaseKey)).to.deep.equal(['logs#s1']);
    await store.putCut({
      formatVersion: 1,
      name: NAME,
      iteration: 4,
      createdBy: 'w1',
      createdAtMs: 1,
      cutoffArrivalMs: 2,
      deadlineMs: 3,
      shards: [],
    });
    await store.deleteCut(NAME, 4);
    await store.deleteCut(NAME, 4);
    expect(await store.getCut(NAME, 4)).to.equal(undefined);
    expect(await store.sweptThrough(NAME)).to.equal(0);
    await store.markSwept(NAME, 3);
    await store.markSwept(NAME, 2);
    expect(await store.sweptThrough(NAME)).to.equal(3);
    expect(await store.sweptThrough('other')).to.equal(0);
  });
}
