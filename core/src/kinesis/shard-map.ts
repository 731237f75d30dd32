import { createHash } from 'node:crypto';

/** Largest hash key: partition keys are MD5-hashed into [0, 2^128 − 1]. */
export const MAX_HASH_KEY = (1n << 128n) - 1n;

/**
 * The 128-bit hash key Kinesis routes a record by: the explicit hash key when given, else the
 * MD5 of the partition key read as an unsigned big-endian integer.
 *
 * @example
 * ```ts
 * const shard = shardMap.shardFor(hashKeyOf('user-42'));
 * ```
 */
export function hashKeyOf(partitionKey: string, explicitHashKey?: string): bigint {
  if (explicitHashKey !== undefined) return BigInt(explicitHashKey);
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

/** One open shard's share of the hash key space, both ends inclusive. */
export interface ShardHashRange {
  readonly shardId: string;
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
}

/**
 * The open shards of a stream by hash key range: predicts the shard of a partition key, as
 * Kinesis will route it, so producers can aggregate and pace per shard.
 *
 * @example
 * ```ts
 * const map = new ShardMap([{ shardId: 'shardId-000000000000', startingHashKey: 0n, endingHashKey: MAX_HASH_KEY }]);
 * map.shardFor(hashKeyOf('a')); // 'shardId-000000000000'
 * ```
 */
export class ShardMap {
  readonly ranges: readonly ShardHashRange[];
  private readonly byId: ReadonlyMap<string, ShardHashRange>;

  constructor(ranges: readonly ShardHashRange[]) {
    this.ranges = [...ranges].sort((a, b) =>
      a.startingHashKey < b.startingHashKey ? -1 : a.startingHashKey > b.startingHashKey ? 1 : 0,
    );
    this.byId = new Map(this.ranges.map((r) => [r.shardId, r]));
  }

  /** The shard whose range holds `hashKey`; undefined only for a map with gaps. */
  shardFor(hashKey: bigint): string | undefined {
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const range = this.ranges[mid]!;
      if (hashKey < range.startingHashKey) hi = mid - 1;
      else if (hashKey > range.endingHashKey) lo = mid + 1;
      else return range.shardId;
    }
    return undefined;
  }

  has(shardId: string): boolean {
    return this.byId.has(shardId);
  }

  /** Whether `hashKey` belongs to `shardId`'s range in this map. */
  holds(shardId: string, hashKey: bigint): boolean {
    const range = this.byId.get(shardId);
    return (
      range !== undefined && hashKey >= range.startingHashKey && hashKey <= range.endingHashKey
    );
  }
}
