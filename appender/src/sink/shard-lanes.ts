/**
 * Where held records wait: one lane per predicted shard (one lane in all when records are not
 * routed per shard). A lane has its fresh FIFO, its retry list and, when pacing is on, the
 * shard's token bucket. Batches take from lanes in turn, so one hot shard cannot starve the
 * others, and a paced lane simply gives nothing until its bucket refills.
 *
 *   lane shard-0: [retry ready] [fresh ...] ─┐
 *   lane shard-1: [fresh ...] ───────────────┼─► batch (≤ maxBatchRecords, ≤ maxBatchBytes)
 *   lane shard-2: (bucket empty: skipped) ───┘
 *
 * A held run of plain records (plain-run.ts, only in the lane of records not routed) counts
 * as its records; a batch takes it whole or splits it at its limits.
 */
import type { HeldRecord } from './held-record.js';
import { fittingRecords, plainCount, singleOf, splitRun, type HeldRun } from './plain-run.js';
import { RecordQueue } from './record-queue.js';
import type { TokenBucket } from './token-bucket.js';

/** The lane of records not routed per shard. */
export const ANY_SHARD = '*';

class Lane {
  readonly fresh = new RecordQueue<HeldRecord>();
  freshBytes = 0;
  retry: HeldRecord[] = [];
  constructor(
    readonly shardId: string,
    readonly bucket: TokenBucket | undefined,
  ) {}
}

/** What a batch being filled holds so far (a run counts as its records). */
interface BatchState {
  bytes: number;
  records: number;
}

/** Batch limits the lanes fill batches to. */
export interface LaneLimits {
  maxBatchRecords: number;
  maxBatchBytes: number;
  flushIntervalMs: number;
}

/**
 * Per-shard queues of held records with fair, paced batch taking.
 *
 * @example
 * ```ts
 * const lanes = new ShardLanes({ maxBatchRecords: 500, maxBatchBytes: 5 << 20, flushIntervalMs: 1000 });
 * lanes.enqueue(record);
 * const batch = lanes.takeBatch(Date.now(), true);
 * ```
 */
export class ShardLanes {
  private readonly lanes = new Map<string, Lane>();
  private cursor = 0;
  private freshRecords = 0;
  private freshBytesTotal = 0;
  private retryRecords = 0;

  constructor(
    private readonly limits: LaneLimits,
    private readonly makeBucket?: () => TokenBucket,
  ) {}

  get freshCount(): number {
    return this.freshRecords;
  }

  get retryCount(): number {
    return this.retryRecords;
  }

  enqueue(r: HeldRecord): void {
    const lane = this.lane(r.shardId);
    lane.fresh.push(r);
    lane.freshBytes += r.bytes;
    this.freshRecords += plainCount(r);
    this.freshBytesTotal += r.bytes;
  }

  retryLater(r: HeldRecord): void {
    this.lane(r.shardId).retry.push(r);
    this.retryRecords++;
  }

  /** Whether fresh records, with the retries waiting to rejoin them, fill a batch. */
  get batchFull(): boolean {
    return this.freshFull || this.freshRecords + this.retryRecords >= this.limits.maxBatchRecords;
  }

  private get freshFull(): boolean {
    return (
      this.freshRecords >= this.limits.maxBatchRecords ||
      this.freshBytesTotal >= this.limits.maxBatchBytes
    );
  }

  /**
   * The next batch, or undefined when nothing is due: a batch is due when fresh records fill
   * it, when the oldest fresh record waited `flushIntervalMs`, when `force` (flush, close) says
   * so, or when retries whose backoff ended fill it with the fresh records or waited
   * `flushIntervalMs` past their backoff. Retries rejoin full batches instead of going out in
   * small requests of their own (with 10 % of entries failing, about 50 per request).
   */
  takeBatch(nowMs: number, force: boolean): HeldRecord[] | undefined {
    const lanes = [...this.lanes.values()];
    if (lanes.length === 0) return undefined;
    let retryDue = false;
    if (this.retryRecords > 0) {
      let ready = 0;
      let earliest = Infinity;
      for (const lane of lanes) {
        for (const r of lane.retry) {
          if (r.notBeforeMs > nowMs) continue;
          ready++;
          if (r.notBeforeMs < earliest) earliest = r.notBeforeMs;
        }
      }
      retryDue =
        ready > 0 &&
        (force ||
          this.freshRecords + ready >= this.limits.maxBatchRecords ||
          nowMs - earliest >= this.limits.flushIntervalMs);
    }
    const oldest = this.oldestFreshMs();
    const due =
      retryDue ||
      (oldest !== undefined &&
        (force || this.freshFull || nowMs - oldest >= this.limits.flushIntervalMs));
    if (!due) return undefined;
    const batch: HeldRecord[] = [];
    const state = { bytes: 0, records: 0 };
    const start = this.cursor++ % lanes.length;
    const rotated = [...lanes.slice(start), ...lanes.slice(0, start)];
    for (const lane of rotated)
      if (lane.retry.length > 0) this.takeRetries(lane, nowMs, batch, state);
    let progress = true;
    // Fresh records in rounds across lanes, so every shard gets a share of the batch.
    const share = Math.max(1, Math.ceil(this.limits.maxBatchRecords / rotated.length));
    while (progress && state.records < this.limits.maxBatchRecords) {
      progress = false;
      for (const lane of rotated) {
        if (this.takeFresh(lane, nowMs, batch, state, share) > 0) progress = true;
      }
    }
    return batch.length > 0 ? batch : undefined;
  }

  private fits(state: BatchState, r: HeldRecord): boolean {
    return (
      state.records + plainCount(r) <= this.limits.maxBatchRecords &&
      state.bytes + r.bytes <= this.limits.maxBatchBytes
    );
  }

  private takeRetries(lane: Lane, nowMs: number, batch: HeldRecord[], state: BatchState): void {
    const keep: HeldRecord[] = [];
    for (const r of lane.retry) {
      if (
        r.notBeforeMs <= nowMs &&
        this.fits(state, r) &&
        (lane.bucket?.tryTake(1, r.bytes, nowMs) ?? true)
      ) {
        batch.push(r);
        state.bytes += r.bytes;
        state.records++;
        this.retryRecords--;
      } else keep.push(r);
    }
    lane.retry = keep;
  }

  private takeFresh(
    lane: Lane,
    nowMs: number,
    batch: HeldRecord[],
    state: BatchState,
    share: number,
  ): number {
    let taken = 0;
    while (taken < share) {
      const next = lane.fresh.peek();
      if (next === undefined) break;
      if (!this.fits(state, next)) {
        if (next.run !== undefined) taken += this.takeRunPart(lane, next as HeldRun, batch, state);
        break;
      }
      if (lane.bucket !== undefined && !lane.bucket.tryTake(1, next.bytes, nowMs)) break;
      lane.fresh.shift();
      const n = plainCount(next);
      lane.freshBytes -= next.bytes;
      this.freshRecords -= n;
      this.freshBytesTotal -= next.bytes;
      batch.push(next);
      state.bytes += next.bytes;
      state.records += n;
      taken += n;
    }
    return taken;
  }

  /** The first records of a run that fit the batch, split off (the rest stays at the head). */
  private takeRunPart(lane: Lane, r: HeldRun, batch: HeldRecord[], state: BatchState): number {
    const fit = fittingRecords(
      r,
      this.limits.maxBatchRecords - state.records,
      this.limits.maxBatchBytes - state.bytes,
    );
    if (fit.records === 0) return 0;
    const part = splitRun(r, fit.records, fit.bytes);
    lane.freshBytes -= fit.bytes;
    this.freshRecords -= fit.records;
    this.freshBytesTotal -= fit.bytes;
    batch.push(part);
    state.bytes += fit.bytes;
    state.records += fit.records;
    return fit.records;
  }

  /**
   * When something next becomes due: a flush interval, a retry backoff or a bucket refill. With
   * `force` (a flush or close is awaited), a retry is due as soon as its backoff ends.
   */
  nextWakeMs(nowMs: number, force = false): number {
    let next = Infinity;
    const retryWaitMs = force || this.batchFull ? 0 : this.limits.flushIntervalMs;
    for (const lane of this.lanes.values()) {
      const head = lane.fresh.peek();
      if (head !== undefined) {
        // A lane out of budget wakes when its bucket refills; otherwise at its flush deadline.
        const waitMs = lane.bucket?.waitMs(1, head.bytes, nowMs) ?? 0;
        const at = waitMs > 0 ? nowMs + waitMs : head.firstPutAtMs + this.limits.flushIntervalMs;
        if (at < next) next = at;
      }
      for (const r of lane.retry) {
        // A retry waits for fresh records to fill its batch, or a flush interval at most.
        let at = r.notBeforeMs + retryWaitMs;
        if (lane.bucket !== undefined)
          at = Math.max(at, nowMs + lane.bucket.waitMs(1, r.bytes, nowMs));
        if (at < next) next = at;
      }
    }
    return next;
  }

  /** Removes the oldest record that is not in flight (to make room), fresh before retries. */
  evictOldest(): HeldRecord | undefined {
    let oldestLane: Lane | undefined;
    for (const lane of this.lanes.values()) {
      const head = lane.fresh.peek();
      if (
        head !== undefined &&
        (oldestLane === undefined || head.seq < oldestLane.fresh.peek()!.seq)
      )
        oldestLane = lane;
    }
    if (oldestLane !== undefined) {
      const head = oldestLane.fresh.peek()!;
      if (head.run !== undefined && plainCount(head) > 1) {
        // A run gives up its first record only, as records put one by one would.
        const first = singleOf(head as HeldRun, head.run.from);
        splitRun(head as HeldRun, 1, first.bytes);
        oldestLane.freshBytes -= first.bytes;
        this.freshRecords--;
        this.freshBytesTotal -= first.bytes;
        return first;
      }
      const r = oldestLane.fresh.shift()!;
      oldestLane.freshBytes -= r.bytes;
      this.freshRecords--;
      this.freshBytesTotal -= r.bytes;
      return r;
    }
    for (const lane of this.lanes.values()) {
      const r = lane.retry.shift();
      if (r !== undefined) {
        this.retryRecords--;
        return r;
      }
    }
    return undefined;
  }

  /** Removes and returns every record of the lanes `keep` rejects (all lanes by default). */
  drain(keep: (shardId: string) => boolean = () => false): HeldRecord[] {
    const out: HeldRecord[] = [];
    for (const [id, lane] of this.lanes) {
      if (keep(id)) continue;
      for (const r of lane.fresh.drain()) {
        out.push(r);
        this.freshRecords -= plainCount(r);
        this.freshBytesTotal -= r.bytes;
      }
      for (const item of lane.retry) out.push(item);
      this.retryRecords -= lane.retry.length;
      this.lanes.delete(id);
    }
    return out;
  }

  /** Lowest sequence number held in the lanes. */
  lowestSeq(): number {
    let lowest = Infinity;
    for (const lane of this.lanes.values()) {
      const head = lane.fresh.peek();
      if (head !== undefined && head.seq < lowest) lowest = head.seq;
      for (const r of lane.retry) if (r.seq < lowest) lowest = r.seq;
    }
    return lowest;
  }

  private oldestFreshMs(): number | undefined {
    let oldest: number | undefined;
    for (const lane of this.lanes.values()) {
      const head = lane.fresh.peek();
      if (head !== undefined && (oldest === undefined || head.firstPutAtMs < oldest))
        oldest = head.firstPutAtMs;
    }
    return oldest;
  }

  private lane(shardId: string | undefined): Lane {
    const id = shardId ?? ANY_SHARD;
    let lane = this.lanes.get(id);
    if (lane === undefined) {
      lane = new Lane(id, id === ANY_SHARD ? undefined : this.makeBucket?.());
      this.lanes.set(id, lane);
    }
    return lane;
  }
}
