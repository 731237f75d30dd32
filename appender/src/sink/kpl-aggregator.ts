import { KplAggregateBuilder } from '@kinlog/core';
import { plainRecord, type HeldRecord, type UserRecord } from './held-record.js';

interface OpenAggregate {
  builder: KplAggregateBuilder;
  users: UserRecord[];
}

/**
 * One open KPL aggregate per predicted shard. User records of different shards are never mixed,
 * so an aggregate lands on the shard each of its user records' keys maps to (as long as the
 * shard map is current). An aggregate is sealed when the next record would pass
 * `maxAggregateBytes`, when it is due, or on flush; a lone record goes out plain.
 *
 * @example
 * ```ts
 * const agg = new KplAggregator(50 * 1024);
 * for (const sealed of agg.add(user, 'shardId-000000000001')) lanes.enqueue(sealed);
 * ```
 */
export class KplAggregator {
  private readonly open = new Map<string, OpenAggregate>();

  constructor(private readonly maxAggregateBytes: number) {}

  /** Adds a user record; returns what this sealed (nothing, the previous aggregate, or the record itself when it is too big to aggregate). */
  add(user: UserRecord, shardId: string): HeldRecord[] {
    const probe = new KplAggregateBuilder();
    if (probe.sizeWith(user.partitionKey, user.data) > this.maxAggregateBytes) {
      return [plainRecord(user, shardId)];
    }
    const sealed: HeldRecord[] = [];
    let agg = this.open.get(shardId);
    if (
      agg !== undefined &&
      agg.builder.sizeWith(user.partitionKey, user.data) > this.maxAggregateBytes
    ) {
      sealed.push(seal(agg, shardId));
      agg = undefined;
    }
    if (agg === undefined) {
      agg = { builder: new KplAggregateBuilder(), users: [] };
      this.open.set(shardId, agg);
    }
    agg.builder.add(user.partitionKey, user.data);
    agg.users.push(user);
    return sealed;
  }

  /** Seals aggregates whose oldest record waited `flushIntervalMs` (all of them with `force`). */
  seal(nowMs: number, flushIntervalMs: number, force: boolean): HeldRecord[] {
    const sealed: HeldRecord[] = [];
    for (const [shardId, agg] of this.open) {
      if (force || nowMs - agg.users[0]!.firstPutAtMs >= flushIntervalMs) {
        sealed.push(seal(agg, shardId));
        this.open.delete(shardId);
      }
    }
    return sealed;
  }

  /** When the oldest open aggregate becomes due, or Infinity. */
  nextDueMs(flushIntervalMs: number): number {
    let next = Infinity;
    for (const agg of this.open.values())
      next = Math.min(next, agg.users[0]!.firstPutAtMs + flushIntervalMs);
    return next;
  }

  /** Removes and returns the user records of open aggregates whose shard `keep` rejects. */
  release(keep: (shardId: string) => boolean): UserRecord[] {
    const out: UserRecord[] = [];
    for (const [shardId, agg] of this.open) {
      if (keep(shardId)) continue;
      for (const item of agg.users) out.push(item);
      this.open.delete(shardId);
    }
    return out;
  }

  lowestSeq(): number {
    let lowest = Infinity;
    for (const agg of this.open.values()) lowest = Math.min(lowest, agg.users[0]!.seq);
    return lowest;
  }
}

function seal(agg: OpenAggregate, shardId: string): HeldRecord {
  const first = agg.users[0]!;
  if (agg.users.length === 1) return plainRecord(first, shardId);
  const data = agg.builder.build();
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
  };
}
