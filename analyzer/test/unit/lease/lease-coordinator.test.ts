import { expect } from 'chai';
import { LeaseLostError } from '../../../src/errors.js';
import { LeaseCoordinator } from '../../../src/lease/lease-coordinator.js';
import { MemoryLeaseStore } from '../../../src/lease/memory-lease-store.js';

const NAME = 'web';
const FAILOVER_MS = 30;

function shards(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    stream: 'logs',
    shardId: `shardId-${String(i).padStart(12, '0')}`,
  }));
}

/** Several workers over one store and one fake clock. */
async function fixture(leaseCount: number) {
  const store = new MemoryLeaseStore();
  await store.ensureLeases(NAME, shards(leaseCount));
  let nowMs = 0;
  const clock = () => nowMs;
  const worker = (workerId: string) =>
    new LeaseCoordinator({ store, name: NAME, workerId, failoverMs: FAILOVER_MS, clock });
  return {
    store,
    worker,
    advance: (ms: number) => (nowMs += ms),
  };
}

async function ownersOf(store: MemoryLeaseStore): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const lease of await store.listLeases(NAME)) {
    const owner = lease.owner ?? '(none)';
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
  }
  return counts;
}

/** Ticks every worker in turn, `rounds` times, the clock moving a third of failover per round. */
async function rounds(
  workers: readonly LeaseCoordinator[],
  count: number,
  advance: (ms: number) => void,
  each?: () => Promise<void>,
) {
  for (let r = 0; r < count; r++) {
    for (const w of workers) await w.tick();
    advance(FAILOVER_MS / 3);
    await each?.();
  }
}

describe('LeaseCoordinator', () => {
  it('takes every free lease when alone, and raises each counter on every renewal', async () => {
    const { store, worker } = await fixture(4);
    const a = worker('a');
    const first = await a.tick();
    expect(first.taken).to.have.length(4);
    expect(a.heldKeys()).to.have.length(4);
    const afterTake = (await store.listLeases(NAME)).map((l) => l.counter);
    expect(afterTake).to.deep.equal([1, 1, 1, 1]);
    const second = await a.tick();
    expect(second.renewed).to.equal(4);
    expect((await store.listLeases(NAME)).map((l) => l.counter)).to.deep.equal([2, 2, 2, 2]);
    expect((await store.listLeases(NAME)).every((l) => l.owner === 'a')).to.equal(true);
  });

  it('takes a lease only once its counter has not moved for the failover time', async () => {
    const { store, worker, advance } = await fixture(4);
    const a = worker('a');
    const b = worker('b');
    await a.tick();
    // b sees a's counters now (and steals toward 2 of 4), then a stops renewing.
    expect((await b.tick()).taken).to.deep.equal([]);
    advance(FAILOVER_MS - 1);
    expect((await b.tick()).taken).to.deep.equal([]);
    expect(Object.fromEntries(await ownersOf(store))).to.deep.equal({ a: 2, b: 2 });
    advance(1);
    const tick = await b.tick();
    expect(tick.taken).to.have.length(2);
    expect(tick.target).to.equal(4);
    expect(Object.fromEntries(await ownersOf(store))).to.deep.equal({ b: 4 });
  });

  it('does not take the leases of a worker that keeps renewing', async () => {
    const { store, worker, advance } = await fixture(4);
    const a = worker('a');
    const b = worker('b');
    await a.tick();
    for (let i = 0; i < 10; i++) {
      advance(FAILOVER_MS - 1);
      await a.tick();
      await b.tick();
    }
    // b stole toward an even split, but took nothing as expired.
    expect(Object.fromEntries(await ownersOf(store))).to.deep.equal({ a: 2, b: 2 });
  });

  it('steals one lease per tick from the most loaded worker, down to an even split', async () => {
    const { store, worker } = await fixture(8);
    const a = worker('a');
    const b = worker('b');
    await a.tick();
    const first = await b.tick();
    expect(first.stolen).to.have.length(1);
    expect(first.taken).to.deep.equal([]);
    expect(first.target).to.equal(4);
    const steals: number[] = [];
    for (let i = 0; i < 6; i++) {
      await a.tick();
      steals.push((await b.tick()).stolen.length);
    }
    expect(steals).to.deep.equal([1, 1, 1, 0, 0, 0]);
    expect(Object.fromEntries(await ownersOf(store))).to.deep.equal({ a: 4, b: 4 });
  });

  it('a stale owner fails its renewal and its writes, and its lease signal aborts', async () => {
    const { store, worker, advance } = await fixture(1);
    const a = worker('a');
    const b = worker('b');
    await a.tick();
    const key = a.heldKeys()[0]!;
    const signal = a.signalOf(key)!;
    expect(signal.aborted).to.equal(false);
    await b.tick();
    advance(FAILOVER_MS);
    expect((await b.tick()).taken).to.deep.equal([key]);

    // a still believes it holds the lease: its write is refused by the counter.
    const refused = await a
      .withLease(key, (lease) => store.putPartial(NAME, lease, 1, new Uint8Array([1, 2, 3])))
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(refused).to.be.instanceOf(LeaseLostError);
    expect(signal.aborted).to.equal(true);
    expect(a.holds(key)).to.equal(false);
    expect(await store.getPartial(NAME, key, 1)).to.equal(undefined);

    // b's write goes through and is readable.
    await b.withLease(key, (lease) => store.putPartial(NAME, lease, 1, new Uint8Array([7])));
    expect(Array.from((await store.getPartial(NAME, key, 1))!)).to.deep.equal([7]);
    // a's next tick notices nothing to renew and takes nothing back (b is live and at target).
    const tick = await a.tick();
    expect(tick.renewed).to.equal(0);
    expect(tick.taken).to.deep.equal([]);
  });

  it('two workers taking the same expired lease: exactly one gets it', async () => {
    const { store, worker, advance } = await fixture(1);
    const a = worker('a');
    await a.tick();
    const b = worker('b');
    const c = worker('c');
    await b.tick();
    await c.tick();
    advance(FAILOVER_MS);
    const [tb, tc] = await Promise.all([b.tick(), c.tick()]);
    expect(tb.taken.length + tc.taken.length).to.equal(1);
    const owners = await ownersOf(store);
    expect(owners.get('b') ?? owners.get('c')).to.equal(1);
  });

  it('rebalances to within one of even as workers join, crash and leave, never below fair share', async () => {
    const { store, worker, advance } = await fixture(64);
    const workers = [worker('w1')];
    const fairFloor = async () => {
      // While converging, no live worker that had reached its fair share falls below it.
      const counts = await ownersOf(store);
      const live = workers.length;
      for (const w of workers) {
        const mine = counts.get(w.workerId) ?? 0;
        if (reached.has(w.workerId)) expect(mine).to.be.at.least(Math.floor(64 / live));
        if (mine >= Math.floor(64 / live)) reached.add(w.workerId);
      }
    };
    const reached = new Set<string>();
    await rounds(workers, 2, advance);
    expect(Object.fromEntries(await ownersOf(store))).to.deep.equal({ w1: 64 });

    for (const id of ['w2', 'w3', 'w4']) {
      workers.push(worker(id));
      reached.clear();
      await rounds(workers, 40, advance, fairFloor);
      const counts = [...(await ownersOf(store)).values()];
      expect(counts.reduce((x, y) => x + y)).to.equal(64);
      expect(Math.max(...counts) - Math.min(...counts)).to.be.at.most(1);
      expect(counts).to.have.length(workers.length);
    }
    expect([...(await ownersOf(store)).values()]).to.deep.equal([16, 16, 16, 16]);

    // w4 crashes (stops renewing): its leases expire and the three others share them.
    workers.pop();
    await rounds(workers, 40, advance);
    const afterCrash = await ownersOf(store);
    expect(afterCrash.has('w4')).to.equal(false);
    expect([...afterCrash.values()].sort()).to.deep.equal([21, 21, 22]);

    // w3 leaves cleanly: released leases are taken without waiting for the failover time.
    const leaving = workers.pop()!;
    await leaving.stop({ release: true });
    for (const w of workers) await w.tick();
    for (const w of workers) await w.tick();
    const afterLeave = await ownersOf(store);
    expect(afterLeave.has('w3')).to.equal(false);
    expect([...afterLeave.values()]).to.deep.equal([32, 32]);
  });

  it('retires the leases of shards read to their end: deleted, never renewed, not counted', async () => {
    const { store, worker, advance } = await fixture(6);
    const a = worker('a');
    const b = worker('b');
    await rounds([a, b], 4, advance);
    expect([...(await ownersOf(store)).values()]).to.deep.equal([3, 3]);
    // Two closed shards of a, read to their end: their lease signals abort, the leases go.
    const finished = a.heldKeys().slice(0, 2);
    const signals = finished.map((key) => a.signalOf(key)!);
    await b.retire(finished);
    expect(signals.map((signal) => signal.aborted)).to.deep.equal([false, false]);
    await a.retire(finished);
    expect(signals.map((signal) => signal.aborted)).to.deep.equal([true, true]);
    expect((await store.listLeases(NAME)).map((l) => l.leaseKey)).not.to.include.members(finished);
    expect(a.heldKeys()).to.have.length(1);

    const renewals = store.writes.renew;
    const tick = await a.tick();
    // a renews only the lease it still holds, and the split aims at 4 leases over 2 workers.
    expect(store.writes.renew - renewals).to.equal(1);
    expect(tick.renewed).to.equal(1);
    expect(tick.target).to.equal(2);
    await rounds([a, b], 4, advance);
    expect([...(await ownersOf(store)).values()]).to.deep.equal([2, 2]);
    expect(store.writes.delete).to.equal(2);
  });

  it('takes at most its fair share of free leases when other workers are known', async () => {
    const { store, worker, advance } = await fixture(9);
    const [a, b, c] = [worker('a'), worker('b'), worker('c')];
    // b and c are known (registered) before a ticks, though they hold nothing yet.
    await b.register();
    await c.register();
    const first = await a.tick();
    expect(first.taken).to.have.length(3);
    expect(first.target).to.equal(3);
    const [tb, tc] = [await b.tick(), await c.tick()];
    expect([tb.taken.length, tc.taken.length]).to.deep.equal([3, 3]);
    expect([tb.stolen, tc.stolen]).to.deep.equal([[], []]);
    expect(Object.fromEntries(await ownersOf(store))).to.deep.equal({ a: 3, b: 3, c: 3 });

    // c crashes: once its beat has not moved for the failover time it is no longer counted,
    // and a and b share its expired leases; long gone, it is unregistered.
    await rounds([a, b], 4, advance);
    expect([...(await ownersOf(store)).values()].sort()).to.deep.equal([4, 5]);
    await rounds([a, b], 3 * 10, advance);
    expect((await store.listWorkers(NAME)).map((w) => w.workerId).sort()).to.deep.equal(['a', 'b']);
    // b leaves cleanly: unregistered at once, a takes everything at its next tick.
    const released = b.heldKeys().length;
    await b.stop({ release: true });
    expect((await a.tick()).taken).to.have.length(released);
    expect(a.heldKeys()).to.have.length(9);
    expect((await store.listWorkers(NAME)).map((w) => w.workerId)).to.deep.equal(['a']);
  });

  it('validates its options, naming each one', () => {
    const store = new MemoryLeaseStore();
    expect(() => new LeaseCoordinator({ store, name: NAME, workerId: '', failoverMs: 1 })).to.throw(
      /failoverMs: .*; workerId: /,
    );
  });
});

describe('LeaseCoordinator.othersLive', () => {
  it('is false when no other worker is registered', async () => {
    const { worker } = await fixture(2);
    const a = worker('a');
    await a.tick();
    expect(await a.othersLive()).to.equal(false);
  });

  it('is true once another worker’s beat moves, and undecided while it has not for the failover time', async () => {
    const { worker, advance } = await fixture(2);
    const a = worker('a');
    const b = worker('b');
    await b.tick();
    await a.tick();
    advance(FAILOVER_MS / 3);
    expect(await a.othersLive()).to.equal(undefined);
    await b.tick();
    expect(await a.othersLive()).to.equal(true);
  });

  it('unregisters a worker whose beat stood still for the failover time, then is false', async () => {
    const { store, worker, advance } = await fixture(2);
    const a = worker('a');
    const dead = worker('dead');
    await dead.tick();
    await a.tick();
    advance(FAILOVER_MS - 1);
    expect(await a.othersLive()).to.equal(undefined);
    advance(1);
    expect(await a.othersLive()).to.equal(false);
    expect((await store.listWorkers(NAME)).map((w) => w.workerId)).to.deep.equal(['a']);
  });

  it('is false once the other worker stopped cleanly (its registration gone)', async () => {
    const { worker } = await fixture(2);
    const a = worker('a');
    const b = worker('b');
    await b.tick();
    await a.tick();
    expect(await a.othersLive()).to.equal(undefined);
    await b.stop({ release: true });
    expect(await a.othersLive()).to.equal(false);
  });
});
