import { LeaseLostError } from '../errors.js';
import {
  leaseKeyOf,
  type IterationCut,
  type Lease,
  type LeaseStore,
  type PartialRef,
  type WorkerBeat,
} from './lease-store.js';

/**
 * A {@link LeaseStore} in memory, with the DynamoDB store's conditions (every write checks the
 * counter it was given). Shared by the workers of one process: tests run several coordinators
 * over one instance.
 *
 * @example
 * ```ts
 * const store = new MemoryLeaseStore();
 * const worker = new LeaseCoordinator({ store, name: 'web', workerId: 'a', failoverMs: 100, clock });
 * ```
 */
export class MemoryLeaseStore implements LeaseStore {
  private readonly leases = new Map<string, Map<string, Lease>>();
  private readonly cuts = new Map<string, IterationCut>();
  /** Partial data by (name, lease key, iteration), then by attempt. */
  private readonly partials = new Map<string, Map<string, Uint8Array>>();
  private readonly swept = new Map<string, number>();
  private readonly workers = new Map<string, Map<string, number>>();
  /** Writes made, by kind (tests count them). */
  readonly writes = { renew: 0, take: 0, release: 0, partial: 0, delete: 0, deletePartial: 0 };

  /**
   * What is stored under a name, by kind (tests check that clean-up brings partials and a
   * finished replay's leases back to zero).
   */
  itemCounts(name: string): {
    leases: number;
    cuts: number;
    partials: number;
    workers: number;
  } {
    let cuts = 0;
    for (const cut of this.cuts.values()) if (cut.name === name) cuts++;
    let partials = 0;
    for (const [key, attempts] of this.partials) {
      if ((JSON.parse(key) as [string])[0] === name) partials += attempts.size;
    }
    return {
      leases: this.leasesOf(name).size,
      cuts,
      partials,
      workers: this.workersOf(name).size,
    };
  }

  ensureLeases(
    name: string,
    shards: readonly { readonly stream: string; readonly shardId: string }[],
  ): Promise<void> {
    const byKey = this.leasesOf(name);
    for (const { stream, shardId } of shards) {
      const leaseKey = leaseKeyOf(stream, shardId);
      if (!byKey.has(leaseKey)) byKey.set(leaseKey, { leaseKey, stream, shardId, counter: 0 });
    }
    return Promise.resolve();
  }

  listLeases(name: string): Promise<Lease[]> {
    const all = [...this.leasesOf(name).values()].sort((a, b) =>
      a.leaseKey < b.leaseKey ? -1 : a.leaseKey > b.leaseKey ? 1 : 0,
    );
    return Promise.resolve(all);
  }

  renewLease(name: string, lease: Lease): Promise<Lease> {
    return this.update(name, lease, true, (now) => ({ ...now, counter: now.counter + 1 }), 'renew');
  }

  takeLease(name: string, lease: Lease, owner: string): Promise<Lease> {
    return this.update(
      name,
      lease,
      false,
      (now) => ({ ...now, owner, counter: now.counter + 1 }),
      'take',
    );
  }

  async releaseLease(name: string, lease: Lease): Promise<void> {
    try {
      await this.update(
        name,
        lease,
        true,
        ({ owner: _owner, ...rest }) => ({ ...rest, counter: rest.counter + 1 }),
        'release',
      );
    } catch (err) {
      if (!(err instanceof LeaseLostError)) throw err;
    }
  }

  beat(name: string, workerId: string): Promise<void> {
    const beats = this.workersOf(name);
    beats.set(workerId, (beats.get(workerId) ?? 0) + 1);
    return Promise.resolve();
  }

  listWorkers(name: string): Promise<WorkerBeat[]> {
    return Promise.resolve(
      [...this.workersOf(name)].map(([workerId, beat]) => ({ workerId, beat })),
    );
  }

  forgetWorker(name: string, workerId: string, beat?: number): Promise<void> {
    const beats = this.workersOf(name);
    if (beat === undefined || beats.get(workerId) === beat) beats.delete(workerId);
    return Promise.resolve();
  }

  private workersOf(name: string): Map<string, number> {
    let beats = this.workers.get(name);
    if (beats === undefined) {
      beats = new Map();
      this.workers.set(name, beats);
    }
    return beats;
  }

  deleteLease(name: string, leaseKey: string): Promise<void> {
    if (this.leasesOf(name).delete(leaseKey)) this.writes.delete++;
    return Promise.resolve();
  }

  putCut(cut: IterationCut): Promise<IterationCut> {
    const key = `${cut.name}#${cut.iteration}`;
    const stored = this.cuts.get(key);
    if (stored !== undefined) return Promise.resolve(structuredClone(stored));
    this.cuts.set(key, structuredClone(cut));
    return Promise.resolve(structuredClone(cut));
  }

  getCut(name: string, iteration: number): Promise<IterationCut | undefined> {
    const stored = this.cuts.get(`${name}#${iteration}`);
    return Promise.resolve(stored === undefined ? undefined : structuredClone(stored));
  }

  latestCut(name: string): Promise<IterationCut | undefined> {
    let latest: IterationCut | undefined;
    for (const cut of this.cuts.values()) {
      if (cut.name === name && (latest === undefined || cut.iteration > latest.iteration))
        latest = cut;
    }
    return Promise.resolve(latest === undefined ? undefined : structuredClone(latest));
  }

  async putPartial(
    name: string,
    lease: Lease,
    iteration: number,
    bytes: Uint8Array,
  ): Promise<Lease> {
    const ref: PartialRef = {
      iteration,
      attempt: `${lease.owner ?? ''}#${lease.counter}`,
      chunks: 1,
      bytes: bytes.length,
    };
    // Data first, then the conditional publish: a failed publish deletes its unreferenced data.
    const key = partialKey(name, lease.leaseKey, iteration);
    const attempts = this.partials.get(key) ?? new Map<string, Uint8Array>();
    this.partials.set(key, attempts);
    attempts.set(ref.attempt, bytes.slice());
    try {
      return await this.update(
        name,
        lease,
        true,
        (now) => ({ ...now, counter: now.counter + 1, partial: ref }),
        'partial',
      );
    } catch (err) {
      attempts.delete(ref.attempt);
      if (attempts.size === 0) this.partials.delete(key);
      throw err;
    }
  }

  getPartial(name: string, leaseKey: string, iteration: number): Promise<Uint8Array | undefined> {
    const ref = this.leasesOf(name).get(leaseKey)?.partial;
    if (ref?.iteration !== iteration) return Promise.resolve(undefined);
    const bytes = this.partials.get(partialKey(name, leaseKey, iteration))?.get(ref.attempt);
    return Promise.resolve(bytes?.slice());
  }

  deletePartials(name: string, iteration: number, leaseKeys: readonly string[]): Promise<number> {
    let deleted = 0;
    for (const leaseKey of leaseKeys) {
      const key = partialKey(name, leaseKey, iteration);
      deleted += this.partials.get(key)?.size ?? 0;
      this.partials.delete(key);
    }
    this.writes.deletePartial += deleted;
    return Promise.resolve(deleted);
  }

  deleteLeases(name: string, leaseKeys: readonly string[]): Promise<void> {
    const byKey = this.leasesOf(name);
    for (const key of leaseKeys) if (byKey.delete(key)) this.writes.delete++;
    return Promise.resolve();
  }

  deleteCut(name: string, iteration: number): Promise<void> {
    this.cuts.delete(`${name}#${iteration}`);
    return Promise.resolve();
  }

  sweptThrough(name: string): Promise<number> {
    return Promise.resolve(this.swept.get(name) ?? 0);
  }

  markSwept(name: string, iteration: number): Promise<void> {
    if (iteration > (this.swept.get(name) ?? 0)) this.swept.set(name, iteration);
    return Promise.resolve();
  }

  close(): void {}

  private leasesOf(name: string): Map<string, Lease> {
    let byKey = this.leases.get(name);
    if (byKey === undefined) {
      byKey = new Map();
      this.leases.set(name, byKey);
    }
    return byKey;
  }

  private update(
    name: string,
    lease: Lease,
    mustOwn: boolean,
    change: (now: Lease) => Lease,
    kind: keyof MemoryLeaseStore['writes'],
  ): Promise<Lease> {
    const byKey = this.leasesOf(name);
    const now = byKey.get(lease.leaseKey);
    if (now === undefined) {
      return Promise.reject(new LeaseLostError(name, lease.leaseKey, 'no such lease'));
    }
    if (now.counter !== lease.counter || now.owner !== lease.owner) {
      return Promise.reject(
        new LeaseLostError(
          name,
          lease.leaseKey,
          `expected ${lease.owner ?? 'nobody'} at counter ${lease.counter}, found ${now.owner ?? 'nobody'} at ${now.counter}`,
        ),
      );
    }
    if (mustOwn && now.owner === undefined) {
      return Promise.reject(new LeaseLostError(name, lease.leaseKey, 'lease is not held'));
    }
    const next = change(now);
    byKey.set(lease.leaseKey, next);
    this.writes[kind]++;
    return Promise.resolve(next);
  }
}

function partialKey(name: string, leaseKey: string, iteration: number): string {
  return JSON.stringify([name, leaseKey, iteration]);
}
