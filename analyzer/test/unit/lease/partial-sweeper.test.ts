import { expect } from 'chai';
import type { IterationCut, Lease } from '../../../src/lease/lease-store.js';
import { MemoryLeaseStore } from '../../../src/lease/memory-lease-store.js';
import { removeReplay, sweepCommittedPartials } from '../../../src/lease/partial-sweeper.js';

const NAME = 'web';
const SHARDS = ['s0', 's1', 's2'];

function cutOf(name: string, iteration: number): IterationCut {
  return {
    formatVersion: 1,
    name,
    iteration,
    createdBy: 'w1',
    createdAtMs: 1,
    cutoffArrivalMs: 2,
    deadlineMs: 3,
    shards: [
      ...SHARDS.map((shardId) => ({ stream: 'logs', shardId, parentShardIds: [] })),
      // A closed shard carried from before: it has no partial (and no lease).
      {
        stream: 'logs',
        shardId: 'old',
        parentShardIds: [],
        carried: {
          shardId: 'old',
          parentShardIds: [],
          records: 0,
          closed: true,
          stopReason: 'notRead',
        },
      },
    ],
  };
}

/** One worker holding every lease of `name`, publishing a partial per shard per iteration. */
async function publisher(store: MemoryLeaseStore, name: string) {
  await store.ensureLeases(
    name,
    SHARDS.map((shardId) => ({ stream: 'logs', shardId })),
  );
  let held: Lease[] = [];
  for (const lease of await store.listLeases(name))
    held.push(await store.takeLease(name, lease, 'w1'));
  return async (iteration: number) => {
    await store.putCut(cutOf(name, iteration));
    const next: Lease[] = [];
    for (const lease of held) {
      next.push(await store.putPartial(name, lease, iteration, new Uint8Array([iteration])));
    }
    held = next;
  };
}

describe('partial clean-up', () => {
  it('a commit deletes its own partials and raises the swept mark; the next iteration’s stay', async () => {
    const store = new MemoryLeaseStore();
    const publish = await publisher(store, NAME);
    await publish(1);
    await publish(2);
    const out = await sweepCommittedPartials(store, NAME, 1);
    expect(out).to.deep.equal({ iterations: 1, items: 3, sweptThrough: 1 });
    expect(store.itemCounts(NAME).partials).to.equal(3);
    // Iteration 2, not committed, still has every partial.
    expect(await store.getPartial(NAME, 'logs#s0', 2)).to.not.equal(undefined);
    // A repeat (a second merger, a retried commit) deletes nothing and keeps the mark.
    expect(await sweepCommittedPartials(store, NAME, 1)).to.deep.equal({
      iterations: 0,
      items: 0,
      sweptThrough: 1,
    });
  });

  it('partials a killed merger left behind are swept by a later commit, a bounded number per pass', async () => {
    const store = new MemoryLeaseStore();
    const publish = await publisher(store, NAME);
    for (let k = 1; k <= 21; k++) await publish(k);
    // Iterations 1 to 19 were committed by mergers killed before their delete.
    const first = await sweepCommittedPartials(store, NAME, 20, 8);
    // 7 older ones (1..7) and 20 itself; the mark stops where the contiguous run ends.
    expect(first).to.deep.equal({ iterations: 8, items: 24, sweptThrough: 7 });
    expect(await store.sweptThrough(NAME)).to.equal(7);
    expect(store.itemCounts(NAME).partials).to.equal(21 * 3 - 24);
    const second = await sweepCommittedPartials(store, NAME, 20, 8);
    expect(second).to.deep.equal({ iterations: 8, items: 21, sweptThrough: 14 });
    const third = await sweepCommittedPartials(store, NAME, 20, 8);
    expect(third).to.deep.equal({ iterations: 6, items: 15, sweptThrough: 20 });
    // Only the uncommitted iteration 21 keeps its partials.
    expect(store.itemCounts(NAME).partials).to.equal(3);
    expect(await store.getPartial(NAME, 'logs#s2', 21)).to.not.equal(undefined);
  });

  it('iterations without a cut (run by a single process) are passed over', async () => {
    const store = new MemoryLeaseStore();
    expect(await sweepCommittedPartials(store, NAME, 3)).to.deep.equal({
      iterations: 3,
      items: 0,
      sweptThrough: 3,
    });
  });

  it('a finished replay leaves nothing: partials of every generation, leases, cuts', async () => {
    const store = new MemoryLeaseStore();
    const replay = 'web#rerun-4';
    const publish = await publisher(store, replay);
    await publish(1);
    await publish(2);
    await publisher(store, NAME).then((p) => p(1));
    expect(store.itemCounts(replay)).to.deep.include({ leases: 3, cuts: 2, partials: 6 });
    expect(await removeReplay(store, (await store.latestCut(replay))!)).to.equal(6);
    expect(store.itemCounts(replay)).to.deep.equal({ leases: 0, cuts: 0, partials: 0, workers: 0 });
    // The name's own items are untouched.
    expect(store.itemCounts(NAME)).to.deep.include({ leases: 3, cuts: 1, partials: 3 });
    // Removing it again does nothing.
    expect(await removeReplay(store, cutOf(replay, 2))).to.equal(0);
  });
});
