import type { KinlogError } from '@kinlog/core';
import type { DropReason } from './drop-reasons.js';
import {
  userCount,
  usersOf,
  type HeldRecord,
  type SettleCallback,
  type SettleResult,
} from './held-record.js';
import { emptySinkStats, type SinkStats } from './sink-stats.js';

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

/** Events of a KinesisSink. */
export interface KinesisSinkEvents {
  flush: [FlushEvent];
  drop: [DropEvent];
  error: [KinlogError];
  /** The buffer went back under `maxBufferBytes` after `put()` returned false. */
  drain: [];
}

/** Emits a sink event to its listeners, if any; a throwing listener is ignored. */
export type SinkEmit = <K extends keyof KinesisSinkEvents>(
  name: K,
  ...args: KinesisSinkEvents[K]
) => void;

/**
 * The sink's books: its counters, and the one place a record is settled (acknowledged or
 * dropped), so every record's callback runs once and the held counts stay exact.
 *
 * @example
 * ```ts
 * const ledger = new SinkLedger(emit, () => waiters.check());
 * ledger.accepted(user.bytes);
 * ledger.settleAcked(user, { shardId, sequenceNumber });
 * ```
 */
export class SinkLedger {
  readonly counters: SinkStats = emptySinkStats();
  private lastReportedError: string | undefined;

  /**
   * @param emit - sends sink events
   * @param onReleased - told after records stopped being held (waiters may be released)
   */
  constructor(
    readonly emit: SinkEmit,
    private readonly onReleased: () => void,
  ) {}

  /** A record (or `records` records, of `bytes` in all) joined the buffer. */
  accepted(bytes: number, records = 1): void {
    const c = this.counters;
    c.recordsPut += records;
    c.bufferedRecords += records;
    c.bufferedBytes += bytes;
  }

  /**
   * One user record of `bytes` (or a run of `records` of them, `bytes` in all) acknowledged by
   * Kinesis: its callback runs once, told the number. The result object is shared by every user
   * record of one Kinesis record (it is read-only to callbacks).
   */
  settleAcked(
    bytes: number,
    onSettled: SettleCallback | undefined,
    result: SettleResult & { ok: true },
    records = 1,
  ): void {
    const c = this.counters;
    c.bufferedRecords -= records;
    c.bufferedBytes -= bytes;
    c.recordsSent += records;
    callSafely(onSettled, result, records);
  }

  /** Held records given up on: their callbacks learn why, the drop is counted. */
  settleDropped(records: readonly HeldRecord[], reason: DropReason): void {
    if (records.length === 0) return;
    let bytes = 0;
    let count = 0;
    for (const r of records) {
      bytes += r.heldBytes;
      count += userCount(r);
      this.counters.bufferedRecords -= userCount(r);
      this.counters.bufferedBytes -= r.heldBytes;
      for (const u of usersOf(r)) {
        const result: SettleResult = { ok: false, reason };
        callSafely(u.onSettled, result, u.count ?? 1);
      }
    }
    this.countDrop(reason, count, bytes);
    this.onReleased();
  }

  /** A record refused at intake (never held). */
  dropNew(reason: DropReason, bytes: number, onSettled: SettleCallback | undefined): void {
    this.counters.recordsPut++;
    callSafely(onSettled, { ok: false, reason }, 1);
    this.countDrop(reason, 1, bytes);
  }

  /** Reports an error once per distinct failure until {@link requestSucceeded}. */
  report(err: KinlogError & { awsCode: string }): void {
    const key = `${err.code}:${err.awsCode}`;
    if (key === this.lastReportedError) return;
    this.lastReportedError = key;
    this.emit('error', err);
  }

  /** A request went through: the next failure is news again. */
  requestSucceeded(latencyMs: number): void {
    this.lastReportedError = undefined;
    this.counters.lastLatencyMs = latencyMs;
    if (latencyMs > this.counters.maxLatencyMs) this.counters.maxLatencyMs = latencyMs;
  }

  private countDrop(reason: DropReason, count: number, bytes: number): void {
    this.counters.dropped[reason] += count;
    this.counters.droppedTotal += count;
    this.emit('drop', { reason, count, bytes });
  }
}

/** Adds one to a count by key. */
export function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function callSafely(cb: SettleCallback | undefined, result: SettleResult, records: number): void {
  if (cb === undefined) return;
  try {
    cb(result, records);
  } catch {
    // The caller's callback failing must not lose other records.
  }
}
