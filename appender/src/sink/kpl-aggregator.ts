/**
 * Open KPL aggregates, per shard and kind:
 *
 *   caller's keys (exact routing) ─► keyed aggregate of shard S: keys in a table, MD5-routed
 *   sink's own random keys ───────► one-key aggregate of shard S: one key and S's explicit
 *                                   hash key for all, nothing hashed per record
 *
 * Records of different shards are never mixed. An aggregate is sealed when the next record
 * would pass `maxAggregateBytes`, when it is due, or on flush; a lone record goes out plain.
 */
import {
  KplAggregateBuilder,
  KplAggregateFormat,
  lengthDelimitedSize,
  varintSize,
} from '@kinlog/core';
import { plainRecord, type HeldRecord, type UserRecord } from './held-record.js';
import { expandRun, type LineRun } from './line-run.js';
import { OneKeyAggregate, recordBytes } from './one-key-aggregate.js';

interface OpenAggregate {
  builder: KplAggregateBuilder | OneKeyAggregate;
  users: UserRecord[];
}

/** Where a record of the sink's own key goes: a shard and its explicit hash key. */
export interface ShardTarget {
  shardId: string;
  explicitHashKey: string;
  hashKey: bigint;
}

const FRAMING_BYTES = KplAggregateFormat.MAGIC.length + KplAggregateFormat.DIGEST_BYTES;

/**
 * Bytes of one-key aggregate buffers kept for reuse once their aggregate was acknowledged (at
 * least one buffer): a request's worth of aggregates at the default size, so a busy sink writes
 * new aggregates into the buffers of those just acknowledged instead of allocating each.
 */
export const SPARE_AGGREGATE_BYTES = 2 * 1024 * 1024;

/**
 * One open KPL aggregate per shard and kind.
 *
 * @example
 * ```ts
 * const agg = new KplAggregator(50 * 1024);
 * for (const sealed of agg.add(user, 'shardId-000000000001')) lanes.enqueue(sealed);
 * ```
 */
export class KplAggregator {
  private readonly open = new Map<string, OpenAggregate>();
  private readonly openAnywhere = new Map<string, OpenAggregate>();
  /** One-key aggregate buffers free for reuse, each of maxAggregateBytes. */
  private readonly spares: Buffer[] = [];
  private readonly maxSpares: number;

  constructor(private readonly maxAggregateBytes: number) {
    this.maxSpares = Math.max(1, Math.floor(SPARE_AGGREGATE_BYTES / maxAggregateBytes));
  }

  /** Buffers kept for reuse now. */
  get spareCount(): number {
    return this.spares.length;
  }

  /**
   * An acknowledged record whose bytes nothing uses any more (all of its user records settled,
   * none routed again): its aggregate buffer, if it has one, is reused for a later aggregate.
   */
  recycle(record: HeldRecord): void {
    const buffer = record.pooled;
    if (buffer === undefined) return;
    record.pooled = undefined;
    record.data = EMPTY;
    this.keepSpare(buffer);
  }

  private keepSpare(buffer: Buffer): void {
    // Only a buffer of its own (never a slice of Node's shared pool) of the usual size.
    if (
      buffer.length !== this.maxAggregateBytes ||
      buffer.byteOffset !== 0 ||
      buffer.buffer.byteLength !== buffer.length ||
      this.spares.length >= this.maxSpares
    )
      return;
    this.spares.push(buffer);
  }

  private newOneKey(partitionKey: string, explicitHashKey: string): OneKeyAggregate {
    // A buffer of its own even when small (never a slice of Node's shared pool), so that it can
    // be reused.
    const spare = this.spares.pop() ?? Buffer.allocUnsafeSlow(this.maxAggregateBytes);
    return new OneKeyAggregate(partitionKey, explicitHashKey, this.maxAggregateBytes, spare);
  }

  /**
   * Adds a user record with a caller's key, routed to `shardId`; returns what this sealed
   * (nothing, the previous aggregate, or the record itself when it is too big to aggregate).
   */
  add(user: UserRecord, shardId: string): HeldRecord[] {
    const keyBytes = Buffer.byteLength(user.partitionKey);
    const lone =
      FRAMING_BYTES +
      lengthDelimitedSize(keyBytes) +
      lengthDelimitedSize(1 + varintSize(0) + lengthDelimitedSize(user.data.length));
    if (lone > this.maxAggregateBytes) return [plainRecord(user, shardId)];
    const sealed: HeldRecord[] = [];
    let agg = this.open.get(shardId);
    if (
      agg !== undefined &&
      (agg.builder as KplAggregateBuilder).sizeWith(user.partitionKey, user.data) >
        this.maxAggregateBytes
    ) {
      sealed.push(this.sealOne(agg, shardId));
      agg = undefined;
    }
    if (agg === undefined) {
      agg = { builder: new KplAggregateBuilder(), users: [] };
      this.open.set(shardId, agg);
    }
    (agg.builder as KplAggregateBuilder).add(user.partitionKey, user.data);
    agg.users.push(user);
    return sealed;
  }

  /**
   * Adds a user record of the sink's own key to `target`'s one-key aggregate; returns the
   * sealed aggregate when this one was full (the caller may move on to another shard), or the
   * record itself, plain, when it is too big to aggregate.
   */
  addAnywhere(user: UserRecord, target: ShardTarget): HeldRecord | undefined {
    const id = target.shardId;
    const dataBytes = user.data.length;
    const lone = OneKeyAggregate.loneSize(
      user.bytes - dataBytes,
      target.explicitHashKey.length,
      dataBytes,
    );
    if (lone > this.maxAggregateBytes) return plainRecord(user, id, target.explicitHashKey);
    let sealed: HeldRecord | undefined;
    let agg = this.openAnywhere.get(id);
    if (
      agg !== undefined &&
      (agg.builder as OneKeyAggregate).sizeWith(dataBytes) > this.maxAggregateBytes
    ) {
      sealed = this.sealOne(agg, id);
      agg = undefined;
    }
    if (agg === undefined) {
      agg = {
        builder: this.newOneKey(user.partitionKey, target.explicitHashKey),
        users: [],
      };
      this.openAnywhere.set(id, agg);
    }
    // The record's bytes now live in the aggregate: hold that copy, not the caller's range.
    user.data = (agg.builder as OneKeyAggregate).add(user.data);
    agg.users.push(user);
    return sealed;
  }

  /**
   * Adds a run of lines of the sink's own key exactly as the router's placing adds them one by
   * one (fill `targets[at]`'s one-key aggregate, then the next shard's; a line too big to
   * aggregate goes out plain), but each aggregate gets one user record for the lines it took:
   * nothing is made per line. Sealed aggregates and plain lines go to `out`, in order; answers
   * the index of the target to go on with.
   */
  addRunAnywhere(
    run: LineRun,
    targets: readonly ShardTarget[],
    at: number,
    out: HeldRecord[],
  ): number {
    const max = this.maxAggregateBytes;
    const { buf, starts, ends, keyBytes } = run;
    let next = at;
    let target = targets[next % targets.length]!;
    let agg = this.openAnywhere.get(target.shardId);
    let builder = agg?.builder as OneKeyAggregate | undefined;
    // The open segment: lines [segFrom, i), to be written into `agg` at its position segAt,
    // `segSize` encoded bytes; written together when the segment closes.
    let segFrom = run.from;
    let segAt = builder?.position ?? 0;
    let segSize = 0;
    let segData = 0;
    // A line's Record fits an aggregate alone only under this many encoded bytes.
    let loneRoom = max - OneKeyAggregate.loneSize(keyBytes, target.explicitHashKey.length, 0);
    const closeSegment = (i: number): void => {
      if (agg === undefined || builder === undefined || i === segFrom) return;
      const count = i - segFrom;
      builder.addRanges(buf, starts, ends, segFrom, i);
      agg.users.push({
        data: builder.viewSince(segAt),
        partitionKey: run.partitionKey,
        bytes: segData + count * keyBytes,
        hashKey: target.hashKey,
        seq: run.firstSeq + segFrom - run.from,
        firstPutAtMs: run.firstPutAtMs,
        onSettled: run.onSettled,
        randomKey: true,
        count,
      });
    };
    const restart = (i: number): void => {
      segFrom = i;
      segAt = builder?.position ?? 0;
      segSize = 0;
      segData = 0;
    };
    const sealOpen = (): void => {
      this.openAnywhere.delete(target.shardId);
      out.push(this.sealOne(agg!, target.shardId));
      agg = undefined;
      builder = undefined;
    };
    for (let i = run.from; i < run.to; i++) {
      const n = ends[i]! - starts[i]!;
      const bytes = recordBytes(n);
      // As sealIfFull, then addAnywhere: a full aggregate is sealed and the next shard's used.
      if (builder !== undefined && builder.size + segSize + bytes > max) {
        closeSegment(i);
        sealOpen();
        target = targets[++next % targets.length]!;
        agg = this.openAnywhere.get(target.shardId);
        builder = agg?.builder as OneKeyAggregate | undefined;
        loneRoom = max - OneKeyAggregate.loneSize(keyBytes, target.explicitHashKey.length, 0);
        restart(i);
      }
      if (bytes - recordBytes(0) > loneRoom) {
        closeSegment(i);
        out.push(this.plainLine(run, i, target));
        restart(i + 1);
        continue;
      }
      if (builder !== undefined && builder.size + segSize + bytes > max) {
        closeSegment(i);
        sealOpen();
      }
      if (agg === undefined) {
        builder = this.newOneKey(run.partitionKey, target.explicitHashKey);
        agg = { builder, users: [] };
        this.openAnywhere.set(target.shardId, agg);
        restart(i);
      }
      segSize += bytes;
      segData += n;
    }
    closeSegment(run.to);
    return next;
  }

  /** Line `i` of a run on its own, plain (a copy of its bytes), placed on `target`. */
  private plainLine(run: LineRun, i: number, target: ShardTarget): HeldRecord {
    const data = Buffer.from(run.buf.subarray(run.starts[i], run.ends[i]));
    const user: UserRecord = {
      data,
      partitionKey: run.partitionKey,
      bytes: data.length + run.keyBytes,
      hashKey: target.hashKey,
      seq: run.firstSeq + i - run.from,
      firstPutAtMs: run.firstPutAtMs,
      onSettled: run.onSettled,
      randomKey: true,
    };
    return plainRecord(user, target.shardId, target.explicitHashKey);
  }

  /** Seals `shardId`'s one-key aggregate if a record of `dataBytes` would not fit in it. */
  sealIfFull(shardId: string, dataBytes: number): HeldRecord | undefined {
    const agg = this.openAnywhere.get(shardId);
    if (agg === undefined) return undefined;
    if ((agg.builder as OneKeyAggregate).sizeWith(dataBytes) <= this.maxAggregateBytes)
      return undefined;
    this.openAnywhere.delete(shardId);
    return this.sealOne(agg, shardId);
  }

  /** Seals aggregates whose oldest record waited `flushIntervalMs` (all of them with `force`). */
  seal(nowMs: number, flushIntervalMs: number, force: boolean): HeldRecord[] {
    const sealed: HeldRecord[] = [];
    for (const open of [this.open, this.openAnywhere]) {
      for (const [shardId, agg] of open) {
        if (force || nowMs - agg.users[0]!.firstPutAtMs >= flushIntervalMs) {
          sealed.push(this.sealOne(agg, shardId));
          open.delete(shardId);
        }
      }
    }
    return sealed;
  }

  /** When the oldest open aggregate becomes due, or Infinity. */
  nextDueMs(flushIntervalMs: number): number {
    let next = Infinity;
    for (const open of [this.open, this.openAnywhere])
      for (const agg of open.values())
        next = Math.min(next, agg.users[0]!.firstPutAtMs + flushIntervalMs);
    return next;
  }

  /** Removes and returns the user records of open aggregates whose shard `keep` rejects. */
  release(keep: (shardId: string) => boolean): UserRecord[] {
    const out: UserRecord[] = [];
    for (const open of [this.open, this.openAnywhere]) {
      for (const [shardId, agg] of open) {
        if (keep(shardId)) continue;
        for (const item of agg.users) out.push(item);
        open.delete(shardId);
      }
    }
    return out;
  }

  lowestSeq(): number {
    let lowest = Infinity;
    for (const open of [this.open, this.openAnywhere])
      for (const agg of open.values()) lowest = Math.min(lowest, agg.users[0]!.seq);
    return lowest;
  }

  /** An open aggregate as the held record it goes out as (a lone record goes out plain). */
  private sealOne(agg: OpenAggregate, shardId: string): HeldRecord {
    let first = agg.users[0]!;
    const oneKey = agg.builder instanceof OneKeyAggregate ? agg.builder : undefined;
    const ehk = oneKey?.explicitHashKey;
    if (agg.builder.count === 1) {
      // A run of one line: the line itself.
      if (first.count !== undefined) first = expandRun(first)[0]!;
      if (oneKey !== undefined) {
        // Its bytes were a view into the aggregate's whole buffer: hold only its own.
        first.data = Buffer.from(first.data);
        this.keepSpare(oneKey.buffer);
      }
      return plainRecord(first, shardId, ehk);
    }
    const data = agg.builder.build();
    let pooled: Buffer | undefined;
    if (oneKey !== undefined) {
      for (const u of agg.users) u.data = oneKey.sealedView(u.data);
      if (oneKey.copied) this.keepSpare(oneKey.buffer);
      else pooled = oneKey.buffer;
    }
    let heldBytes = 0;
    for (const u of agg.users) heldBytes += u.bytes;
    return {
      data,
      partitionKey: first.partitionKey,
      bytes: data.length + Buffer.byteLength(first.partitionKey),
      heldBytes,
      attempts: 0,
      firstPutAtMs: first.firstPutAtMs,
      notBeforeMs: 0,
      seq: first.seq,
      shardId,
      users: agg.users,
      onSettled: undefined,
      hashKey: first.hashKey,
      explicitHashKey: ehk,
      pooled,
    };
  }
}

const EMPTY = Buffer.alloc(0);
