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
export function partitionKeyFunction(
  policy: PartitionKeyPolicy,
  keys: SinkKeys = new SinkKeys(),
): (event: unknown) => string {
  const random = (): string => keys.next();
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
 * consecutive keys land uniformly on shards without paying for randomness per record. Keys can
 * be reserved by the run (`reserve`) and written later from their number (`keyAt`), so that
 * lines put together need no key string each while they wait.
 *
 * @example
 * ```ts
 * const keys = new SinkKeys();
 * const first = keys.reserve(3); // the next three keys: keyAt(first) … keyAt(first + 2)
 * keys.next() === keys.keyAt(first + 3); // true
 * ```
 */
export class SinkKeys {
  readonly prefix = randomBytes(6).toString('base64url');
  private counter = 0;

  /** The next key. */
  next(): string {
    return this.prefix + (this.counter++).toString(36);
  }

  /** Takes the next `n` keys; answers the number of the first. */
  reserve(n: number): number {
    const first = this.counter;
    this.counter += n;
    return first;
  }

  /** Key number `n`. */
  keyAt(n: number): string {
    return this.prefix + n.toString(36);
  }

  /** Bytes of key number `n` (ASCII: one byte a character). */
  keyBytesAt(n: number): number {
    return this.prefix.length + base36Digits(n);
  }

  /**
   * Writes key number `n` ({@link keyAt}'s text, ASCII) into `out` at `at`, without a string per
   * key; answers where it ends.
   */
  writeKeyAt(n: number, out: Uint8Array, at: number): number {
    const prefix = this.prefix;
    let o = at;
    for (let c = 0; c < prefix.length; c++) out[o++] = prefix.charCodeAt(c);
    const end = o + base36Digits(n);
    let rest = n;
    for (let d = end - 1; d >= o; d--) {
      out[d] = BASE36_DIGIT_CODES[rest % BASE_36]!;
      rest = Math.floor(rest / BASE_36);
    }
    return end;
  }
}

const BASE_36 = 36;
/** ASCII codes of the base-36 digits, as Number.prototype.toString(36) writes them. */
const BASE36_DIGIT_CODES = Uint8Array.from('0123456789abcdefghijklmnopqrstuvwxyz', (c) =>
  c.charCodeAt(0),
);

/** Digits of `n` (a non-negative integer) in base 36. */
function base36Digits(n: number): number {
  let digits = 1;
  for (let limit = BASE_36; n >= limit; limit *= BASE_36) digits++;
  return digits;
}
