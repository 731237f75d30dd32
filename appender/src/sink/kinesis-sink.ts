/**
 * The one engine under both transports and the daemon.
 *
 *   put(event) ─► encode ─► fit to record limit ─► gzip? ─► user record
 *        │                                                     │ routed per shard? (aggregation or pacing:
 *        │                                                     │ MD5(key) against the ListShards map)
 *        ▼                                                     ▼
 *   whenFull (block | dropNewest | dropOldest)     KPL aggregate per shard?  ─► lane per shard
 *                                                                              (fresh FIFO, retry list,
 *                                                                               token bucket when paced)
 *                                                                                   │ batch ≤ 500 rec / 5 MiB
 *                                                                                   ▼ (full, timer or flush)
 *                                    ≤ maxInFlight × PutRecords (p-retry on whole-request errors)
 *                                                                                   │
 *        ok entries ─► settled (acked)      failed entries ─► retry list with backoff, or dropped
 *        landed on an unexpected shard ─► refresh map, re-put misrouted user records    after maxRetries /
 *                                                                                        recordTtlMs, counted
 *
 * Nothing here throws into the caller after construction: problems become counted drops and
 * `error` events (each distinct failure reported once until a request succeeds again).
 */
import { EventEmitter } from 'node:events';
import { gzipSync } from 'node:zlib';
import { backoffDelayMs, hashKeyOf, KinesisLimits, retryWithBackoff, ShardMap } from '@kinlog/core';
import type { KinlogError } from '@kinlog/core';
import { DropReasons, type DropReason } from './drop-reasons.js';
import { encodeEvent } from './encode-event.js';
import { fitRecord } from './fit-record.js';
import {
  plainRecord,
  userCount,
  usersOf,
  type HeldRecord,
  type SettleCallback,
  type SettleResult,
  type UserRecord,
} from './held-record.js';
import { KplAggregator } from './kpl-aggregator.js';
import { normalizePartitionKey, partitionKeyFunction } from './partition-key.js';
import {
  PutRecordsClient,
  translatePutRecordsError,
  type EntryResult,
} from './put-records-client.js';
import { ANY_SHARD, ShardLanes } from './shard-lanes.js';
import {
  resolveSinkOptions,
  WhenFull,
  type KinesisSinkOptions,
  type ResolvedSinkOptions,
} from './sink-options.js';
import { emptySinkStats, type SinkStats } from './sink-stats.js';
import { TokenBucket } from './token-bucket.js';

export type { SettleCallback, SettleResult } from './held-record.js';

/** Payload of the `flush` event: one PutRecords request answered. */
export interface FlushEvent {
  /** User records acknowledged. */
  records: number;
  /** Kinesis records acknowledged (aggregates count once). */
  kinesisRecords: number;
  bytes: number;
  failed: number;
  latencyMs: number;
}

/** Payload of the `drop` event. */
export interface DropEvent {
  reason: DropReason;
  count: number;
  bytes: number;
}

/** Events of a {@link KinesisSink}. */
export interface KinesisSinkEvents {
  flush: [FlushEvent];
  drop: [DropEvent];
  error: [KinlogError];
  /** The buffer went back under `maxBufferBytes` after `put()` returned false. */
  drain: [];
}

interface InFlightBatch {
  records: HeldRecord[];
  minSeq: number;
  /** Aborts the request and its retries when the batch is abandoned at shutdown. */
  abort: AbortController;
}

interface FlushWaiter {
  upToSeq: number;
  resolve: () => void;
}

/** Routing of records per shard, for aggregation and pacing. */
interface Routing {
  map: ShardMap | undefined;
  loading: Promise<void> | undefined;
  /** User records waiting for the first shard map. */
  pending: UserRecord[];
  aggregator: KplAggregator | undefined;
  retryTimer: NodeJS.Timeout | undefined;
  failures: number;
}

/** Partition keys whose routing hash is kept (keys chosen by a field repeat a lot). */
const HASH_KEY_CACHE_SIZE = 10_000;

const liveSinks = new Set<KinesisSink>();
let beforeExitHooked = false;

/** When the event loop runs dry with records still held, deliver them before the process ends. */
function onBeforeExit(): void {
  for (const sink of liveSinks) sink.drainBeforeExit();
}

/**
 * An explicit exit (`process.exit`) with records still held ends the process before they can be sent, and no
 * hook can wait: say so, once, on stderr (the logger cannot carry its own failure).
 */
function onExit(): void {
  let held = 0;
  for (const sink of liveSinks) held += sink.stats().bufferedRecords;
  if (held === 0) return;
  process.stderr.write(
    `kinlog: ${held} log record(s) not delivered to Kinesis: the process exited before they ` +
      'were sent. Await closeLogger(logger) before calling process.exit, or set process.exitCode ' +
      'and let the process end by itself.\n',
  );
}

/**
 * Buffers log events and puts them into a Kinesis stream in batches, retrying only the entries
 * that failed, within every Kinesis limit, with bounded memory, requests and retries.
 *
 * @example
 * ```ts
 * const sink = new KinesisSink({ streamName: 'logs', region: 'eu-west-1' });
 * sink.on('error', (err) => console.error(err.message));
 * sink.put({ level: 'error', msg: 'payment failed', page: '/checkout' });
 * await sink.close(); // delivers what is buffered, within shutdownTimeoutMs
 * ```
 */
export class KinesisSink extends EventEmitter<KinesisSinkEvents> {
  readonly options: ResolvedSinkOptions;
  private readonly client: PutRecordsClient;
  private readonly keyOf: (event: unknown) => string;
  private readonly encode: (event: unknown) => string;
  private readonly lanes: ShardLanes;
  private routing: Routing | undefined;
  private readonly inFlight = new Set<InFlightBatch>();
  private readonly counters: SinkStats = emptySinkStats();
  private seq = 0;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAtMs = Infinity;
  private flushWaiters: FlushWaiter[] = [];
  private readyWaiters: (() => void)[] = [];
  private blocked = false;
  private closing = false;
  private closePromise: Promise<void> | undefined;
  private draining: Promise<void> | undefined;
  private lastReportedError: string | undefined;
  private readonly hashKeys = new Map<string, bigint>();

  constructor(options: KinesisSinkOptions) {
    super();
    this.options = resolveSinkOptions(options);
    const o = this.options;
    this.client = new PutRecordsClient({
      ...o,
      requestTimeoutMs: o.requestTimeoutMs,
      maxSockets: o.maxSockets ?? Math.max(8, o.maxInFlight * 2),
    });
    this.keyOf = partitionKeyFunction(o.partitionKey);
    this.encode = o.encode ?? encodeEvent;
    const fraction = o.rateLimitFraction;
    this.lanes = new ShardLanes(
      o,
      fraction === undefined
        ? undefined
        : () =>
            new TokenBucket({
              recordsPerSecond: KinesisLimits.SHARD_WRITE_RECORDS_PER_SECOND * fraction,
              bytesPerSecond: KinesisLimits.SHARD_WRITE_BYTES_PER_SECOND * fraction,
            }),
    );
    if (o.aggregation || fraction !== undefined) {
      this.routing = {
        map: undefined,
        loading: undefined,
        pending: [],
        aggregator: o.aggregation ? new KplAggregator(o.maxAggregateBytes) : undefined,
        retryTimer: undefined,
        failures: 0,
      };
    }
    liveSinks.add(this);
    if (!beforeExitHooked) {
      beforeExitHooked = true;
      process.on('beforeExit', onBeforeExit);
      process.on('exit', onExit);
    }
  }

  /** Where records go, for messages: `{ streamName, endpoint }`. */
  get target(): { streamName: string; endpoint: string } {
    return this.client.target;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.closing;
  }

  /**
   * Encodes and buffers one event. Never throws. Returns false when the caller should slow down
   * (`whenFull: 'block'` and the buffer is full: wait for `ready()`), or when the event was
   * dropped; `onSettled` tells how the record ended.
   */
  put(event: unknown, onSettled?: SettleCallback): boolean {
    let data: string;
    let key: string;
    try {
      data = this.encode(event);
      key = this.keyOf(event);
    } catch {
      // A custom encoder or key function failed: keep the line, in the safe encoding.
      data = encodeEvent(event);
      key = this.keyOf(undefined);
    }
    return this.accept(data, key, onSettled);
  }

  /**
   * Buffers an already encoded record (a JSON line, or any bytes). Never throws.
   *
   * @example
   * ```ts
   * sink.putEncoded('{"level":"info","msg":"hi"}', 'user-42');
   * ```
   */
  putEncoded(
    data: string | Uint8Array,
    partitionKey?: string,
    onSettled?: SettleCallback,
  ): boolean {
    const key = normalizePartitionKey(partitionKey) ?? this.keyOf(undefined);
    return this.accept(data, key, onSettled);
  }

  private accept(
    payload: string | Uint8Array,
    partitionKey: string,
    onSettled: SettleCallback | undefined,
  ): boolean {
    if (this.closing) {
      this.dropNew(DropReasons.CLOSED, byteLengthOf(payload), onSettled);
      return false;
    }
    const o = this.options;
    const keyBytes = Buffer.byteLength(partitionKey);
    let data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
    if (data.length + keyBytes > o.maxRecordBytes) {
      if (o.oversize === 'drop') {
        this.dropNew(DropReasons.OVERSIZE, data.length, onSettled);
        return false;
      }
      const text = typeof payload === 'string' ? payload : data.toString('utf8');
      data = Buffer.from(fitRecord(text, o.maxRecordBytes - keyBytes), 'utf8');
      this.counters.truncated++;
    }
    // gzipSync answers a view into a 16 KiB buffer: copy, so a held record costs what it counts.
    if (o.compression === 'gzip') data = Buffer.from(gzipSync(data));
    const bytes = data.length + keyBytes;
    if (!this.makeRoom(bytes)) {
      this.dropNew(DropReasons.BUFFER_FULL, bytes, onSettled);
      return false;
    }
    const now = Date.now();
    const user: UserRecord = {
      data,
      partitionKey,
      bytes,
      hashKey: this.routing === undefined ? undefined : this.hashKey(partitionKey),
      seq: ++this.seq,
      firstPutAtMs: now,
      onSettled,
    };
    this.counters.recordsPut++;
    this.counters.bufferedRecords++;
    this.counters.bufferedBytes += bytes;
    this.route(user);
    if (this.lanes.batchFull) this.pump();
    else if (this.wakeTimer === undefined) this.wakeAt(now + o.flushIntervalMs);
    if (o.whenFull === WhenFull.BLOCK && this.counters.bufferedBytes >= o.maxBufferBytes) {
      this.blocked = true;
      return false;
    }
    return true;
  }

  /** MD5 routing hash of a key; repeated keys (a field policy) are looked up, not rehashed. */
  private hashKey(partitionKey: string): bigint {
    if (this.options.partitionKey === 'random') return hashKeyOf(partitionKey);
    let hash = this.hashKeys.get(partitionKey);
    if (hash === undefined) {
      if (this.hashKeys.size >= HASH_KEY_CACHE_SIZE) this.hashKeys.clear();
      hash = hashKeyOf(partitionKey);
      this.hashKeys.set(partitionKey, hash);
    }
    return hash;
  }

  /** Puts a user record where it waits: its shard's aggregate or lane, or the single lane. */
  private route(user: UserRecord): void {
    const routing = this.routing;
    if (routing === undefined) {
      this.lanes.enqueue(plainRecord(user, undefined));
      return;
    }
    if (routing.map === undefined) {
      routing.pending.push(user);
      void this.loadShardMap(); // never rejects: failures are reported and retried
      return;
    }
    const shardId = routing.map.shardFor(user.hashKey ?? hashKeyOf(user.partitionKey)) ?? ANY_SHARD;
    if (routing.aggregator === undefined) this.lanes.enqueue(plainRecord(user, shardId));
    else for (const sealed of routing.aggregator.add(user, shardId)) this.lanes.enqueue(sealed);
  }

  /** Applies `whenFull`; false when the new record must be dropped. */
  private makeRoom(bytes: number): boolean {
    const limit = this.options.maxBufferBytes;
    if (this.counters.bufferedBytes + bytes <= limit) return true;
    switch (this.options.whenFull) {
      case WhenFull.BLOCK:
        return true;
      case WhenFull.DROP_NEWEST:
        return false;
      default: {
        // Open aggregates are sealed first so that their records can be evicted too.
        this.sealAggregates(Date.now(), true);
        while (this.counters.bufferedBytes + bytes > limit) {
          const oldest = this.lanes.evictOldest();
          if (oldest === undefined) break; // everything left is in flight
          this.settleDropped([oldest], DropReasons.BUFFER_FULL);
        }
        return this.counters.bufferedBytes + bytes <= limit;
      }
    }
  }

  /**
   * Resolves when there is room in the buffer again (at once when there is). With
   * `whenFull: 'block'`, await it whenever `put()` returns false.
   */
  ready(): Promise<void> {
    if (!this.blocked) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /**
   * Sends everything buffered so far without waiting for `flushIntervalMs`, and resolves when
   * each of those records is acknowledged or dropped. Never rejects.
   */
  flush(): Promise<void> {
    if (this.counters.bufferedRecords === 0) return Promise.resolve();
    const waiter = new Promise<void>((resolve) =>
      this.flushWaiters.push({ upToSeq: this.seq, resolve }),
    );
    this.pump();
    return waiter;
  }

  /**
   * Stops intake, delivers what is buffered within `shutdownTimeoutMs`, drops (and counts) what
   * is left after that, and releases sockets and timers. Idempotent: every call returns the same
   * promise (the first call's `timeoutMs` applies). Never rejects.
   *
   * @param options.timeoutMs - a shorter bound than `shutdownTimeoutMs` for this close (a
   *   stop that must end soon, such as a signalled `kinlog ship`)
   */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.closePromise ??= this.shutdown(
      Math.max(0, Math.min(options.timeoutMs ?? Infinity, this.options.shutdownTimeoutMs)),
    );
    return this.closePromise;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    this.closing = true;
    await this.drainWithin(timeoutMs);
    liveSinks.delete(this);
    this.clearWake();
    if (this.routing?.retryTimer !== undefined) clearTimeout(this.routing.retryTimer);
    this.client.destroy();
    this.releaseReady();
  }

  /** @internal Called when the process is about to exit with records held. */
  drainBeforeExit(): void {
    if (this.counters.bufferedRecords === 0 || this.draining !== undefined) return;
    this.draining = this.drainWithin(this.options.shutdownTimeoutMs).finally(() => {
      this.draining = undefined;
    });
  }

  /** Flushes, and past the deadline abandons requests and drops what is still held. */
  private async drainWithin(timeoutMs: number): Promise<void> {
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      // Deliberately referenced: an awaited shutdown keeps the process up until it is done.
      deadline = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([this.flush().then(() => 'done' as const), timedOut]);
    clearTimeout(deadline);
    if (outcome === 'timeout') this.abandonAll();
  }

  private abandonAll(): void {
    this.sealAggregates(Date.now(), true);
    const held = this.lanes.drain();
    const pending = this.routing?.pending ?? [];
    if (this.routing !== undefined) this.routing.pending = [];
    for (const item of pending.map((u) => plainRecord(u, undefined))) held.push(item);
    for (const batch of this.inFlight) {
      batch.abort.abort();
      for (const item of batch.records) held.push(item);
    }
    this.inFlight.clear();
    this.counters.inFlightRequests = 0;
    this.settleDropped(held, DropReasons.SHUTDOWN_TIMEOUT);
  }

  /** A copy of the counters. */
  stats(): SinkStats {
    return structuredClone(this.counters);
  }

  // ---- shard map ----------------------------------------------------------------------------

  /** Loads (or reloads) the shard map; one load at a time, retried with backoff on failure. */
  private loadShardMap(): Promise<void> {
    const routing = this.routing;
    if (routing === undefined) return Promise.resolve();
    routing.loading ??= this.client
      .listOpenShards()
      .then(
        (ranges) => {
          routing.failures = 0;
          this.counters.shardMapRefreshes++;
          this.applyShardMap(new ShardMap(ranges));
        },
        (error: unknown) => {
          const err = asSinkError(error, this.client.target);
          this.report(err);
          if (!err.retryable) {
            this.stopRouting();
            return;
          }
          routing.failures++;
          const delay = backoffDelayMs(routing.failures, {
            baseMs: this.options.backoffBaseMs,
            maxMs: this.options.backoffMaxMs,
          });
          routing.retryTimer = setTimeout(() => {
            routing.retryTimer = undefined;
            void this.loadShardMap();
          }, delay);
          if (!this.closing) routing.retryTimer.unref();
        },
      )
      .finally(() => {
        routing.loading = undefined;
      });
    return routing.loading;
  }

  /** Routes everything by the new map: records of closed shards move to the shards now open. */
  private applyShardMap(map: ShardMap): void {
    const routing = this.routing!;
    routing.map = map;
    const stale = this.lanes.drain((id) => id === ANY_SHARD || map.has(id));
    const users = routing.aggregator?.release((id) => map.has(id)) ?? [];
    for (const item of routing.pending) users.push(item);
    routing.pending = [];
    for (const r of stale) {
      if (r.users === undefined) {
        r.shardId = map.shardFor(r.hashKey ?? hashKeyOf(r.partitionKey)) ?? ANY_SHARD;
        if (r.attempts > 0) this.lanes.retryLater(r);
        else this.lanes.enqueue(r);
      } else for (const u of r.users) users.push(u);
    }
    users.sort((a, b) => a.seq - b.seq);
    for (const u of users) this.route(u);
    this.pump();
  }

  /** ListShards is not allowed: send plain records, unpaced, rather than nothing. */
  private stopRouting(): void {
    const routing = this.routing;
    if (routing === undefined) return;
    this.routing = undefined;
    const users = [...(routing.aggregator?.release(() => false) ?? []), ...routing.pending];
    for (const r of this.lanes.drain()) {
      if (r.users === undefined) {
        r.shardId = undefined;
        this.lanes.enqueue(r);
      } else for (const u of r.users) users.push(u);
    }
    for (const u of users) this.lanes.enqueue(plainRecord(u, undefined));
    this.pump();
  }

  // ---- sending ----------------------------------------------------------------------------

  private sealAggregates(now: number, force: boolean): void {
    const aggregator = this.routing?.aggregator;
    if (aggregator === undefined) return;
    for (const sealed of aggregator.seal(now, this.options.flushIntervalMs, force)) {
      this.lanes.enqueue(sealed);
    }
  }

  private pump(): void {
    const force = this.closing || this.flushWaiters.length > 0 || this.draining !== undefined;
    const now = Date.now();
    this.sealAggregates(now, force);
    while (this.inFlight.size < this.options.maxInFlight) {
      const batch = this.takeBatch(Date.now(), force);
      if (batch === undefined) break;
      this.send(batch);
    }
    this.scheduleWake();
  }

  private takeBatch(now: number, force: boolean): InFlightBatch | undefined {
    for (;;) {
      const records = this.lanes.takeBatch(now, force);
      if (records === undefined) return undefined;
      const live = this.expire(records, now);
      if (live.length === 0) continue;
      let minSeq = Infinity;
      for (const r of live) if (r.seq < minSeq) minSeq = r.seq;
      return { records: live, minSeq, abort: new AbortController() };
    }
  }

  /** Drops records past `recordTtlMs`; returns the rest. */
  private expire(records: HeldRecord[], now: number): HeldRecord[] {
    const ttl = this.options.recordTtlMs;
    if (ttl === Infinity) return records;
    const expired = records.filter((r) => now - r.firstPutAtMs > ttl);
    if (expired.length === 0) return records;
    this.settleDropped(expired, DropReasons.TTL_EXPIRED);
    return records.filter((r) => now - r.firstPutAtMs <= ttl);
  }

  private send(batch: InFlightBatch): void {
    this.inFlight.add(batch);
    this.counters.inFlightRequests = this.inFlight.size;
    this.sendBatch(batch).then(
      () => this.afterBatch(batch),
      () => this.afterBatch(batch),
    );
  }

  private afterBatch(batch: InFlightBatch): void {
    this.inFlight.delete(batch);
    this.counters.inFlightRequests = this.inFlight.size;
    this.checkWaiters();
    this.pump();
  }

  private async sendBatch(batch: InFlightBatch): Promise<void> {
    const o = this.options;
    const entries = batch.records;
    const oldest = entries.reduce((m, r) => Math.min(m, r.firstPutAtMs), Infinity);
    const mostAttempts = entries.reduce((m, r) => Math.max(m, r.attempts), 0);
    const retriesLeft = Math.max(0, o.maxRetries - mostAttempts);
    const timeLeft = o.recordTtlMs - (Date.now() - oldest);
    let startedAt = 0;
    let attemptsMade = 0;
    let results: EntryResult[];
    try {
      results = await retryWithBackoff(
        () => {
          if (!this.inFlight.has(batch)) throw new BatchAbandonedError();
          startedAt = performance.now();
          attemptsMade++;
          this.counters.putRecordsCalls++;
          this.counters.entriesSent += entries.length;
          return this.client.send(entries, batch.abort.signal);
        },
        {
          maxAttempts: retriesLeft + 1,
          baseMs: o.backoffBaseMs,
          maxMs: o.backoffMaxMs,
          unref: () => !this.closing,
          signal: batch.abort.signal,
          ...(Number.isFinite(timeLeft) ? { maxElapsedMs: Math.max(1, timeLeft) } : {}),
          shouldRetry: (error) =>
            !(error instanceof BatchAbandonedError) &&
            asSinkError(error, this.client.target).retryable &&
            this.inFlight.has(batch),
          onFailedAttempt: ({ error, willRetry }) => {
            if (error instanceof BatchAbandonedError) return;
            const err = asSinkError(error, this.client.target);
            increment(this.counters.requestsFailedByCode, err.awsCode);
            this.report(err);
            if (willRetry) this.counters.requestRetries++;
          },
        },
      );
    } catch (error) {
      if (!this.inFlight.has(batch)) return; // abandoned at shutdown: already settled
      const err = asSinkError(error, this.client.target);
      if (!err.retryable) this.settleDropped(entries, DropReasons.REJECTED);
      else this.requeue(entries, mostAttempts + Math.max(1, attemptsMade));
      return;
    }
    if (!this.inFlight.has(batch)) return;
    const latencyMs = performance.now() - startedAt;
    this.counters.lastLatencyMs = latencyMs;
    if (latencyMs > this.counters.maxLatencyMs) this.counters.maxLatencyMs = latencyMs;
    this.lastReportedError = undefined;
    const failed: HeldRecord[] = [];
    const landed: { record: HeldRecord; result: EntryResult & { ok: true } }[] = [];
    let misrouted = false;
    for (let i = 0; i < entries.length; i++) {
      const r = entries[i]!;
      const res = results[i]!;
      if (res.ok) {
        landed.push({ record: r, result: res });
        if (r.shardId !== undefined && r.shardId !== ANY_SHARD && r.shardId !== res.shardId)
          misrouted = true;
      } else {
        increment(this.counters.entriesFailedByCode, res.errorCode);
        r.attempts++;
        failed.push(r);
      }
    }
    // An aggregate on an unexpected shard means the map is stale (resharding): reload it, then
    // put again the user records whose keys belong elsewhere, so that every user record is on
    // the shard its key maps to; readers skip the misplaced copies, as the KCL does.
    if (misrouted) await this.loadShardMap();
    let sentBytes = 0;
    let sentUsers = 0;
    const reroute: UserRecord[] = [];
    for (const { record, result } of landed) {
      sentBytes += record.bytes;
      this.counters.kinesisRecordsSent++;
      const map = this.routing?.map;
      if (
        record.users !== undefined &&
        record.shardId !== result.shardId &&
        map?.has(result.shardId) === true
      ) {
        for (const u of record.users) {
          if (map.holds(result.shardId, u.hashKey ?? hashKeyOf(u.partitionKey))) {
            sentUsers++;
            this.settleUser(u, result);
          } else reroute.push(u);
        }
      } else {
        for (const u of usersOf(record)) {
          sentUsers++;
          this.settleUser(u, result);
        }
      }
    }
    this.counters.bytesSent += sentBytes;
    if (reroute.length > 0) {
      this.counters.userRecordsRerouted += reroute.length;
      for (const u of reroute) this.route(u);
    }
    if (failed.length > 0) this.requeue(failed, undefined);
    this.emitSafely('flush', {
      records: sentUsers,
      kinesisRecords: landed.length,
      bytes: sentBytes,
      failed: failed.length,
      latencyMs,
    });
  }

  private settleUser(u: UserRecord, result: { shardId: string; sequenceNumber: string }): void {
    this.counters.bufferedRecords--;
    this.counters.bufferedBytes -= u.bytes;
    this.counters.recordsSent++;
    callSafely(u.onSettled, {
      ok: true,
      shardId: result.shardId,
      sequenceNumber: result.sequenceNumber,
    });
  }

  /** Failed records go to their lane's retry list with a backoff, or are dropped past their limits. */
  private requeue(records: HeldRecord[], attemptsOverride: number | undefined): void {
    const o = this.options;
    const now = Date.now();
    const exhausted: HeldRecord[] = [];
    const expired: HeldRecord[] = [];
    for (const r of records) {
      if (attemptsOverride !== undefined) r.attempts = Math.max(r.attempts, attemptsOverride);
      if (r.attempts > o.maxRetries) exhausted.push(r);
      else if (now - r.firstPutAtMs > o.recordTtlMs) expired.push(r);
      else {
        r.notBeforeMs =
          now + backoffDelayMs(r.attempts, { baseMs: o.backoffBaseMs, maxMs: o.backoffMaxMs });
        this.lanes.retryLater(r);
        this.counters.entriesRetried++;
      }
    }
    this.settleDropped(exhausted, DropReasons.RETRIES_EXHAUSTED);
    this.settleDropped(expired, DropReasons.TTL_EXPIRED);
  }

  // ---- bookkeeping ------------------------------------------------------------------------

  private settleDropped(records: HeldRecord[], reason: DropReason): void {
    if (records.length === 0) return;
    let bytes = 0;
    let count = 0;
    for (const r of records) {
      bytes += r.heldBytes;
      count += userCount(r);
      this.counters.bufferedRecords -= userCount(r);
      this.counters.bufferedBytes -= r.heldBytes;
      for (const u of usersOf(r)) callSafely(u.onSettled, { ok: false, reason });
    }
    this.countDrop(reason, count, bytes);
    this.checkWaiters();
  }

  private dropNew(reason: DropReason, bytes: number, onSettled: SettleCallback | undefined): void {
    this.counters.recordsPut++;
    callSafely(onSettled, { ok: false, reason });
    this.countDrop(reason, 1, bytes);
  }

  private countDrop(reason: DropReason, count: number, bytes: number): void {
    this.counters.dropped[reason] += count;
    this.counters.droppedTotal += count;
    this.emitSafely('drop', { reason, count, bytes });
  }

  private checkWaiters(): void {
    if (this.blocked && this.counters.bufferedBytes < this.options.maxBufferBytes) {
      this.releaseReady();
      this.emitSafely('drain');
    }
    if (this.flushWaiters.length === 0) return;
    const lowest = this.lowestHeldSeq();
    const still: FlushWaiter[] = [];
    for (const w of this.flushWaiters) {
      if (lowest > w.upToSeq) w.resolve();
      else still.push(w);
    }
    this.flushWaiters = still;
  }

  private releaseReady(): void {
    this.blocked = false;
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private lowestHeldSeq(): number {
    let lowest = this.lanes.lowestSeq();
    for (const b of this.inFlight) if (b.minSeq < lowest) lowest = b.minSeq;
    const routing = this.routing;
    if (routing !== undefined) {
      lowest = Math.min(lowest, routing.aggregator?.lowestSeq() ?? Infinity);
      for (const u of routing.pending) if (u.seq < lowest) lowest = u.seq;
    }
    return lowest;
  }

  /** Reports an error once per distinct failure until a request succeeds again. */
  private report(err: KinlogError & { awsCode: string }): void {
    const key = `${err.code}:${err.awsCode}`;
    if (key === this.lastReportedError) return;
    this.lastReportedError = key;
    this.emitSafely('error', err);
  }

  private emitSafely<K extends keyof KinesisSinkEvents>(
    name: K,
    ...args: KinesisSinkEvents[K]
  ): void {
    if (this.listenerCount(name) === 0) return;
    try {
      (this.emit as (n: K, ...a: KinesisSinkEvents[K]) => boolean)(name, ...args);
    } catch {
      // A throwing listener must not break delivery.
    }
  }

  private scheduleWake(): void {
    // With every request slot busy, the next completion pumps; a timer would only spin.
    if (this.inFlight.size >= this.options.maxInFlight) return;
    const now = Date.now();
    let next = this.lanes.nextWakeMs(now);
    const aggregator = this.routing?.aggregator;
    if (aggregator !== undefined)
      next = Math.min(next, aggregator.nextDueMs(this.options.flushIntervalMs));
    if (next === Infinity) this.clearWake();
    else if (next < this.wakeAtMs || this.wakeTimer === undefined)
      this.wakeAt(Math.max(next, now + 1));
  }

  private wakeAt(atMs: number): void {
    this.clearWake();
    this.wakeAtMs = atMs;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = undefined;
        this.wakeAtMs = Infinity;
        this.pump();
      },
      Math.max(0, atMs - Date.now()),
    );
    // While a flush or close is awaited, the timer is what keeps delivery going.
    if (!this.closing && this.flushWaiters.length === 0 && this.draining === undefined) {
      this.wakeTimer.unref();
    }
  }

  private clearWake(): void {
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeAtMs = Infinity;
  }
}

function asSinkError(
  error: unknown,
  target: { streamName: string; endpoint: string },
): KinlogError & { awsCode: string } {
  const err = translatePutRecordsError(error, target);
  const awsCode = (err as { awsCode?: string }).awsCode ?? err.code;
  return Object.assign(err, { awsCode });
}

/** Thrown instead of a new attempt of a batch that shutdown gave up on. */
class BatchAbandonedError extends Error {}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function callSafely(cb: SettleCallback | undefined, result: SettleResult): void {
  if (cb === undefined) return;
  try {
    cb(result);
  } catch {
    // The caller's callback failing must not lose other records.
  }
}

function byteLengthOf(payload: string | Uint8Array): number {
  return typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
}
