/**
 * Which lane a user record waits in. Without aggregation or pacing there is one lane and no
 * map; with either, records are routed per shard by the stream's shard map.
 *
 *   route(user) ─► no map yet? ─► pending (first route loads the map: ListShards)
 *        │                          └─ map loaded ─► every pending record routed, in put order
 *        ▼
 *   caller's key: shard = map.shardFor(MD5(key), cached) ─► keyed aggregate ──────────► lane
 *                                                            or plain record ──────────► lane
 *   sink's own random key: no hash; a shard in turn ─────► one-key aggregate (S's explicit
 *                                                            hash key), or plain + EHK ─► lane
 *   ListShards denied ─► routing stops: everything goes plain, unpaced, in the single lane
 */
import { backoffDelayMs, hashKeyOf, ShardMap } from '@kinlog/core';
import type { KinlogError, ShardHashRange } from '@kinlog/core';
import { plainRecord, type HeldRecord, type UserRecord } from './held-record.js';
import { KplAggregator, type ShardTarget } from './kpl-aggregator.js';
import { expandRun, type LineRun } from './line-run.js';
import { ANY_SHARD, type ShardLanes } from './shard-lanes.js';
import type { SinkClock, SinkTimer } from './sink-clock.js';
import type { SinkLedger } from './sink-ledger.js';

/** Partition keys whose routing hash is kept (keys chosen by a field repeat a lot). */
export const HASH_KEY_CACHE_SIZE = 10_000;

/**
 * After a reload found the shard an aggregate was predicted for still open (the endpoint routed
 * it elsewhere without a resharding), further surprises within this long do not reload again.
 */
export const SHARD_MAP_MIN_RECHECK_MS = 5_000;

/** What the router needs of the sink's options. */
export interface RouterOptions {
  /** Route per shard at all (aggregation or pacing on). */
  routed: boolean;
  aggregation: boolean;
  maxAggregateBytes: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  flushIntervalMs: number;
}

/** What the router needs from outside: the shard listing, the books, and a way to send. */
export interface RouterHooks {
  listOpenShards(): Promise<ShardHashRange[]>;
  /** Turns a listing failure into the sink's error (with `retryable`). */
  asError(error: unknown): KinlogError & { awsCode: string };
  /** Records were routed outside of a put (a new map): batches may be due. */
  pump(): void;
  /** Whether the sink is closing (a map retry timer then keeps the process up). */
  closing(): boolean;
}

/**
 * Routes user records to lanes by predicted shard, keeping the shard map current.
 *
 * @example
 * ```ts
 * const router = new ShardRouter(options, lanes, ledger, clock, hooks);
 * router.route(user); // into its shard's aggregate or lane
 * ```
 */
export class ShardRouter {
  private map: ShardMap | undefined;
  private loading: Promise<void> | undefined;
  /** User records waiting for the first shard map. */
  private pending: UserRecord[] = [];
  private aggregator: KplAggregator | undefined;
  private retryTimer: SinkTimer | undefined;
  private failures = 0;
  private routed: boolean;
  /** When a reload last found a predicted shard still open (see {@link resharded}). */
  private confirmedAtMs = -Infinity;
  private readonly hashKeys = new Map<string, bigint>();
  /** The open shards, for records of the sink's own keys, and the next one to use. */
  private targets: ShardTarget[] = [];
  private nextTarget = 0;

  constructor(
    private readonly options: RouterOptions,
    private readonly lanes: ShardLanes,
    private readonly ledger: SinkLedger,
    private readonly clock: SinkClock,
    private readonly hooks: RouterHooks,
  ) {
    this.routed = options.routed;
    if (options.routed && options.aggregation)
      this.aggregator = new KplAggregator(options.maxAggregateBytes);
  }

  /** Whether records are routed per shard (false once ListShards was denied). */
  get active(): boolean {
    return this.routed;
  }

  /**
   * Whether a record of the sink's own key is, as it is routed now, copied into a one-key
   * aggregate (so it need not be copied before).
   */
  get copiesPlacedRecords(): boolean {
    return this.aggregator !== undefined && this.map !== undefined && this.targets.length > 0;
  }

  /** The routing hash of a caller's key, when records are routed; undefined otherwise. */
  hashKeyFor(partitionKey: string): bigint | undefined {
    if (!this.routed) return undefined;
    let hash = this.hashKeys.get(partitionKey);
    if (hash === undefined) {
      if (this.hashKeys.size >= HASH_KEY_CACHE_SIZE) this.hashKeys.clear();
      hash = hashKeyOf(partitionKey);
      this.hashKeys.set(partitionKey, hash);
    }
    return hash;
  }

  /** Puts a user record where it waits: its shard's aggregate or lane, or the single lane. */
  route(user: UserRecord): void {
    if (user.count !== undefined) {
      // A run moved (new map, resharding): its records go one by one, as if put so.
      for (const u of expandRun(user)) this.route(u);
      return;
    }
    if (!this.routed) {
      this.lanes.enqueue(plainRecord(user, undefined));
      return;
    }
    const map = this.map;
    if (map === undefined) {
      this.pending.push(user);
      void this.loadShardMap(); // never rejects: failures are reported and retried
      return;
    }
    if (user.randomKey === true && this.targets.length > 0) {
      this.place(user);
      return;
    }
    const shardId = map.shardFor(user.hashKey ?? hashKeyOf(user.partitionKey)) ?? ANY_SHARD;
    if (this.aggregator === undefined) this.lanes.enqueue(plainRecord(user, shardId));
    else for (const sealed of this.aggregator.add(user, shardId)) this.lanes.enqueue(sealed);
  }

  /**
   * A record of the sink's own key may go to any shard: plain records take the shards in turn;
   * aggregated ones fill one shard's aggregate, then the next shard's, so aggregates fill fast
   * and every shard gets its share.
   */
  private place(user: UserRecord): void {
    const targets = this.targets;
    let target = targets[this.nextTarget % targets.length]!;
    if (this.aggregator === undefined) {
      this.nextTarget++;
      user.hashKey = target.hashKey;
      this.lanes.enqueue(plainRecord(user, target.shardId, target.explicitHashKey));
      return;
    }
    const full = this.aggregator.sealIfFull(target.shardId, user.data.length);
    if (full !== undefined) {
      this.lanes.enqueue(full);
      target = targets[++this.nextTarget % targets.length]!;
    }
    user.hashKey = target.hashKey;
    const sealed = this.aggregator.addAnywhere(user, target);
    if (sealed !== undefined) this.lanes.enqueue(sealed);
  }

  /**
   * Places a run of lines of the sink's own key into one-key aggregates, as {@link route}
   * would place each line; only while {@link copiesPlacedRecords}.
   */
  placeRun(run: LineRun): void {
    const sealed: HeldRecord[] = [];
    this.nextTarget = this.aggregator!.addRunAnywhere(run, this.targets, this.nextTarget, sealed);
    for (const r of sealed) this.lanes.enqueue(r);
  }

  /**
   * An acknowledged aggregate none of whose user records is routed again: its buffer may be
   * reused (see {@link KplAggregator.recycle}).
   */
  recycle(record: HeldRecord): void {
    this.aggregator?.recycle(record);
  }

  /** Moves aggregates that are due (all of them with `force`) to their lanes. */
  sealAggregates(nowMs: number, force: boolean): void {
    const aggregator = this.aggregator;
    if (aggregator === undefined) return;
    for (const sealed of aggregator.seal(nowMs, this.options.flushIntervalMs, force)) {
      this.lanes.enqueue(sealed);
    }
  }

  /** When the oldest open aggregate becomes due, or Infinity. */
  nextDueMs(): number {
    return this.aggregator?.nextDueMs(this.options.flushIntervalMs) ?? Infinity;
  }

  /** Lowest sequence number of what the router holds (open aggregates, pending records). */
  lowestSeq(): number {
    let lowest = this.aggregator?.lowestSeq() ?? Infinity;
    for (const u of this.pending) if (u.seq < lowest) lowest = u.seq;
    return lowest;
  }

  /**
   * Whether `user` belongs on `shardId` by the current map: undefined when that cannot be said
   * (no map, or a shard the map does not know).
   */
  owns(shardId: string, user: UserRecord): boolean | undefined {
    const map = this.map;
    if (map === undefined || !map.has(shardId)) return undefined;
    return map.holds(shardId, user.hashKey ?? hashKeyOf(user.partitionKey));
  }

  /**
   * An aggregate predicted for `shardId` landed on another shard: whether that is a resharding
   * (the predicted shard has closed), reloading the map to tell. Only then do user records move:
   * an endpoint that routes otherwise with the same shards open (a proxy, a test double) would
   * only send them round again.
   */
  async resharded(shardId: string): Promise<boolean> {
    if (!this.routed) return false;
    if (this.loading !== undefined) await this.loading;
    else if (
      this.map?.has(shardId) === true &&
      this.clock.now() - this.confirmedAtMs >= SHARD_MAP_MIN_RECHECK_MS
    ) {
      await this.loadShardMap();
      if (this.map?.has(shardId) === true) this.confirmedAtMs = this.clock.now();
    }
    return this.map !== undefined && !this.map.has(shardId);
  }

  /** Removes and returns, as plain records, what waits for a map (at shutdown). */
  takePending(): HeldRecord[] {
    const pending = this.pending;
    this.pending = [];
    return pending.map((u) => plainRecord(u, undefined));
  }

  /** Stops the map retry timer. */
  close(): void {
    if (this.retryTimer !== undefined) this.clock.clearTimer(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** Loads (or reloads) the shard map; one load at a time, retried with backoff on failure. */
  loadShardMap(): Promise<void> {
    if (!this.routed) return Promise.resolve();
    this.loading ??= this.hooks
      .listOpenShards()
      .then(
        (ranges) => {
          this.failures = 0;
          this.ledger.counters.shardMapRefreshes++;
          this.applyShardMap(new ShardMap(ranges));
        },
        (error: unknown) => this.mapFailed(error),
      )
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  private mapFailed(error: unknown): void {
    const err = this.hooks.asError(error);
    this.ledger.report(err);
    if (!err.retryable) {
      this.stopRouting();
      return;
    }
    this.failures++;
    const delay = backoffDelayMs(this.failures, {
      baseMs: this.options.backoffBaseMs,
      maxMs: this.options.backoffMaxMs,
    });
    this.retryTimer = this.clock.setTimer(() => {
      this.retryTimer = undefined;
      void this.loadShardMap();
    }, delay);
    if (!this.hooks.closing()) this.retryTimer.unref();
  }

  /** Routes everything by the new map: records of closed shards move to the shards now open. */
  private applyShardMap(map: ShardMap): void {
    this.map = map;
    this.targets = map.ranges.map((r) => {
      const hashKey = (r.startingHashKey + r.endingHashKey) / 2n;
      return { shardId: r.shardId, explicitHashKey: hashKey.toString(), hashKey };
    });
    const stale = this.lanes.drain((id) => id === ANY_SHARD || map.has(id));
    const users = this.aggregator?.release((id) => map.has(id)) ?? [];
    for (const item of this.pending) users.push(item);
    this.pending = [];
    for (const r of stale) {
      if (r.users === undefined) {
        r.shardId = map.shardFor(r.hashKey ?? hashKeyOf(r.partitionKey)) ?? ANY_SHARD;
        if (r.attempts > 0) this.lanes.retryLater(r);
        else this.lanes.enqueue(r);
      } else for (const u of r.users) users.push(u);
    }
    users.sort((a, b) => a.seq - b.seq);
    for (const u of users) this.route(u);
    this.hooks.pump();
  }

  /** ListShards is not allowed: send plain records, unpaced, rather than nothing. */
  private stopRouting(): void {
    if (!this.routed) return;
    this.routed = false;
    const users = [...(this.aggregator?.release(() => false) ?? []), ...this.pending];
    this.aggregator = undefined;
    this.pending = [];
    for (const r of this.lanes.drain()) {
      if (r.users === undefined) {
        r.shardId = undefined;
        this.lanes.enqueue(r);
      } else for (const u of r.users) users.push(u);
    }
    for (const u of users)
      for (const one of expandRun(u)) this.lanes.enqueue(plainRecord(one, undefined));
    this.hooks.pump();
  }
}
