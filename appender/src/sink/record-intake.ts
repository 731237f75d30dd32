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

/** A Buffer over `bytes` without copying them. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
