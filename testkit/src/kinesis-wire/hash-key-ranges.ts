import { MAX_HASH_KEY, type ShardHashRange } from '@kinlog/core';

export { hashKeyOf, MAX_HASH_KEY } from '@kinlog/core';

/**
 * A shard's share of the 128-bit hash key space, both ends inclusive.
 *
 * @example
 * ```ts
 * const range: HashKeyRange = { shardId: 'shardId-000000000000', startingHashKey: 0n, endingHashKey: MAX_HASH_KEY };
 * ```
 */
export type HashKeyRange = ShardHashRange;

/**
 * The shard whose range holds `hashKey`, or `undefined` if no range does.
 *
 * @example
 * ```ts
 * shardIdFor(hashKeyOf('user-42'), evenHashKeyRanges(4)); // 'shardId-00000000000k'
 * ```
 */
export function shardIdFor(hashKey: bigint, ranges: readonly HashKeyRange[]): string | undefined {
  for (const range of ranges) {
    if (hashKey >= range.startingHashKey && hashKey <= range.endingHashKey) return range.shardId;
  }
  return undefined;
}

/**
 * Shard id in the AWS spelling, e.g. `shardId-000000000003`.
 *
 * @example
 * ```ts
 * shardIdOf(3) === 'shardId-000000000003';
 * ```
 */
export function shardIdOf(index: number): string {
  return `shardId-${String(index).padStart(12, '0')}`;
}

/**
 * Splits the hash key space evenly, as CreateStream does for a new stream.
 *
 * @example
 * ```ts
 * evenHashKeyRanges(2)[1]!.startingHashKey === 1n << 127n;
 * ```
 */
export function evenHashKeyRanges(shardCount: number): HashKeyRange[] {
  const width = (MAX_HASH_KEY + 1n) / BigInt(shardCount);
  return Array.from({ length: shardCount }, (_, i) => ({
    shardId: shardIdOf(i),
    startingHashKey: width * BigInt(i),
    endingHashKey: i === shardCount - 1 ? MAX_HASH_KEY : width * BigInt(i + 1) - 1n,
  }));
}
