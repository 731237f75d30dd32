/**
 * The one engine under both transports and the daemon: a facade over its rooms.
 *
 *   put / putEncoded ─► RecordIntake (limits, whenFull) ─► ShardRouter (shard map, aggregates)
 *                                                              │
 *                                                              ▼
 *   flush / ready ◄── FlushWaiters ◄── SinkLedger ◄── BatchSender ◄── ShardLanes (per shard)
 *                     (seq watermarks)  (settle, counts)  (PutRecords, retries, wake timer)
 *
 * Nothing here throws into the caller after construction: problems become counted drops and
 * `error` events (each distinct failure reported once until a request succeeds again).
 */
import { EventEmitter } from 'node:events';
import { asSinkError, BatchSender } from './batch-sender.js';
import { DropReasons } from './drop-reasons.js';
import { encodeEvent } from './encode-event.js';
import { forgetAtExit, watchAtExit } from './exit-hooks.js';
import { FlushWaiters } from './flush-waiters.js';
import { eachLine, type LineRange } from './line-run.js';
import type { SettleCallback } from './held-record.js';
import { normalizePartitionKey, partitionKeyFunction, SinkKeys } from './partition-key.js';
import { PutRecordsClient, type PutRecordsPort } from './put-records-client.js';
import { Intake, RecordIntake } from './record-intake.js';
import { ShardLanes } from './shard-lanes.js';
import { ShardRouter } from './shard-router.js';
import { systemClock, type SinkClock } from './sink-clock.js';
import { SinkLedger, type KinesisSinkEvents } from './sink-ledger.js';
import {
  resolveSinkOptions,
  type KinesisSinkOptions,
  type ResolvedSinkOptions,
} from './sink-options.js';
import type { SinkStats } from './sink-stats.js';
import { shardBucketFactory } from './token-bucket.js';

export type { SettleCallback, SettleResult } from './held-record.js';
export type { LineRange } from './line-run.js';
export type { DropEvent, FlushEvent, KinesisSinkEvents } from './sink-ledger.js';

/** @internal What a sink may be given instead of the real world, in unit tests. */
export interface SinkParts {
  client?: PutRecordsPort;
  clock?: SinkClock;
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
  private readonly client: PutRecordsPort;
  private readonly clock: SinkClock;
  private readonly keyOf: (event: unknown) => string;
  /** The sink's own keys (a prefix and a counter). */
  private readonly keys = new SinkKeys();
  /** Keys are the sink's own random ones unless a caller gives one. */
  private readonly randomKeys: boolean;
  private readonly encode: (event: unknown) => string;
  private readonly lanes: ShardLanes;
  private readonly ledger: SinkLedger;
  private readonly waiters = new FlushWaiters();
  private readonly router: ShardRouter;
  private readonly intake: RecordIntake;
  private readonly sender: BatchSender;
  private closing = false;
  private closePromise: Promise<void> | undefined;
  private draining: Promise<void> | undefined;

  constructor(options: KinesisSinkOptions, parts: SinkParts = {}) {
    super();
    this.options = resolveSinkOptions(options);
    const o = this.options;
    this.clock = parts.clock ?? systemClock;
    this.client =
      parts.client ??
      new PutRecordsClient({
        ...o,
        maxSockets: o.maxSockets ?? Math.max(8, o.maxInFlight * 2),
        keptBodies: o.maxInFlight,
      });
    this.keyOf = partitionKeyFunction(o.partitionKey, this.keys);
    this.randomKeys = o.partitionKey === 'random';
    this.encode = o.encode ?? encodeEvent;
    const clock = this.clock;
    this.lanes = new ShardLanes(
      o,
      shardBucketFactory(o.rateLimitFraction, () => clock.now()),
    );
    this.ledger = new SinkLedger(
      (name, ...args) => this.emitSafely(name, ...args),
      () => this.checkWaiters(),
    );
    const closing = (): boolean => this.closing;
    const routed = o.aggregation || o.rateLimitFraction !== undefined;
    this.router = new ShardRouter({ ...o, routed }, this.lanes, this.ledger, clock, {
      listOpenShards: () => this.client.listOpenShards(),
      asError: (error) => asSinkError(error, this.client.target),
      pump: () => this.sender.pump(),
      closing,
    });
    this.intake = new RecordIntake(o, this.ledger, this.router, this.lanes, clock);
    this.sender = new BatchSender(o, this.client, this.lanes, this.router, this.ledger, clock, {
      urgent: () => this.waiters.flushing || this.draining !== undefined,
      closing,
      released: () => this.checkWaiters(),
    });
    watchAtExit(this);
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
    return this.accept(data, key, onSettled, this.randomKeys);
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
    const given = normalizePartitionKey(partitionKey);
    if (given !== undefined) return this.accept(data, given, onSettled, false);
    return this.accept(data, this.keyOf(undefined), onSettled, this.randomKeys);
  }

  /**
   * Buffers lines (ranges of one buffer) under the sink's own keys: as `putEncoded` of each
   * line, in order, but aggregated with nothing made per line. `onSettled` runs once per run
   * of lines that ended alike, told how many (`records`; 1 for a line that went on its own).
   *
   * @example
   * ```ts
   * sink.putLines({ buf: Buffer.from('a\nbb\n'), starts: [0, 2], ends: [1, 4], from: 0, to: 2 });
   * ```
   */
  putLines(lines: LineRange, onSettled?: SettleCallback): boolean {
    if (this.closing || !this.randomKeys)
      return eachLine(lines, (line) => this.putEncoded(line, undefined, onSettled));
    // Unrouted, a record's key alone picks its shard: each line gets a key of its own (a
    // whole run under one key would land on one shard), held as plain runs.
    if (!this.router.active) {
      if (!this.intake.fitsPlainLines(lines, this.keys))
        return eachLine(lines, (line) => this.putEncoded(line, undefined, onSettled));
      return this.afterIntake(this.intake.acceptPlainLines(lines, this.keys, onSettled));
    }
    const outcome = this.intake.acceptLines(lines, this.keyOf(undefined), onSettled);
    return this.afterIntake(outcome);
  }

  private accept(
    payload: string | Uint8Array,
    partitionKey: string,
    onSettled: SettleCallback | undefined,
    randomKey: boolean,
  ): boolean {
    if (this.closing) {
      const bytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
      this.ledger.dropNew(DropReasons.CLOSED, bytes, onSettled);
      return false;
    }
    const outcome = this.intake.accept(payload, partitionKey, onSettled, randomKey);
    return outcome !== Intake.DROPPED && this.afterIntake(outcome);
  }

  private afterIntake(outcome: Intake): boolean {
    this.sender.afterPut(this.clock.now());
    if (outcome === Intake.ACCEPTED) return true;
    if (outcome === Intake.ACCEPTED_FULL) this.waiters.block();
    return false;
  }

  /**
   * Resolves when there is room in the buffer again (at once when there is). With
   * `whenFull: 'block'`, await it whenever `put()` returns false.
   */
  ready(): Promise<void> {
    return this.waiters.ready();
  }

  /**
   * Loads the shard map now rather than at the first put, when records are routed per shard
   * (aggregation, `rateLimitFraction`); resolves once that load ended, loaded or not (a failure
   * is reported and retried as at a put). Records put before the map is there wait one by one
   * and are placed one by one once it is; later ones go into aggregates as runs. Never rejects;
   * at once for an unrouted sink.
   *
   * @example
   * ```ts
   * const sink = new KinesisSink({ streamName: 'logs', aggregation: true });
   * await sink.prepare(); // then put many lines
   * ```
   */
  prepare(): Promise<void> {
    return this.closing ? Promise.resolve() : this.router.loadShardMap();
  }

  /**
   * Sends everything buffered so far without waiting for `flushIntervalMs`, and resolves when
   * each of those records is acknowledged or dropped. Never rejects.
   */
  flush(): Promise<void> {
    if (this.ledger.counters.bufferedRecords === 0) return Promise.resolve();
    const waiter = this.waiters.flushUpTo(this.intake.lastSeq);
    this.sender.pump();
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
    forgetAtExit(this);
    this.sender.close();
    this.router.close();
    this.client.destroy();
    this.waiters.releaseReady();
  }

  /** @internal Called when the process is about to exit with records held. */
  drainBeforeExit(): void {
    if (this.ledger.counters.bufferedRecords === 0 || this.draining !== undefined) return;
    this.draining = this.drainWithin(this.options.shutdownTimeoutMs).finally(() => {
      this.draining = undefined;
    });
  }

  /** @internal Records held now (for the exit warning). */
  heldRecords(): number {
    return this.ledger.counters.bufferedRecords;
  }

  /** Bytes held now: `stats().bufferedBytes` without copying the counters. */
  get bufferedBytes(): number {
    return this.ledger.counters.bufferedBytes;
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
    this.router.sealAggregates(this.clock.now(), true);
    const held = this.lanes.drain();
    for (const r of this.router.takePending()) held.push(r);
    for (const r of this.sender.abandonAll()) held.push(r);
    this.ledger.settleDropped(held, DropReasons.SHUTDOWN_TIMEOUT);
  }

  /** A copy of the counters. */
  stats(): SinkStats {
    return structuredClone(this.ledger.counters);
  }

  private checkWaiters(): void {
    const c = this.ledger.counters;
    const lowest = (): number =>
      Math.min(this.lanes.lowestSeq(), this.sender.lowestSeq(), this.router.lowestSeq());
    if (this.waiters.check(c.bufferedBytes, this.options.maxBufferBytes, lowest))
      this.emitSafely('drain');
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
}
