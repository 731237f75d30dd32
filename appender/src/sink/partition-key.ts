import { randomBytes } from 'node:crypto';
import { KinesisLimits } from '@kinlog/core';

/**
 * How the partition key of a record is chosen: `'random'` spreads records evenly over shards;
 * `{ field }` keeps events with the same field value in order on one shard; a function decides
 * itself. Keys are cut to 256 characters; an empty or missing key falls back to a random one.
 *
 * @example
 * ```ts
 * new KinesisSink({ streamName: 'logs', partitionKey: { field: 'requestId' } });
 * ```
 */
export type PartitionKeyPolicy = 'random' | { field: string } | ((event: unknown) => unknown);

/** Makes the key function for a policy. */
export function partitionKeyFunction(policy: PartitionKeyPolicy): (event: unknown) => string {
  const random = randomKeys();
  if (policy === 'random') return random;
  const pick =
    typeof policy === 'function'
      ? policy
      : (event: unknown) => fieldPartitionKey(event, policy.field);
  return (event) => {
    let key: unknown;
    try {
      key = pick(event);
    } catch {
      key = undefined;
    }
    return normalizePartitionKey(key) ?? random();
  };
}

/**
 * Turns any value into a valid partition key (1 to 256 characters), or undefined when it has
 * none. Numbers and booleans are stringified; longer keys are cut at a code point boundary.
 *
 * @example
 * ```ts
 * normalizePartitionKey('x'.repeat(300))?.length; // 256
 * ```
 */
export function normalizePartitionKey(key: unknown): string | undefined {
  let text: string;
  if (typeof key === 'string') text = key;
  else if (typeof key === 'number' || typeof key === 'boolean' || typeof key === 'bigint') {
    text = String(key);
  } else return undefined;
  if (text.length < KinesisLimits.MIN_PARTITION_KEY_CHARS) return undefined;
  if (text.length <= KinesisLimits.MAX_PARTITION_KEY_CHARS) return text;
  return Array.from(text).slice(0, KinesisLimits.MAX_PARTITION_KEY_CHARS).join('');
}

/**
 * The partition key of a `{ field }` policy: the field's value as {@link normalizePartitionKey}
 * makes it a key, or undefined (a random key then) when the event has no usable value. The one
 * place the transports and the daemon read a key from a field.
 *
 * @example
 * ```ts
 * fieldPartitionKey({ requestId: 42 }, 'requestId'); // '42'
 * ```
 */
export function fieldPartitionKey(event: unknown, field: string): string | undefined {
  if (event === null || typeof event !== 'object') return undefined;
  return normalizePartitionKey((event as Record<string, unknown>)[field]);
}

/**
 * Distinct keys from a random per-sink prefix and a counter: Kinesis MD5-hashes the key, so
 * consecutive keys land uniformly on shards without paying for randomness per record.
 */
function randomKeys(): () => string {
  const prefix = randomBytes(6).toString('base64url');
  let counter = 0;
  return () => prefix + (counter++).toString(36);
}
