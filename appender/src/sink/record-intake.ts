/**
 * The way in: one put becomes one held user record, or a counted drop.
 *
 *   payload ─► bytes ─► over maxRecordBytes? ─► truncate (fitRecord) | drop (oversize)
 *                 ─► gzip? ─► room in maxBufferBytes? ─► whenFull:
 *                                                        block      ─► accept, put() says false
 *                                                        dropNewest ─► drop this one
 *                                                        dropOldest ─► evict oldest unsent
 *                 ─► user record { seq, bytes, hash? } ─► router
 */
import { gzipSync } from 'node:zlib';
import { DropReasons } from './drop-reasons.js';
import { fitRecord } from './fit-record.js';
import { heldUserRecord, type SettleCallback } from './held-record.js';
import type { LineRange } from './line-run.js';
import type { SinkKeys } from './partition-key.js';
import { heldRun } from './plain-run.js';
import type { ShardLanes } from './shard-lanes.js';
import type { ShardRouter } from './shard-router.js';
import type { SinkClock } from './sink-clock.js';
import type { SinkLedger } from './sink-ledger.js';
import { WhenFull, type ResolvedSinkOptions } from './sink-options.js';

/** What the intake needs of the sink's options. */
export type IntakeOptions = Pick<
  ResolvedSinkOptions,
  'maxRecordBytes' | 'oversize' | 'compression' | 'maxBufferBytes' | 'whenFull'
>;

/** The outcome of one accept. */
export const Intake = {
  /** Held; the caller may go on. */
  ACCEPTED: 'accepted',
  /** Held, but the buffer is full (`whenFull: 'block'`): the caller should await `ready()`. */
  ACCEPTED_FULL: 'acceptedFull',
  /** Dropped and counted. */
  DROPPED: 'dropped',
} as const;
export type Intake = (typeof Intake)[keyof typeof Intake];

/**
 * Turns payloads into held user records within the record and buffer limits.
 *
 * @example
 * ```ts
 * const intake = new RecordIntake(options, ledger, router, lanes, clock);
 * intake.accept('{"msg":"hi"}', 'key-1', undefined); // 'accepted'
 * ```
 */
export class RecordIntake {
  private seq = 0;

  constructor(
    private readonly options: IntakeOptions,
    private readonly ledger: SinkLedger,
    private readonly router: ShardRouter,
    private readonly lanes: ShardLanes,
    private readonly clock: SinkClock,
  ) {}

  /** Sequence number of the last record accepted (flush() waits up to it). */
  get lastSeq(): number {
    return this.seq;
  }

  /**
   * @param randomKey - the key is the sink's own random one: the record may go to any shard
   *   (placed, not hashed)
   */
  accept(
    payload: string | Uint8Array,
    partitionKey: string,
    onSettled: SettleCallback | undefined,
    randomKey = false,
  ): Intake {
    const o = this.options;
    const keyBytes = Buffer.byteLength(partitionKey);
    // A record the router copies into an aggregate as it places it needs no copy of its own
    // first; should it go out plain after all (too big to aggregate), it is copied below.
    const view =
      randomKey && typeof payload !== 'string' && this.router.copiesPlacedRecords
        ? asBuffer(payload)
        : undefined;
    let data =
      view ?? (typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload));
    if (data.length + keyBytes > o.maxRecordBytes) {
      if (o.oversize === 'drop') {
        this.ledger.dropNew(DropReasons.OVERSIZE, data.length, onSettled);
        return Intake.DROPPED;
      }
      const text = typeof payload === 'string' ? payload : data.toString('utf8');
      data = Buffer.from(fitRecord(text, o.maxRecordBytes - keyBytes), 'utf8');
      this.ledger.counters.truncated++;
    }
    // gzipSync answers a view into a 16 KiB buffer: copy, so a held record costs what it counts.
    if (o.compression === 'gzip') data = Buffer.from(gzipSync(data));
    const bytes = data.length + keyBytes;
    if (!this.makeRoom(bytes)) {
      this.ledger.dropNew(DropReasons.BUFFER_FULL, bytes, onSettled);
      return Intake.DROPPED;
    }
    const user = heldUserRecord(
      data,
      partitionKey,
      bytes,
      randomKey ? undefined : this.router.hashKeyFor(partitionKey),
      ++this.seq,
      this.clock.now(),
      onSettled,
      randomKey,
    );
    this.ledger.accepted(bytes);
    this.router.route(user);
    if (view !== undefined && user.data === view) user.data = Buffer.from(view);
    const full =
      o.whenFull === WhenFull.BLOCK && this.ledger.counters.bufferedBytes >= o.maxBufferBytes;
    return full ? Intake.ACCEPTED_FULL : Intake.ACCEPTED;
  }

  /**
   * Accepts lines under the sink's own key `partitionKey`, as {@link accept} would accept each
   * one, in order. While records of the sink's own key are copied into one-key aggregates as
   * they are placed (aggregation, shard map loaded), without gzip, and the buffer has room (or
   * `whenFull: 'block'`), the lines go in as runs: no object or buffer view per line. A line
   * over the record limit goes through {@link accept} on its own (truncated or dropped there).
   * Answers ACCEPTED_FULL when the buffer is full, else DROPPED when some line was dropped,
   * else ACCEPTED.
   */
  acceptLines(
    lines: LineRange,
    partitionKey: string,
    onSettled: SettleCallback | undefined,
  ): Intake {
    const o = this.options;
    const { buf, starts, ends, from, to } = lines;
    const keyBytes = Buffer.byteLength(partitionKey);
    let fast = o.compression !== 'gzip' && this.router.copiesPlacedRecords;
    if (fast && o.whenFull !== WhenFull.BLOCK) {
      let bytes = 0;
      for (let i = from; i < to; i++) bytes += ends[i]! - starts[i]! + keyBytes;
      fast = this.ledger.counters.bufferedBytes + bytes <= o.maxBufferBytes;
    }
    let dropped = false;
    let full = false;
    const one = (i: number): void => {
      const line = buf.subarray(starts[i], ends[i]);
      const outcome = this.accept(line, partitionKey, onSettled, true);
      if (outcome === Intake.DROPPED) dropped = true;
      else if (outcome === Intake.ACCEPTED_FULL) full = true;
    };
    if (!fast) {
      for (let i = from; i < to; i++) one(i);
    } else {
      const maxDataBytes = o.maxRecordBytes - keyBytes;
      let runFrom = from;
      for (let i = from; i <= to; i++) {
        if (i < to && ends[i]! - starts[i]! <= maxDataBytes) continue;
        if (i > runFrom) {
          const run = { buf, starts, ends, from: runFrom, to: i };
          if (this.acceptRun(run, partitionKey, keyBytes, onSettled)) full = true;
        }
        if (i < to) one(i);
        runFrom = i + 1;
      }
    }
    if (full) return Intake.ACCEPTED_FULL;
    return dropped ? Intake.DROPPED : Intake.ACCEPTED;
  }

  /**
   * Whether lines can go in as plain runs ({@link acceptPlainLines}): without gzip, while the
   * buffer has room for all of them under their keys (or `whenFull: 'block'`). Otherwise they
   * must be put one by one, each followed by what follows a put (a batch sent when full), so
   * that a drop policy meets the same buffer as for lines put so.
   */
  fitsPlainLines(lines: LineRange, keys: SinkKeys): boolean {
    const o = this.options;
    if (o.compression === 'gzip') return false;
    if (o.whenFull === WhenFull.BLOCK) return true;
    const { starts, ends, from, to } = lines;
    const firstKey = keys.reserve(0);
    let bytes = 0;
    for (let i = from; i < to; i++)
      bytes += ends[i]! - starts[i]! + keys.keyBytesAt(firstKey + i - from);
    return this.ledger.counters.bufferedBytes + bytes <= o.maxBufferBytes;
  }

  /**
   * Accepts lines that {@link fitsPlainLines} as plain records under the sink's own keys, one
   * key each from `keys`, as {@link accept} would accept each one with the next key, in order:
   * as runs (plain-run.ts), their bytes copied once into one block, one held entry per run. A
   * line over the record limit goes through {@link accept} on its own. Answers as
   * {@link acceptLines} does.
   */
  acceptPlainLines(
    lines: LineRange,
    keys: SinkKeys,
    onSettled: SettleCallback | undefined,
  ): Intake {
    const o = this.options;
    const { buf, starts, ends, from, to } = lines;
    // Each line takes the next key, whichever way it goes in: key of line i is firstKey + i - from.
    const firstKey = keys.reserve(0);
    let dropped = false;
    let full = false;
    let runFrom = from;
    for (let i = from; i <= to; i++) {
      if (
        i < to &&
        ends[i]! - starts[i]! + keys.keyBytesAt(firstKey + i - from) <= o.maxRecordBytes
      )
        continue;
      if (i > runFrom) {
        const run = { buf, starts, ends, from: runFrom, to: i, owned: lines.owned };
        if (this.acceptPlainRun(run, keys, onSettled)) full = true;
      }
      if (i < to) {
        const line = buf.subarray(starts[i], ends[i]);
        const outcome = this.accept(line, keys.next(), onSettled, true);
        if (outcome === Intake.DROPPED) dropped = true;
        else if (outcome === Intake.ACCEPTED_FULL) full = true;
      }
      runFrom = i + 1;
    }
    if (full) return Intake.ACCEPTED_FULL;
    return dropped ? Intake.DROPPED : Intake.ACCEPTED;
  }

  /** Lines that all fit the record limit, as one plain run; true when the buffer is now full. */
  private acceptPlainRun(
    lines: LineRange,
    keys: SinkKeys,
    onSettled: SettleCallback | undefined,
  ): boolean {
    const { buf, starts, ends, from, to } = lines;
    const n = to - from;
    const firstKey = keys.reserve(n);
    const runStarts = new Uint32Array(n);
    const runEnds = new Uint32Array(n);
    let dataBytes = 0;
    let bytes = 0;
    let ordered = true;
    let lastEnd = 0;
    for (let i = from; i < to; i++) {
      const length = ends[i]! - starts[i]!;
      dataBytes += length;
      bytes += length + keys.keyBytesAt(firstKey + i - from);
      if (starts[i]! < lastEnd) ordered = false;
      lastEnd = ends[i]!;
    }
    const spanFrom = starts[from]!;
    const spanTo = ends[to - 1]!;
    let block: Buffer;
    if (ordered && spanTo - spanFrom <= dataBytes + n * RUN_GAP_BYTES) {
      // Lines one after the other (a separator between): the whole span as the block, as it is
      // in a buffer given away (no allocation, no copy), else copied once.
      if (lines.owned === true) {
        block = buf.subarray(spanFrom, spanTo);
      } else {
        block = Buffer.allocUnsafeSlow(spanTo - spanFrom);
        buf.copy(block, 0, spanFrom, spanTo);
      }
      for (let i = from, j = 0; i < to; i++, j++) {
        runStarts[j] = starts[i]! - spanFrom;
        runEnds[j] = ends[i]! - spanFrom;
      }
    } else {
      block = Buffer.allocUnsafeSlow(dataBytes);
      let at = 0;
      for (let i = from, j = 0; i < to; i++, j++) {
        runStarts[j] = at;
        at += buf.copy(block, at, starts[i], ends[i]);
        runEnds[j] = at;
      }
    }
    const seq = this.seq + 1;
    this.seq += n;
    this.ledger.accepted(bytes, n);
    const run = { block, starts: runStarts, ends: runEnds, keys, firstKey, from: 0, to: n };
    this.lanes.enqueue(heldRun(run, bytes, seq, this.clock.now(), onSettled));
    const o = this.options;
    return o.whenFull === WhenFull.BLOCK && this.ledger.counters.bufferedBytes >= o.maxBufferBytes;
  }

  /** Lines that all fit the record limit, as one run; true when the buffer is now full. */
  private acceptRun(
    lines: LineRange,
    partitionKey: string,
    keyBytes: number,
    onSettled: SettleCallback | undefined,
  ): boolean {
    const { starts, ends, from, to } = lines;
    let bytes = 0;
    for (let i = from; i < to; i++) bytes += ends[i]! - starts[i]! + keyBytes;
    const firstSeq = this.seq + 1;
    this.seq += to - from;
    this.ledger.accepted(bytes, to - from);
    const firstPutAtMs = this.clock.now();
    this.router.placeRun({ ...lines, partitionKey, keyBytes, firstSeq, firstPutAtMs, onSettled });
    const o = this.options;
    return o.whenFull === WhenFull.BLOCK && this.ledger.counters.bufferedBytes >= o.maxBufferBytes;
  }

  /** Applies `whenFull`; false when the new record must be dropped. */
  private makeRoom(bytes: number): boolean {
    const limit = this.options.maxBufferBytes;
    const counters = this.ledger.counters;
    if (counters.bufferedBytes + bytes <= limit) return true;
    switch (this.options.whenFull) {
      case WhenFull.BLOCK:
        return true;
      case WhenFull.DROP_NEWEST:
        return false;
      default: {
        // Open aggregates are sealed first so that their records can be evicted too.
        this.router.sealAggregates(this.clock.now(), true);
        while (counters.bufferedBytes + bytes > limit) {
          const oldest = this.lanes.evictOldest();
          if (oldest === undefined) break; // everything left is in flight
          this.ledger.settleDropped([oldest], DropReasons.BUFFER_FULL);
        }
        return counters.bufferedBytes + bytes <= limit;
      }
    }
  }
}

/**
 * Bytes between consecutive lines (a separator, `\r\n`) up to which a run's lines are copied
 * as one span, gaps included, instead of one by one.
 */
const RUN_GAP_BYTES = 2;

/** A Buffer over `bytes` without copying them. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
