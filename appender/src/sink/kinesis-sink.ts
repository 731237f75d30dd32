/**
 * The one engine under both transports and the daemon.
 *
 *   put(event) ─► encode ─► fit to record limit ─► fresh queue ──┐        (maxBufferBytes:
 *                                                               ├─► batch ≤ 500 rec / 5 MiB     block |
 *   failed entries (attempt+1, backoff) ─► retry list ──────────┘     │  (full, timer or flush)  dropNewest |
 *                                                                     ▼                          dropOldest)
 *                                       ≤ maxInFlight × PutRecords (p-retry on whole-request errors)
 *                                                                     │
 *              ok entries ─► settled (acked)     failed entries ─► retry list, or dropped after
 *                                                                  maxRetries / recordTtlMs, counted
 *
 * Nothing here throws into the caller after construction: problems become counted drops and
 * `error` events (each distinct failure reported once until a request succeeds again).
 */
import { EventEmitter } from 'node:events';
import pRetry, { AbortError } from 'p-retry';
import { AppenderError } from '../errors.js';
import { backoffDelayMs } from './backoff.js';
import { DropReasons, type DropReason } from './drop-reasons.js';
import { encodeEvent } from './encode-event.js';
import { fitRecord } from './fit-record.js';
import { normalizePartitionKey, partitionKeyFunction } from './partition-key.js';
import { PutRecordsClient, type EntryResult } from './put-records-client.js';
import { RecordQueue } from './record-queue.js';
import {
  resolveSinkOptions,
  WhenFull,
  type KinesisSinkOptions,
  type ResolvedSinkOptions,
} from './sink-options.js';
import { emptySinkStats, type SinkStats } from './sink-stats.js';

/** How one record ended: acknowledged by Kinesis, or dropped with a reason. */
export type SettleResult =
  { ok: true; shardId: string; sequenceNumber: string } | { ok: false; reason: DropReason };

/** Called once per record when it is acknowledged or dropped. */
export type SettleCallback = (result: SettleResult) => void;

/** Payload of the `flush` event: one PutRecords request answered. */
export interface FlushEvent {
  records: number;
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
  error: [AppenderError];
  /** The buffer went back under `maxBufferBytes` after `put()` returned false. */
  drain: [];
}

interface HeldRecord {
  data: Buffer;
  partitionKey: string;
  bytes: number;
  attempts: number;
  firstPutAtMs: number;
  notBeforeMs: number;
  seq: number;
  onSettled: SettleCallback | undefined;
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

const liveSinks = new Set<KinesisSink>();
let beforeExitHooked = false;

/** When the event loop runs dry with records still held, deliver them before the process ends. */
function onBeforeExit(): void {
  for (const sink of liveSinks) sink.drainBeforeExit();
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
  private readonly fresh = new RecordQueue<HeldRecord>();
  private freshBytes = 0;
  private retry: HeldRecord[] = [];
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

  constructor(options: KinesisSinkOptions) {
    super();
    this.options = resolveSinkOptions(options);
    this.client = new PutRecordsClient({
      ...this.options,
      requestTimeoutMs: this.options.requestTimeoutMs,
      maxSockets: this.options.maxSockets ?? Math.max(8, this.options.maxInFlight * 2),
    });
    this.keyOf = partitionKeyFunction(this.options.partitionKey);
    this.encode = this.options.encode ?? encodeEvent;
    liveSinks.add(this);
    if (!beforeExitHooked) {
      beforeExitHooked = true;
      process.on('beforeExit', onBeforeExit);
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
    const keyBytes = Buffer.byteLength(partitionKey);
    let data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
    if (data.length + keyBytes > this.options.maxRecordBytes) {
      if (this.options.oversize === 'drop') {
        this.dropNew(DropReasons.OVERSIZE, data.length, onSettled);
        return false;
      }
      const text = typeof payload === 'string' ? payload : data.toString('utf8');
      data = Buffer.from(fitRecord(text, this.options.maxRecordBytes - keyBytes), 'utf8');
      this.counters.truncated++;
    }
    const bytes = data.length + keyBytes;
    if (!this.makeRoom(bytes)) {
      this.dropNew(DropReasons.BUFFER_FULL, bytes, onSettled);
      return false;
    }
    const now = Date.now();
    this.fresh.push({
      data,
      partitionKey,
      bytes,
      attempts: 0,
      firstPutAtMs: now,
      notBeforeMs: 0,
      seq: ++this.seq,
      onSettled,
    });
    this.freshBytes += bytes;
    this.counters.recordsPut++;
    this.counters.bufferedRecords++;
    this.counters.bufferedBytes += bytes;
    if (
      this.fresh.length >= this.options.maxBatchRecords ||
      this.freshBytes >= this.options.maxBatchBytes
    ) {
      this.pump();
    } else if (this.wakeTimer === undefined) {
      this.wakeAt(now + this.options.flushIntervalMs);
    }
    if (
      this.options.whenFull === WhenFull.BLOCK &&
      this.counters.bufferedBytes >= this.options.maxBufferBytes
    ) {
      this.blocked = true;
      return false;
    }
    return true;
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
        const evicted: HeldRecord[] = [];
        let freed = 0;
        while (this.counters.bufferedBytes - freed + bytes > limit) {
          let oldest = this.fresh.shift();
          if (oldest !== undefined) this.freshBytes -= oldest.bytes;
          else oldest = this.retry.shift();
          if (oldest === undefined) break; // everything left is in flight
          freed += oldest.bytes;
          evicted.push(oldest);
        }
        this.settleDropped(evicted, DropReasons.BUFFER_FULL);
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
   * promise. Never rejects.
   */
  close(): Promise<void> {
    this.closePromise ??= this.shutdown();
    return this.closePromise;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    await this.drainWithin(this.options.shutdownTimeoutMs);
    liveSinks.delete(this);
    this.clearWake();
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
    const held = [...this.fresh.drain(), ...this.retry];
    this.freshBytes = 0;
    this.retry = [];
    for (const batch of this.inFlight) {
      batch.abort.abort();
      held.push(...batch.records);
    }
    this.inFlight.clear();
    this.counters.inFlightRequests = 0;
    this.settleDropped(held, DropReasons.SHUTDOWN_TIMEOUT);
  }

  /** A copy of the counters. */
  stats(): SinkStats {
    return structuredClone(this.counters);
  }

  // ---- sending ----------------------------------------------------------------------------

  private pump(): void {
    const force = this.closing || this.flushWaiters.length > 0 || this.draining !== undefined;
    while (this.inFlight.size < this.options.maxInFlight) {
      const now = Date.now();
      const batch = this.takeBatch(now, force);
      if (batch === undefined) break;
      this.send(batch);
    }
    this.scheduleWake();
  }

  private takeBatch(now: number, force: boolean): InFlightBatch | undefined {
    const o = this.options;
    const readyRetries =
      this.retry.length > 0 ? this.retry.filter((r) => r.notBeforeMs <= now) : [];
    const oldestFresh = this.fresh.peek();
    const due =
      readyRetries.length > 0 ||
      (oldestFresh !== undefined &&
        (force ||
          this.fresh.length >= o.maxBatchRecords ||
          this.freshBytes >= o.maxBatchBytes ||
          now - oldestFresh.firstPutAtMs >= o.flushIntervalMs));
    if (!due) return undefined;
    const records: HeldRecord[] = [];
    let bytes = 0;
    let taken = 0;
    for (const r of readyRetries) {
      if (records.length >= o.maxBatchRecords || bytes + r.bytes > o.maxBatchBytes) break;
      records.push(r);
      bytes += r.bytes;
      taken++;
    }
    if (taken > 0) {
      const chosen = new Set(records);
      this.retry = this.retry.filter((r) => !chosen.has(r));
    }
    while (records.length < o.maxBatchRecords) {
      const next = this.fresh.peek();
      if (next === undefined || bytes + next.bytes > o.maxBatchBytes) break;
      this.fresh.shift();
      this.freshBytes -= next.bytes;
      records.push(next);
      bytes += next.bytes;
    }
    const live = this.expire(records, now);
    if (live.length === 0) return this.takeBatch(now, force);
    let minSeq = Infinity;
    for (const r of live) if (r.seq < minSeq) minSeq = r.seq;
    return { records: live, minSeq, abort: new AbortController() };
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
    if (this.inFlight.size < this.options.maxInFlight) this.pump();
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
      results = await pRetry(
        () => {
          if (!this.inFlight.has(batch)) throw new AbortError('batch abandoned at shutdown');
          startedAt = performance.now();
          attemptsMade++;
          this.counters.putRecordsCalls++;
          this.counters.entriesSent += entries.length;
          return this.client.send(entries, batch.abort.signal);
        },
        {
          retries: retriesLeft,
          factor: 2,
          minTimeout: o.backoffBaseMs,
          maxTimeout: o.backoffMaxMs,
          randomize: true,
          unref: !this.closing,
          signal: batch.abort.signal,
          ...(Number.isFinite(timeLeft) ? { maxRetryTime: Math.max(1, timeLeft) } : {}),
          onFailedAttempt: ({ error }) => {
            const err = asAppenderError(error, this.client.target);
            increment(this.counters.requestsFailedByCode, err.awsCode);
            this.report(err);
          },
          shouldRetry: ({ error }) => {
            const retryable = asAppenderError(error, this.client.target).retryable;
            if (retryable) this.counters.requestRetries++;
            return retryable && this.inFlight.has(batch);
          },
        },
      );
    } catch (error) {
      if (!this.inFlight.has(batch)) return; // abandoned at shutdown: already settled
      const err = asAppenderError(error, this.client.target);
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
    let sentBytes = 0;
    for (let i = 0; i < entries.length; i++) {
      const r = entries[i]!;
      const res = results[i]!;
      if (res.ok) {
        sentBytes += r.bytes;
        this.release(r);
        this.counters.recordsSent++;
        callSafely(r.onSettled, res);
      } else {
        increment(this.counters.entriesFailedByCode, res.errorCode);
        r.attempts++;
        failed.push(r);
      }
    }
    this.counters.bytesSent += sentBytes;
    if (failed.length > 0) this.requeue(failed, undefined);
    this.emitSafely('flush', {
      records: entries.length - failed.length,
      bytes: sentBytes,
      failed: failed.length,
      latencyMs,
    });
  }

  /** Failed records go to the retry list with a backoff, or are dropped past their limits. */
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
        this.retry.push(r);
        this.counters.entriesRetried++;
      }
    }
    this.settleDropped(exhausted, DropReasons.RETRIES_EXHAUSTED);
    this.settleDropped(expired, DropReasons.TTL_EXPIRED);
  }

  // ---- bookkeeping ------------------------------------------------------------------------

  private release(r: HeldRecord): void {
    this.counters.bufferedRecords--;
    this.counters.bufferedBytes -= r.bytes;
  }

  private settleDropped(records: HeldRecord[], reason: DropReason): void {
    if (records.length === 0) return;
    let bytes = 0;
    for (const r of records) {
      bytes += r.bytes;
      this.release(r);
      callSafely(r.onSettled, { ok: false, reason });
    }
    this.countDrop(reason, records.length, bytes);
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
    let lowest = this.fresh.peek()?.seq ?? Infinity;
    for (const r of this.retry) if (r.seq < lowest) lowest = r.seq;
    for (const b of this.inFlight) if (b.minSeq < lowest) lowest = b.minSeq;
    return lowest;
  }

  /** Reports an error once per distinct failure until a request succeeds again. */
  private report(err: AppenderError & { awsCode: string }): void {
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
    let next = Infinity;
    const oldest = this.fresh.peek();
    if (oldest !== undefined) next = oldest.firstPutAtMs + this.options.flushIntervalMs;
    for (const r of this.retry) if (r.notBeforeMs < next) next = r.notBeforeMs;
    if (next === Infinity) this.clearWake();
    else if (next < this.wakeAtMs || this.wakeTimer === undefined) this.wakeAt(next);
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

function asAppenderError(
  error: unknown,
  target: { streamName: string; endpoint: string },
): AppenderError & { awsCode: string } {
  const err =
    error instanceof AppenderError
      ? error
      : new AppenderError(
          `PutRecords to stream "${target.streamName}" at ${target.endpoint} failed: ${String(error)}`,
          {
            code: 'INTERNAL',
            retryable: true,
            cause: error,
          },
        );
  const awsCode = (err as { awsCode?: string }).awsCode ?? err.code;
  return Object.assign(err, { awsCode });
}

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
