import { createHash } from 'node:crypto';

/**
 * A shard's share of the 128-bit hash key space, both ends inclusive.
 *
 * @example
 * ```ts
 * const range: HashKeyRange = { shardId: 'shardId-000000000000', startingHashKey: 0n, endingHashKey: MAX_HASH_KEY };
 * ```
 */
export interface HashKeyRange {
  readonly shardId: string;
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
}

/**
 * Largest hash key: partition keys are MD5-hashed into [0, 2^128 − 1].
 *
 * @example
 * ```ts
 * evenHashKeyRanges(1)[0]!.endingHashKey === MAX_HASH_KEY;
 * ```
 */
export const MAX_HASH_KEY = (1n << 128n) - 1n;

/**
 * The hash key Kinesis routes an entry by: the explicit hash key when given, else the MD5 of
 * the partition key read as a 128-bit unsigned big-endian integer.
 *
 * @example
 * ```ts
 * const shard = shardIdFor(hashKeyOf('user-42'), ranges);
 * ```
 */
export function hashKeyOf(partitionKey: string, explicitHashKey?: string): bigint {
  if (explicitHashKey !== undefined) return BigInt(explicitHashKey);
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

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
