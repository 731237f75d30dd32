/*
 *   shard 0 ──read──▶ [page page] ─┐
 *   shard 1 ──read──▶ [page page] ─┼─▶ consumer: all of shard 0, then all of shard 1, …
 *   shard 2 ──read──▶ [page]      ─┘
 *   (up to `concurrency` shards read ahead, each holding ≤ `bufferedPages` pages; shards
 *    other than the one being consumed start no read while the pages held weigh
 *    ≥ `maxPrefetchBytes`, so the budget is exceeded by at most one page per shard)
 *
 * Shards are read in parallel but consumed in plan order, so aggregation sees records in the
 * same order on every run: a rerun of a window produces a byte-identical report.
 */
import type { ShardSource } from './kinesis-shard-source.js';
import type { StreamRecord } from './shard-info.js';
import {
  readShard,
  type ShardReadEnd,
  type ShardReadOptions,
  type ShardReadPlan,
  type ShardReadStep,
} from './shard-reader.js';

/** Bounds of {@link readShardsInOrder}. */
export const ReadShardsDefaults = {
  CONCURRENCY: 8,
  BUFFERED_PAGES: 2,
  /**
   * Weight of the pages held ahead of the consumer, over all shards: a page holds up to
   * 10,000 records of up to 10 MiB, so counting pages alone would allow 8 × 2 × 10 MiB.
   */
  MAX_PREFETCH_BYTES: 16 * 1024 * 1024,
  /** Weight of a record besides its data: its object, sequence number string and byte view. */
  RECORD_OVERHEAD_BYTES: 256,
} as const;

/** What a page weighs against `maxPrefetchBytes`. */
export function pageWeightBytes(records: readonly StreamRecord[]): number {
  let bytes = 0;
  for (const record of records) {
    bytes += record.data.byteLength + ReadShardsDefaults.RECORD_OVERHEAD_BYTES;
  }
  return bytes;
}

/** Bytes of pages held by all prefetchers of one read, and the readers waiting for room. */
class PrefetchBudget {
  heldBytes = 0;
  private waiting: (() => void)[] = [];

  constructor(readonly maxBytes: number) {}

  get full(): boolean {
    return this.heldBytes >= this.maxBytes;
  }

  take(bytes: number): void {
    this.heldBytes += bytes;
  }

  release(bytes: number): void {
    this.heldBytes -= bytes;
    this.wakeAll();
  }

  wait(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  wakeAll(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }
}

/** One step of reading a list of shards in order. */
export type OrderedReadStep =
  | { readonly type: 'page'; readonly shardId: string; readonly records: readonly StreamRecord[] }
  | { readonly type: 'end'; readonly shardId: string; readonly end: ShardReadEnd };

class Prefetcher {
  private readonly queue: { step: ShardReadStep; bytes: number }[] = [];
  /** Set once the consumer reads this shard: from then on it reads regardless of the budget. */
  private consumed = false;
  private failure: { err: unknown } | undefined;
  private finished = false;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;

  constructor(
    private readonly steps: AsyncGenerator<ShardReadStep, void, undefined>,
    private readonly bufferedPages: number,
    private readonly budget: PrefetchBudget,
  ) {
    this.run().catch((err: unknown) => {
      this.failure = { err };
      this.wakeConsumer?.();
    });
  }

  private async run(): Promise<void> {
    // Pulling the next step is what starts a GetRecords call, so the waits come first.
    await this.roomForNext();
    if (this.finished) return;
    for await (const step of this.steps) {
      const bytes = step.type === 'page' ? pageWeightBytes(step.records) : 0;
      this.budget.take(bytes);
      this.queue.push({ step, bytes });
      this.wakeConsumer?.();
      await this.roomForNext();
      if (this.finished) return;
    }
  }

  private async roomForNext(): Promise<void> {
    for (;;) {
      if (this.finished) return;
      if (this.queue.length >= this.bufferedPages) {
        await new Promise<void>((resolve) => (this.wakeProducer = resolve));
      } else if (!this.consumed && this.budget.full) {
        await this.budget.wait();
      } else {
        return;
      }
    }
  }

  async next(): Promise<ShardReadStep> {
    if (!this.consumed) {
      this.consumed = true;
      this.budget.wakeAll();
    }
    for (;;) {
      const held = this.queue.shift();
      if (held !== undefined) {
        this.budget.release(held.bytes);
        this.wakeProducer?.();
        return held.step;
      }
      if (this.failure !== undefined) throw this.failure.err;
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    }
  }

  /** Stops reading ahead (the consumer gave up). */
  async cancel(): Promise<void> {
    this.finished = true;
    for (const held of this.queue.splice(0)) this.budget.release(held.bytes);
    this.wakeProducer?.();
    this.budget.wakeAll();
    await this.steps.return(undefined).catch(() => undefined);
  }
}

/**
 * Reads every planned shard, yielding each shard's pages and end in plan order.
 *
 * @example
 * ```ts
 * for await (const step of readShardsInOrder(source, plans, { stream: 'logs' })) {
 *   if (step.type === 'end') windows.push({ shardId: step.shardId, ...step.end });
 * }
 * ```
 */
export async function* readShardsInOrder(
  source: ShardSource,
  plans: readonly ShardReadPlan[],
  options: ShardReadOptions & {
    concurrency?: number;
    bufferedPages?: number;
    maxPrefetchBytes?: number;
  },
): AsyncGenerator<OrderedReadStep, void, undefined> {
  const concurrency = options.concurrency ?? ReadShardsDefaults.CONCURRENCY;
  const bufferedPages = options.bufferedPages ?? ReadShardsDefaults.BUFFERED_PAGES;
  const maxPrefetchBytes = options.maxPrefetchBytes ?? ReadShardsDefaults.MAX_PREFETCH_BYTES;
  if (!Number.isSafeInteger(maxPrefetchBytes) || maxPrefetchBytes < 0) {
    throw new RangeError(
      `maxPrefetchBytes must be a non-negative integer, got ${String(maxPrefetchBytes)}`,
    );
  }
  const budget = new PrefetchBudget(maxPrefetchBytes);
  const started: Prefetcher[] = [];
  const startUpTo = (index: number): void => {
    while (started.length < Math.min(plans.length, index + 1)) {
      started.push(
        new Prefetcher(readShard(source, plans[started.length]!, options), bufferedPages, budget),
      );
    }
  };
  let current = 0;
  try {
    for (; current < plans.length; current++) {
      startUpTo(current + concurrency - 1);
      const prefetcher = started[current]!;
      const shardId = plans[current]!.shardId;
      for (;;) {
        const step = await prefetcher.next();
        if (step.type === 'page') {
          yield { type: 'page', shardId, records: step.records };
        } else {
          yield { type: 'end', shardId, end: step.end };
          break;
        }
      }
    }
  } finally {
    await Promise.all(started.slice(current).map((p) => p.cancel()));
  }
}
