import { KinesisLimits } from '@kinlog/core';

/** How much budget a bucket banks: a fifth of a second, so no one-second window sees more
 * than 1.2 × the rate. */
export const TOKEN_BUCKET_BURST_SECONDS = 0.2;

/**
 * A shard's write budget: records per second and bytes per second, refilled continuously, with
 * a small burst banked. Pacing a hot shard this way keeps its puts under the limit instead of
 * collecting ProvisionedThroughputExceeded answers.
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket({ recordsPerSecond: 1000, bytesPerSecond: 1 << 20 });
 * if (bucket.tryTake(1, 2048, Date.now())) send();
 * ```
 */
export class TokenBucket {
  private records: number;
  private bytes: number;
  private lastMs: number;
  private readonly maxRecords: number;
  private readonly maxBytes: number;

  constructor(
    private readonly rate: { recordsPerSecond: number; bytesPerSecond: number },
    nowMs: number = Date.now(),
  ) {
    this.maxRecords = Math.max(1, rate.recordsPerSecond * TOKEN_BUCKET_BURST_SECONDS);
    this.maxBytes = rate.bytesPerSecond * TOKEN_BUCKET_BURST_SECONDS;
    this.records = this.maxRecords;
    this.bytes = this.maxBytes;
    this.lastMs = nowMs;
  }

  /** Takes the budget for `records`/`bytes` if it is there; false leaves the bucket as it was. */
  tryTake(records: number, bytes: number, nowMs: number): boolean {
    this.refill(nowMs);
    // A single record bigger than the whole bucket may go when the bucket is full.
    const byteCost = Math.min(bytes, this.maxBytes);
    if (this.records < records || this.bytes < byteCost) return false;
    this.records -= records;
    this.bytes -= byteCost;
    return true;
  }

  /** Milliseconds until `records`/`bytes` could be taken. */
  waitMs(records: number, bytes: number, nowMs: number): number {
    this.refill(nowMs);
    const byteCost = Math.min(bytes, this.maxBytes);
    const forRecords = ((records - this.records) / this.rate.recordsPerSecond) * 1000;
    const forBytes = ((byteCost - this.bytes) / this.rate.bytesPerSecond) * 1000;
    return Math.max(0, Math.ceil(Math.max(forRecords, forBytes)));
  }

  private refill(nowMs: number): void {
    const elapsed = nowMs - this.lastMs;
    if (elapsed <= 0) return;
    this.lastMs = nowMs;
    this.records = Math.min(
      this.maxRecords,
      this.records + (elapsed / 1000) * this.rate.recordsPerSecond,
    );
    this.bytes = Math.min(this.maxBytes, this.bytes + (elapsed / 1000) * this.rate.bytesPerSecond);
  }
}

/**
 * Makes one shard's bucket at `fraction` of the Kinesis per-shard write limits, or undefined
 * (no pacing) without a fraction.
 *
 * @example
 * ```ts
 * const makeBucket = shardBucketFactory(0.8, () => Date.now());
 * ```
 */
export function shardBucketFactory(
  fraction: number | undefined,
  now: () => number,
): (() => TokenBucket) | undefined {
  if (fraction === undefined) return undefined;
  const rate = {
    recordsPerSecond: KinesisLimits.SHARD_WRITE_RECORDS_PER_SECOND * fraction,
    bytesPerSecond: KinesisLimits.SHARD_WRITE_BYTES_PER_SECOND * fraction,
  };
  return () => new TokenBucket(rate, now());
}
