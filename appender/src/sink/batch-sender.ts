/**
 * The way out: batches taken from the lanes, sent, and settled entry by entry.
 *
 *   pump ─► seal due aggregates ─► while < maxInFlight: lanes.takeBatch ─► drop expired ─► send
 *                                                                                       │
 *   PutRecords (whole-request errors retried with backoff inside the slot) ◄────────────┘
 *        │ answered
 *        ├─ ok entry ───────────────► settled (acked), once; an aggregate whose predicted shard
 *        │                            has closed (resharding) puts again only the user records
 *        │                            the landing shard does not own
 *        ├─ failed entry ───────────► retry list of its lane (backoff), or dropped past limits
 *        └─ request failed for good ► retryable: retry list; else dropped (rejected)
 *   then: waiters checked, pump again; a wake timer covers flush deadlines, backoffs, refills
 */
import { backoffDelayMs, retryWithBackoff } from '@kinlog/core';
import type { KinlogError } from '@kinlog/core';
import { DropReasons } from './drop-reasons.js';
import type { HeldRecord, UserRecord } from './held-record.js';
import {
  explodeRuns,
  plainCount,
  plainRecordCount,
  runRecordBytes,
  singleOf,
  type HeldRun,
} from './plain-run.js';
import { translatePutRecordsError, type PutRecordsPort } from './put-records-client.js';
import type { PutRecordsResults } from './put-records-results.js';
import { ANY_SHARD, type ShardLanes } from './shard-lanes.js';
import type { ShardRouter } from './shard-router.js';
import type { SinkClock } from './sink-clock.js';
import { countShardFailure, countShardSent } from './sink-counters.js';
import { increment, type SinkLedger } from './sink-ledger.js';
import type { ResolvedSinkOptions } from './sink-options.js';
import { WakeTimer } from './wake-timer.js';

/** What the sender needs of the sink's options. */
export type SenderOptions = Pick<
  ResolvedSinkOptions,
  | 'maxInFlight'
  | 'maxRetries'
  | 'recordTtlMs'
  | 'backoffBaseMs'
  | 'backoffMaxMs'
  | 'flushIntervalMs'
>;

/** What the sender asks of the sink. */
export interface SenderHooks {
  /** Send partial batches now (a flush, close or exit drain is awaited). */
  urgent(): boolean;
  /** Whether the sink is closing (waits then keep the process up). */
  closing(): boolean;
  /** Records stopped being held: release waiters that are due. */
  released(): void;
}

interface InFlightBatch {
  records: HeldRecord[];
  minSeq: number;
  /** Aborts the request and its retries when the batch is abandoned at shutdown. */
  abort: AbortController;
}

/**
 * Sends held records in batches of PutRecords, at most `maxInFlight` at a time, and settles
 * each entry by its answer.
 *
 * @example
 * ```ts
 * const sender = new BatchSender(options, client, lanes, router, ledger, clock, hooks);
 * sender.pump(); // sends what is due, schedules the next wake
 * ```
 */
export class BatchSender {
  private readonly inFlight = new Set<InFlightBatch>();
  private readonly wake: WakeTimer;
  /** Answered requests in a row in which a shard refused most of its entries, by shard. */
  private readonly throttleStreaks = new Map<string, number>();

  constructor(
    private readonly options: SenderOptions,
    private readonly client: PutRecordsPort,
    private readonly lanes: ShardLanes,
    private readonly router: ShardRouter,
    private readonly ledger: SinkLedger,
    private readonly clock: SinkClock,
    private readonly hooks: SenderHooks,
  ) {
    this.wake = new WakeTimer(clock, () => this.pump());
  }

  /** After a put: send when a batch is full, else make sure a flush deadline is set. */
  afterPut(nowMs: number): void {
    if (this.lanes.batchFull) this.pump();
    else if (!this.wake.pending)
      this.wake.at(nowMs + this.options.flushIntervalMs, this.keepAlive());
  }

  /** Sends every batch that is due, up to `maxInFlight`, and schedules the next wake. */
  pump(): void {
    const force = this.hooks.urgent() || this.hooks.closing();
    this.router.sealAggregates(this.clock.now(), force);
    while (this.inFlight.size < this.options.maxInFlight) {
      const batch = this.takeBatch(this.clock.now(), force);
      if (batch === undefined) break;
      this.send(batch);
    }
    this.scheduleWake();
  }

  /** Lowest sequence number in flight. */
  lowestSeq(): number {
    let lowest = Infinity;
    for (const b of this.inFlight) if (b.minSeq < lowest) lowest = b.minSeq;
    return lowest;
  }

  /** Aborts every request in flight and returns its records (at a shutdown deadline). */
  abandonAll(): HeldRecord[] {
    const held: HeldRecord[] = [];
    for (const batch of this.inFlight) {
      batch.abort.abort();
      for (const item of batch.records) held.push(item);
    }
    this.inFlight.clear();
    this.ledger.counters.inFlightRequests = 0;
    return held;
  }

  /** Stops the wake timer. */
  close(): void {
    this.wake.clear();
  }

  private keepAlive(): boolean {
    // While a flush or close is awaited, the timer is what keeps delivery going.
    return this.hooks.closing() || this.hooks.urgent();
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
    this.ledger.settleDropped(expired, DropReasons.TTL_EXPIRED);
    return records.filter((r) => now - r.firstPutAtMs <= ttl);
  }

  private send(batch: InFlightBatch): void {
    this.inFlight.add(batch);
    this.ledger.counters.inFlightRequests = this.inFlight.size;
    this.sendBatch(batch).then(
      () => this.afterBatch(batch),
      () => this.afterBatch(batch),
    );
  }

  private afterBatch(batch: InFlightBatch): void {
    this.inFlight.delete(batch);
    this.ledger.counters.inFlightRequests = this.inFlight.size;
    this.hooks.released();
    this.pump();
  }

  private async sendBatch(batch: InFlightBatch): Promise<void> {
    const o = this.options;
    const counters = this.ledger.counters;
    const entries = batch.records;
    const sentRecords = plainRecordCount(entries);
    let oldest = Infinity;
    let mostAttempts = 0;
    for (const r of entries) {
      if (r.firstPutAtMs < oldest) oldest = r.firstPutAtMs;
      if (r.attempts > mostAttempts) mostAttempts = r.attempts;
    }
    const retriesLeft = Math.max(0, o.maxRetries - mostAttempts);
    const timeLeft = o.recordTtlMs - (this.clock.now() - oldest);
    let startedAt = 0;
    let attemptsMade = 0;
    let results: PutRecordsResults;
    try {
      results = await retryWithBackoff(
        () => {
          if (!this.inFlight.has(batch)) throw new BatchAbandonedError();
          startedAt = performance.now();
          attemptsMade++;
          counters.putRecordsCalls++;
          counters.entriesSent += sentRecords;
          return this.client.put(entries, batch.abort.signal);
        },
        {
          maxAttempts: retriesLeft + 1,
          baseMs: o.backoffBaseMs,
          maxMs: o.backoffMaxMs,
          unref: () => !this.hooks.closing(),
          signal: batch.abort.signal,
          now: () => this.clock.now(),
          sleep: (ms, signal, opts) => this.clock.sleep(ms, signal, opts),
          ...(Number.isFinite(timeLeft) ? { maxElapsedMs: Math.max(1, timeLeft) } : {}),
          shouldRetry: (error) =>
            !(error instanceof BatchAbandonedError) &&
            this.asError(error).retryable &&
            this.inFlight.has(batch),
          onFailedAttempt: ({ error, willRetry }) => {
            if (error instanceof BatchAbandonedError) return;
            const err = this.asError(error);
            increment(counters.requestsFailedByCode, err.awsCode);
            this.ledger.report(err);
            if (willRetry) counters.requestRetries++;
          },
        },
      );
    } catch (error) {
      if (!this.inFlight.has(batch)) return; // abandoned at shutdown: already settled
      const err = this.asError(error);
      if (!err.retryable) this.ledger.settleDropped(entries, DropReasons.REJECTED);
      // Retries wait one by one: runs go back as their records.
      else this.requeue(explodeRuns(entries), mostAttempts + Math.max(1, attemptsMade));
      return;
    }
    if (!this.inFlight.has(batch)) return;
    this.ledger.requestSucceeded(performance.now() - startedAt);
    if (sentRecords === entries.length) await this.settle(entries, results, counters.lastLatencyMs);
    else this.settleRuns(entries, results, counters.lastLatencyMs);
  }

  /**
   * Settles a batch holding runs of plain records (never aggregates: runs are only made while
   * records are not routed): each stretch of a run acknowledged together with one callback;
   * a failed record of a run becomes a single held record and waits to retry as any does.
   */
  private settleRuns(entries: HeldRecord[], results: PutRecordsResults, latencyMs: number): void {
    const counters = this.ledger.counters;
    const failed: HeldRecord[] = [];
    let sentBytes = 0;
    let landed = 0;
    let k = 0;
    for (const r of entries) {
      const run = r.run;
      if (run === undefined) {
        const i = k++;
        if (!results.ok(i)) {
          this.countFailure(r.bytes, r.shardId, results, i);
          r.attempts++;
          failed.push(r);
          continue;
        }
        countShardSent(counters, r.bytes, results.shardId(i));
        landed++;
        sentBytes += r.bytes;
        this.ledger.settleAcked(r.heldBytes, r.onSettled, results.acked(i));
        continue;
      }
      // A stretch of acknowledged records of the run, settled with one callback.
      let spanFrom = run.from;
      let spanBytes = 0;
      let spanResult = -1;
      for (let i = run.from; i <= run.to; i++) {
        const ok = i < run.to && results.ok(k);
        if (i < run.to) {
          const bytes = runRecordBytes(run, i);
          if (ok) {
            countShardSent(counters, bytes, results.shardId(k));
            if (spanResult < 0) spanResult = k;
            spanBytes += bytes;
            k++;
            continue;
          }
          this.countFailure(bytes, r.shardId, results, k);
        }
        if (spanResult >= 0) {
          landed += i - spanFrom;
          sentBytes += spanBytes;
          this.ledger.settleAcked(spanBytes, r.onSettled, results.acked(spanResult), i - spanFrom);
        }
        spanResult = -1;
        spanBytes = 0;
        spanFrom = i + 1;
        if (i === run.to) break;
        k++;
        const single = singleOf(r as HeldRun, i);
        single.attempts++;
        failed.push(single);
      }
    }
    counters.kinesisRecordsSent += landed;
    counters.bytesSent += sentBytes;
    if (failed.length > 0 || this.throttleStreaks.size > 0) this.requeueFailed(entries, failed);
    this.ledger.emit('flush', {
      records: landed,
      kinesisRecords: landed,
      bytes: sentBytes,
      failed: failed.length,
      latencyMs,
    });
  }

  /** Counts failed entry `i` (of `bytes`, routed to `shardId`) by its shard and error code. */
  private countFailure(
    bytes: number,
    shardId: string | undefined,
    results: PutRecordsResults,
    i: number,
  ): void {
    const res = results.at(i);
    if (res.ok) return;
    increment(this.ledger.counters.entriesFailedByCode, res.errorCode);
    countShardFailure(this.ledger.counters, shardId, res);
  }

  /** Settles each entry by its answer: acknowledged, misplaced (routed again) or failed. */
  private async settle(
    entries: HeldRecord[],
    results: PutRecordsResults,
    latencyMs: number,
  ): Promise<void> {
    const counters = this.ledger.counters;
    const failed: HeldRecord[] = [];
    let surprises: Set<string> | undefined;
    for (let i = 0; i < entries.length; i++) {
      const r = entries[i]!;
      if (results.ok(i)) {
        const landedOn = results.shardId(i);
        countShardSent(counters, r.bytes, landedOn);
        if (
          r.users !== undefined &&
          r.shardId !== undefined &&
          r.shardId !== ANY_SHARD &&
          r.shardId !== landedOn
        )
          (surprises ??= new Set()).add(r.shardId);
      } else {
        this.countFailure(r.bytes, r.shardId, results, i);
        r.attempts++;
        failed.push(r);
      }
    }
    // An aggregate on an unexpected shard: when its predicted shard has closed (a resharding),
    // the user records whose keys the landing shard does not own are put again on their own
    // shard, as readers (the KCL, kinlog analyze) skip them there. Otherwise every acknowledged
    // record is settled as it landed: sending it round again cannot place it better.
    let resharded: Set<string> | undefined;
    for (const shardId of surprises ?? []) {
      if (await this.router.resharded(shardId)) (resharded ??= new Set()).add(shardId);
    }
    let sentBytes = 0;
    let sentUsers = 0;
    let landed = 0;
    let reroute: UserRecord[] | undefined;
    for (let i = 0; i < entries.length; i++) {
      if (!results.ok(i)) continue;
      const result = results.acked(i);
      const record = entries[i]!;
      landed++;
      sentBytes += record.bytes;
      const users = record.users;
      if (users === undefined) {
        // A plain record is its own user record: settled as is, with the answer as its result.
        sentUsers++;
        this.ledger.settleAcked(record.heldBytes, record.onSettled, result);
        continue;
      }
      const movable = record.shardId !== undefined && resharded?.has(record.shardId) === true;
      let moved = false;
      for (const u of users) {
        if (movable && this.router.owns(result.shardId, u) === false) {
          (reroute ??= []).push(u);
          moved = true;
        } else {
          const n = u.count ?? 1;
          sentUsers += n;
          this.ledger.settleAcked(u.bytes, u.onSettled, result, n);
        }
      }
      // Its bytes are done with (user records routed again still read theirs from it).
      if (!moved) this.router.recycle(record);
    }
    counters.kinesisRecordsSent += landed;
    counters.bytesSent += sentBytes;
    if (reroute !== undefined) {
      for (const u of reroute) counters.userRecordsRerouted += u.count ?? 1;
      for (const u of reroute) this.router.route(u);
    }
    if (failed.length > 0 || this.throttleStreaks.size > 0) this.requeueFailed(entries, failed);
    this.ledger.emit('flush', {
      records: sentUsers,
      kinesisRecords: landed,
      bytes: sentBytes,
      failed: failed.length,
      latencyMs,
    });
  }

  /**
   * Entries that failed inside an answered request wait by their shard's throttling, not by
   * their own attempt count: while most of a shard's entries in a request go through, its
   * failures rejoin the next batch at once (retry lists wait for a full batch or a flush); a
   * shard that refuses most of its entries request after request backs off exponentially (to
   * `backoffMaxMs`), one jittered wait per shard, so its failures travel together. This is the
   * KPL's way: pace the throttled shard, not each record.
   */
  private requeueFailed(entries: readonly HeldRecord[], failed: HeldRecord[]): void {
    const o = this.options;
    const perShard = new Map<string, { sent: number; failed: number; delayMs: number }>();
    for (const r of entries) {
      const id = r.shardId ?? ANY_SHARD;
      const t = perShard.get(id);
      if (t === undefined) perShard.set(id, { sent: plainCount(r), failed: 0, delayMs: 0 });
      else t.sent += plainCount(r);
    }
    for (const r of failed) perShard.get(r.shardId ?? ANY_SHARD)!.failed++;
    for (const [id, t] of perShard) {
      if (t.failed * 2 <= t.sent) {
        this.throttleStreaks.delete(id);
        continue;
      }
      const streak = (this.throttleStreaks.get(id) ?? 0) + 1;
      this.throttleStreaks.set(id, streak);
      t.delayMs = backoffDelayMs(streak - 1, { baseMs: o.backoffBaseMs, maxMs: o.backoffMaxMs });
    }
    this.requeue(failed, undefined, (r) => perShard.get(r.shardId ?? ANY_SHARD)!.delayMs);
  }

  /** Failed records go to their lane's retry list after a wait, or are dropped past their limits. */
  private requeue(
    records: HeldRecord[],
    attemptsOverride: number | undefined,
    delayOf: (r: HeldRecord) => number = (r) =>
      backoffDelayMs(r.attempts, {
        baseMs: this.options.backoffBaseMs,
        maxMs: this.options.backoffMaxMs,
      }),
  ): void {
    const o = this.options;
    const now = this.clock.now();
    const exhausted: HeldRecord[] = [];
    const expired: HeldRecord[] = [];
    for (const r of records) {
      if (attemptsOverride !== undefined) r.attempts = Math.max(r.attempts, attemptsOverride);
      if (r.attempts > o.maxRetries) exhausted.push(r);
      else if (now - r.firstPutAtMs > o.recordTtlMs) expired.push(r);
      else {
        r.notBeforeMs = now + delayOf(r);
        this.lanes.retryLater(r);
        this.ledger.counters.entriesRetried++;
      }
    }
    this.ledger.settleDropped(exhausted, DropReasons.RETRIES_EXHAUSTED);
    this.ledger.settleDropped(expired, DropReasons.TTL_EXPIRED);
  }

  private scheduleWake(): void {
    // With every request slot busy, the next completion pumps; a timer would only spin.
    if (this.inFlight.size >= this.options.maxInFlight) return;
    const now = this.clock.now();
    const force = this.hooks.urgent() || this.hooks.closing();
    const next = Math.min(this.lanes.nextWakeMs(now, force), this.router.nextDueMs());
    if (next === Infinity) this.wake.clear();
    else this.wake.atOrBefore(Math.max(next, now + 1), this.keepAlive());
  }

  private asError(error: unknown): KinlogError & { awsCode: string } {
    return asSinkError(error, this.client.target);
  }
}

/** A PutRecords or ListShards failure as the sink's error, with the AWS code to count it by. */
export function asSinkError(
  error: unknown,
  target: { streamName: string; endpoint: string },
): KinlogError & { awsCode: string } {
  const err = translatePutRecordsError(error, target);
  const awsCode = (err as { awsCode?: string }).awsCode ?? err.code;
  return Object.assign(err, { awsCode });
}

/** Thrown instead of a new attempt of a batch that shutdown gave up on. */
class BatchAbandonedError extends Error {}
