/*
 *   shard 0 ──read──▶ [page page] ─┐
 *   shard 1 ──read──▶ [page page] ─┼─▶ consumer: all of shard 0, then all of shard 1, …
 *   shard 2 ──read──▶ [page]      ─┘
 *   (up to `concurrency` shards read ahead, each holding ≤ `bufferedPages` pages)
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
} as const;

/** One step of reading a list of shards in order. */
export type OrderedReadStep =
  | { readonly type: 'page'; readonly shardId: string; readonly records: readonly StreamRecord[] }
  | { readonly type: 'end'; readonly shardId: string; readonly end: ShardReadEnd };

class Prefetcher {
  private readonly queue: ShardReadStep[] = [];
  private failure: { err: unknown } | undefined;
  private finished = false;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;

  constructor(
    private readonly steps: AsyncGenerator<ShardReadStep, void, undefined>,
    private readonly bufferedPages: number,
  ) {
    this.run().catch((err: unknown) => {
      this.failure = { err };
      this.wakeConsumer?.();
    });
  }

  private async run(): Promise<void> {
    for await (const step of this.steps) {
      this.queue.push(step);
      this.wakeConsumer?.();
      while (this.queue.length >= this.bufferedPages && !this.finished) {
        await new Promise<void>((resolve) => (this.wakeProducer = resolve));
      }
      if (this.finished) return;
    }
  }

  async next(): Promise<ShardReadStep> {
    for (;;) {
      const step = this.queue.shift();
      if (step !== undefined) {
        this.wakeProducer?.();
        return step;
      }
      if (this.failure !== undefined) throw this.failure.err;
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    }
  }

  /** Stops reading ahead (the consumer gave up). */
  async cancel(): Promise<void> {
    this.finished = true;
    this.wakeProducer?.();
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
  options: ShardReadOptions & { concurrency?: number; bufferedPages?: number },
): AsyncGenerator<OrderedReadStep, void, undefined> {
  const concurrency = options.concurrency ?? ReadShardsDefaults.CONCURRENCY;
  const bufferedPages = options.bufferedPages ?? ReadShardsDefaults.BUFFERED_PAGES;
  const started: Prefetcher[] = [];
  const startUpTo = (index: number): void => {
    while (started.length < Math.min(plans.length, index + 1)) {
      started.push(
        new Prefetcher(readShard(source, plans[started.length]!, options), bufferedPages),
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
