/*
 *   tick():  beat ─▶ list workers (a beat unchanged for failoverMs = gone) and leases ─▶ note
 *            counters (a counter unchanged for failoverMs = expired)
 *            ─▶ renew mine (lost ones dropped, their signals aborted)
 *            ─▶ target = ⌈leases / live workers⌉ (registered workers holding nothing count too,
 *               so nobody takes more than its share of free leases) ─▶ below it? take expired (free first),
 *               else steal ONE from the most loaded worker if it is above target
 *               (or at target while we need two or more)
 *
 * retire(keys): leases of closed shards read to their end are deleted, never renewed again.
 * othersLive(): once done, whether another registered worker is still live (a replay's last
 *            worker to leave removes it).
 *
 * Expiry is judged by this worker's own clock on counters it saw move, never by another host's
 * time, so clock skew between hosts cannot make a live lease look expired (the KCL's rule).
 */
import { ConfigError } from '@kinlog/core';
import { hostname } from 'node:os';
import { LeaseLostError } from '../errors.js';
import type { Lease, LeaseStore, WorkerBeat } from './lease-store.js';

/** Defaults and bounds of {@link LeaseCoordinatorOptions}. */
export const LeaseDefaults = {
  /** A lease whose counter did not move for this long is taken (the KCL's default). */
  FAILOVER_MS: 10_000,
  /** Leases are renewed (and taken, stolen) every failover time / this. */
  TICKS_PER_FAILOVER: 3,
  /** Renewals sent at once. */
  RENEW_CONCURRENCY: 16,
  /** A worker whose beat has not moved for this many failover times is unregistered. */
  FORGET_AFTER_FAILOVERS: 10,
} as const;

export interface LeaseCoordinatorOptions {
  readonly store: LeaseStore;
  readonly name: string;
  /** This worker's id. Default `host:pid`. */
  readonly workerId?: string;
  readonly failoverMs?: number;
  /** Milliseconds now; injected by tests. Default `Date.now`. */
  readonly clock?: () => number;
  /** Told what each tick did (metrics: leases held, taken, stolen, lost). */
  readonly onTick?: (tick: LeaseTick) => void;
  /** Told when a tick fails (it is tried again at the next one). */
  readonly onTickError?: (err: unknown) => void;
}

/** What one tick did. */
export interface LeaseTick {
  readonly renewed: number;
  readonly taken: readonly string[];
  readonly stolen: readonly string[];
  readonly lost: readonly string[];
  /** Leases held after the tick, and the target count it aimed for. */
  readonly held: number;
  readonly target: number;
}

interface Seen {
  readonly counter: number;
  readonly owner: string | undefined;
  readonly sinceMs: number;
}

/**
 * One worker's view of a name's shard leases: renews what it holds, takes expired leases and
 * steals toward an even count. Pure of timers: the caller (or {@link LeaseCoordinator.start})
 * calls {@link LeaseCoordinator.tick}; tests drive it with a fake clock.
 *
 * @example
 * ```ts
 * const leases = new LeaseCoordinator({ store, name: 'web', workerId: 'a', failoverMs: 10_000 });
 * await leases.tick();
 * leases.heldKeys(); // ['logs#shardId-000000000000', …]
 * ```
 */
export class LeaseCoordinator {
  readonly workerId: string;
  readonly failoverMs: number;
  private readonly store: LeaseStore;
  private readonly name: string;
  private readonly clock: () => number;
  private readonly onTick: ((tick: LeaseTick) => void) | undefined;
  private readonly onTickError: ((err: unknown) => void) | undefined;
  private readonly seen = new Map<string, Seen>();
  private readonly seenWorkers = new Map<string, { beat: number; sinceMs: number }>();
  private readonly held = new Map<string, Lease>();
  private readonly lostSignals = new Map<string, AbortController>();
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private lastError: unknown;

  constructor(options: LeaseCoordinatorOptions) {
    const failoverMs = options.failoverMs ?? LeaseDefaults.FAILOVER_MS;
    const problems = [];
    if (!Number.isInteger(failoverMs) || failoverMs < LeaseDefaults.TICKS_PER_FAILOVER) {
      problems.push({
        path: 'failoverMs',
        message: `must be an integer of at least ${LeaseDefaults.TICKS_PER_FAILOVER}`,
      });
    }
    const workerId = options.workerId ?? `${hostname()}:${process.pid}`;
    if (typeof workerId !== 'string' || workerId === '' || workerId.length > 256) {
      problems.push({ path: 'workerId', message: 'must be 1 to 256 characters' });
    }
    if (problems.length > 0) throw new ConfigError(problems, 'invalid lease options');
    this.store = options.store;
    this.name = options.name;
    this.workerId = workerId;
    this.failoverMs = failoverMs;
    this.clock = options.clock ?? Date.now;
    this.onTick = options.onTick;
    this.onTickError = options.onTickError;
  }

  /** Interval of {@link start}: a third of the failover time. */
  get tickIntervalMs(): number {
    return Math.floor(this.failoverMs / LeaseDefaults.TICKS_PER_FAILOVER);
  }

  /** Lease keys held now, sorted. */
  heldKeys(): string[] {
    return [...this.held.keys()].sort();
  }

  holds(leaseKey: string): boolean {
    return this.held.has(leaseKey);
  }

  /** Aborted when the lease is lost (stolen, expired); absent when the lease is not held. */
  signalOf(leaseKey: string): AbortSignal | undefined {
    return this.held.has(leaseKey) ? this.lostSignals.get(leaseKey)?.signal : undefined;
  }

  /** The last error a background tick met (cleared by the next good tick). */
  get error(): unknown {
    return this.lastError;
  }

  /** Ticks every {@link tickIntervalMs} in the background (unref'd) until {@link stop}. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.tick().then(
        () => (this.lastError = undefined),
        (err: unknown) => (this.lastError = err),
      );
    }, this.tickIntervalMs);
    this.timer.unref();
  }

  /**
   * Makes this worker known to the others before it holds anything (a tick does it too), so
   * none of them takes more than its share of the free leases.
   */
  async register(): Promise<void> {
    await this.exclusive(() => this.store.beat(this.name, this.workerId));
  }

  /**
   * Stops ticking; with `release`, gives every held lease up so others take them at once, and
   * unregisters (unless `forget` is false: a worker that goes on later keeps its registration).
   */
  async stop(options: { release?: boolean; forget?: boolean } = {}): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.exclusive(async () => {
      if (options.release === true) {
        for (const lease of this.held.values()) await this.store.releaseLease(this.name, lease);
        // Best effort: a registration left behind stops counting once its beat has not moved
        // for the failover time, and is removed by the others later.
        if (options.forget !== false) {
          await this.store.forgetWorker(this.name, this.workerId).catch(() => undefined);
        }
      }
      for (const key of [...this.held.keys()]) this.drop(key, 'released');
    });
  }

  /**
   * Whether another worker is still registered and live, asked once this one is done: `true`
   * when one's beat moved since this worker last saw it, `false` when none is left (a
   * registration whose beat stood still for the failover time is a dead worker's: it is
   * unregistered at that beat), `undefined` while a registration has not been watched for
   * that long yet (ask again later).
   */
  async othersLive(): Promise<boolean | undefined> {
    return this.exclusive(async () => {
      const now = this.clock();
      let undecided = false;
      for (const { workerId, beat } of await this.store.listWorkers(this.name)) {
        if (workerId === this.workerId) continue;
        const seen = this.seenWorkers.get(workerId);
        if (seen !== undefined && seen.beat !== beat) return true;
        if (seen === undefined) {
          this.seenWorkers.set(workerId, { beat, sinceMs: now });
          undecided = true;
        } else if (now - seen.sinceMs < this.failoverMs) {
          undecided = true;
        } else {
          this.seenWorkers.delete(workerId);
          await this.store.forgetWorker(this.name, workerId, beat);
        }
      }
      return undecided ? undefined : false;
    });
  }

  /**
   * Deletes the leases of shards that are closed and read to their end in a committed
   * iteration (nobody reads them again), so no worker renews or counts them any longer; held
   * ones are dropped first. Any worker may retire any lease.
   */
  async retire(leaseKeys: readonly string[]): Promise<void> {
    if (leaseKeys.length === 0) return;
    await this.exclusive(async () => {
      for (const key of leaseKeys) {
        if (this.held.has(key)) this.drop(key, 'retired: its shard is read to its end');
        this.seen.delete(key);
        await this.store.deleteLease(this.name, key);
      }
    });
  }

  /**
   * Runs a write that moves a held lease's counter (storing a partial), serialized with renewals
   * so the counter it is given is current.
   *
   * @throws {LeaseLostError} when the lease is not held (or is lost by this write).
   */
  async withLease(leaseKey: string, write: (lease: Lease) => Promise<Lease>): Promise<Lease> {
    return this.exclusive(async () => {
      const lease = this.held.get(leaseKey);
      if (lease === undefined) throw new LeaseLostError(this.name, leaseKey, 'not held');
      try {
        const next = await write(lease);
        this.held.set(leaseKey, next);
        return next;
      } catch (err) {
        if (err instanceof LeaseLostError) this.drop(leaseKey, err.message);
        throw err;
      }
    });
  }

  /** One round of renew, take and steal. */
  async tick(): Promise<LeaseTick> {
    let tick: LeaseTick;
    try {
      tick = await this.exclusive(() => this.tickNow());
    } catch (err) {
      this.onTickError?.(err);
      throw err;
    }
    this.onTick?.(tick);
    return tick;
  }

  private async tickNow(): Promise<LeaseTick> {
    await this.store.beat(this.name, this.workerId);
    const workers = await this.store.listWorkers(this.name);
    const leases = await this.store.listLeases(this.name);
    const now = this.clock();
    const liveWorkers = await this.liveWorkers(workers, now);
    for (const lease of leases) {
      const seen = this.seen.get(lease.leaseKey);
      if (seen === undefined || seen.counter !== lease.counter || seen.owner !== lease.owner) {
        this.seen.set(lease.leaseKey, {
          counter: lease.counter,
          owner: lease.owner,
          sinceMs: now,
        });
      }
    }

    // Renew: a lease listed under another owner or a moved counter is lost.
    const lost: string[] = [];
    const listed = new Map(leases.map((l) => [l.leaseKey, l]));
    for (const [key, mine] of this.held) {
      const current = listed.get(key);
      if (current?.owner !== this.workerId || current.counter !== mine.counter) {
        lost.push(key);
        this.drop(key, 'taken by another worker');
      }
    }
    let renewed = 0;
    const toRenew = [...this.held.values()];
    for (let i = 0; i < toRenew.length; i += LeaseDefaults.RENEW_CONCURRENCY) {
      await Promise.all(
        toRenew.slice(i, i + LeaseDefaults.RENEW_CONCURRENCY).map(async (lease) => {
          try {
            const next = await this.store.renewLease(this.name, lease);
            this.held.set(lease.leaseKey, next);
            this.note(next, now);
            renewed++;
          } catch (err) {
            if (!(err instanceof LeaseLostError)) throw err;
            lost.push(lease.leaseKey);
            this.drop(lease.leaseKey, err.message);
          }
        }),
      );
    }

    // Balance: live counts per worker, this one included.
    const expired: Lease[] = [];
    const counts = new Map<string, number>([[this.workerId, 0]]);
    for (const id of liveWorkers) counts.set(id, 0);
    const byOwner = new Map<string, Lease[]>();
    for (const lease of leases) {
      if (this.held.has(lease.leaseKey)) continue;
      // A lease listed under this id but not held (a restart under the same id) expires as any.
      if (this.isExpired(lease, now)) {
        expired.push(lease);
        continue;
      }
      const owner = lease.owner!;
      counts.set(owner, (counts.get(owner) ?? 0) + 1);
      const list = byOwner.get(owner) ?? [];
      list.push(lease);
      byOwner.set(owner, list);
    }
    counts.set(this.workerId, this.held.size);
    const total = leases.length;
    const target = total === 0 ? 0 : Math.ceil(total / counts.size);
    const taken: string[] = [];
    const stolen: string[] = [];
    let needed = target - this.held.size;
    if (needed > 0 && expired.length > 0) {
      // Free leases first, then expired ones; each worker starts at its own offset so several
      // workers taking at once mostly pick different leases.
      const ordered = this.rotate(expired).sort(
        (a, b) => Number(a.owner !== undefined) - Number(b.owner !== undefined),
      );
      for (const lease of ordered) {
        if (needed <= 0) break;
        if (await this.tryTake(lease, now)) {
          taken.push(lease.leaseKey);
          needed--;
        }
      }
    } else if (needed > 0) {
      let victim: string | undefined;
      let most = -1;
      for (const [owner, count] of counts) {
        if (owner === this.workerId) continue;
        if (count > most || (count === most && victim !== undefined && owner < victim)) {
          victim = owner;
          most = count;
        }
      }
      if (victim !== undefined && (most > target || (most === target && needed > 1))) {
        const candidates = this.rotate(byOwner.get(victim) ?? []);
        const lease = candidates[0];
        if (lease !== undefined && (await this.tryTake(lease, now))) stolen.push(lease.leaseKey);
      }
    }
    return { renewed, taken, stolen, lost, held: this.held.size, target };
  }

  /**
   * Registered workers whose beat moved within the failover time (judged by this worker's
   * clock, as leases are); ones gone for {@link LeaseDefaults.FORGET_AFTER_FAILOVERS} failover
   * times are unregistered, so restarts under new ids do not pile up.
   */
  private async liveWorkers(workers: readonly WorkerBeat[], now: number): Promise<string[]> {
    const live: string[] = [];
    for (const { workerId, beat } of workers) {
      const seen = this.seenWorkers.get(workerId);
      if (seen === undefined || seen.beat !== beat) {
        this.seenWorkers.set(workerId, { beat, sinceMs: now });
        live.push(workerId);
        continue;
      }
      const quietMs = now - seen.sinceMs;
      if (quietMs < this.failoverMs) live.push(workerId);
      else if (quietMs >= this.failoverMs * LeaseDefaults.FORGET_AFTER_FAILOVERS) {
        this.seenWorkers.delete(workerId);
        await this.store.forgetWorker(this.name, workerId, beat);
      }
    }
    return live;
  }

  private isExpired(lease: Lease, now: number): boolean {
    if (lease.owner === undefined) return true;
    const seen = this.seen.get(lease.leaseKey);
    return seen !== undefined && now - seen.sinceMs >= this.failoverMs;
  }

  private async tryTake(lease: Lease, now: number): Promise<boolean> {
    try {
      const next = await this.store.takeLease(this.name, lease, this.workerId);
      this.held.set(next.leaseKey, next);
      this.lostSignals.set(next.leaseKey, new AbortController());
      this.note(next, now);
      return true;
    } catch (err) {
      if (err instanceof LeaseLostError) return false;
      throw err;
    }
  }

  private note(lease: Lease, now: number): void {
    this.seen.set(lease.leaseKey, { counter: lease.counter, owner: lease.owner, sinceMs: now });
  }

  private drop(leaseKey: string, reason: string): void {
    this.held.delete(leaseKey);
    const controller = this.lostSignals.get(leaseKey);
    this.lostSignals.delete(leaseKey);
    controller?.abort(new LeaseLostError(this.name, leaseKey, reason));
  }

  /** Sorted by key, starting at an offset derived from this worker's id. */
  private rotate(leases: readonly Lease[]): Lease[] {
    const sorted = [...leases].sort((a, b) =>
      a.leaseKey < b.leaseKey ? -1 : a.leaseKey > b.leaseKey ? 1 : 0,
    );
    if (sorted.length === 0) return sorted;
    let hash = 0;
    for (let i = 0; i < this.workerId.length; i++) {
      hash = (Math.imul(hash, 31) + this.workerId.charCodeAt(i)) >>> 0;
    }
    const at = hash % sorted.length;
    return [...sorted.slice(at), ...sorted.slice(0, at)];
  }

  private exclusive<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
