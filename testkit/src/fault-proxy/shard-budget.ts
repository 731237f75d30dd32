/** Length of one accounting window: Kinesis limits are per second. */
export const SHARD_BUDGET_WINDOW_MS = 1000;

interface Window {
  startMs: number;
  records: number;
  bytes: number;
}

/**
 * Per-shard write budget over fixed one-second windows, like the shard limits of Kinesis
 * (which AWS measures a little more smoothly). Memory is bounded by the number of shards.
 *
 * @example
 * ```ts
 * const budget = new ShardBudget(1000, 1024 * 1024);
 * if (!budget.take('shardId-000000000000', 512, Date.now())) failEntry();
 * ```
 */
export class ShardBudget {
  readonly #windows = new Map<string, Window>();

  constructor(
    private readonly recordsPerSecond: number,
    private readonly bytesPerSecond: number,
  ) {}

  /** Whether any limit is set at all. */
  get limited(): boolean {
    return Number.isFinite(this.recordsPerSecond) || Number.isFinite(this.bytesPerSecond);
  }

  /** Takes one record of `bytes` from the shard's budget; `false` (nothing taken) if over. */
  take(shardId: string, bytes: number, nowMs: number): boolean {
    const startMs = nowMs - (nowMs % SHARD_BUDGET_WINDOW_MS);
    let window = this.#windows.get(shardId);
    if (window === undefined || window.startMs !== startMs) {
      window = { startMs, records: 0, bytes: 0 };
      this.#windows.set(shardId, window);
    }
    if (window.records + 1 > this.recordsPerSecond || window.bytes + bytes > this.bytesPerSecond) {
      return false;
    }
    window.records++;
    window.bytes += bytes;
    return true;
  }
}
