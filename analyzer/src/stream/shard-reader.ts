/*
 *   getIterator(start) ─▶ GetRecords ─▶ page ─▶ … until one of:
 *        ▲     │ expired          closed (no next iterator) · caught up (empty page, 0 behind)
 *        └─────┘ from lastSeq     past endSeq (replay) · arrival after the cutoff · deadline
 *
 * Calls are paced at ≤ 5 GetRecords/s per shard; throttling backs off exponentially with jitter.
 * Only records strictly before a stop condition are handed on, so the window end is exactly the
 * last sequence number yielded.
 */
import { backoffDelayMs, KinesisLimits, sleep } from '@kinlog/core';
import { StreamReadError } from '../errors.js';
import {
  IteratorExpiredError,
  ReadThrottledError,
  type ShardSource,
} from './kinesis-shard-source.js';
import type { IteratorStart, StreamRecord } from './shard-info.js';

/** Why a shard's read stopped. */
export const StopReasons = {
  /** An empty page with nothing behind: everything written before the read is in. */
  caughtUp: 'caughtUp',
  /** The shard is closed (split or merge) and was read to its end. */
  closed: 'closed',
  /** A record arrived after the iteration began; it belongs to the next one. */
  cutoff: 'cutoff',
  /** `iterationTimeoutMs` passed; the rest goes to the next iteration. */
  timeout: 'timeout',
  /** A replay reached the stored end of its window. */
  windowEnd: 'windowEnd',
  /** Nothing to read: a closed shard finished in an earlier iteration, or an empty replay. */
  notRead: 'notRead',
} as const;
export type StopReason = (typeof StopReasons)[keyof typeof StopReasons];

/** Pacing and retry bounds of a shard read. */
export const ShardReaderDefaults = {
  MIN_CALL_INTERVAL_MS: 1000 / KinesisLimits.SHARD_READ_CALLS_PER_SECOND,
  PAGE_LIMIT: KinesisLimits.MAX_RECORDS_PER_GET,
  BACKOFF_BASE_MS: 200,
  BACKOFF_MAX_MS: 5_000,
  /** Consecutive failures (throttling or transient errors) before a read gives up. */
  MAX_CONSECUTIVE_FAILURES: 12,
  /** No retry starts this long after the first of a run of consecutive failures. */
  RETRY_BUDGET_MS: 60_000,
} as const;

/** What to read of one shard. */
export interface ShardReadPlan {
  readonly shardId: string;
  /** Exclusive start; absent = the shard's beginning (or `sinceMs`). */
  readonly startAfterSeq?: string;
  /** Inclusive end, for replays; absent = read until caught up. */
  readonly endSeq?: string;
  /** Start at this time instead of the beginning (whole-stream `--since`). */
  readonly sinceMs?: number;
}

/** How a shard read ended. */
export interface ShardReadEnd {
  readonly lastSeq: string | undefined;
  readonly records: number;
  readonly closed: boolean;
  readonly stopReason: StopReason;
}

export interface ShardReadOptions {
  readonly stream: string;
  /** Records arriving after this epoch ms are left for the next iteration. */
  readonly cutoffArrivalMs?: number;
  /** Epoch ms after which the read stops where it is. */
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
  /** Consecutive failures stop being retried this long after the first of them. */
  readonly retryBudgetMs?: number;
  readonly pageLimit?: number;
  readonly minCallIntervalMs?: number;
  /** Called with each page's MillisBehindLatest, for progress. */
  readonly onBehind?: (shardId: string, millisBehind: number) => void;
}

/** One step of a shard read: a page of records, then the end. */
export type ShardReadStep =
  | { readonly type: 'page'; readonly records: readonly StreamRecord[] }
  | { readonly type: 'end'; readonly end: ShardReadEnd };

/**
 * Reads one shard from its plan's start to a stop condition, as pages.
 *
 * @example
 * ```ts
 * for await (const step of readShard(source, { shardId }, { stream: 'logs' })) {
 *   if (step.type === 'page') count += step.records.length;
 * }
 * ```
 */
export async function* readShard(
  source: ShardSource,
  plan: ShardReadPlan,
  options: ShardReadOptions,
): AsyncGenerator<ShardReadStep, void, undefined> {
  const { stream, signal } = options;
  const pageLimit = options.pageLimit ?? ShardReaderDefaults.PAGE_LIMIT;
  const minInterval = options.minCallIntervalMs ?? ShardReaderDefaults.MIN_CALL_INTERVAL_MS;
  const endSeq = plan.endSeq === undefined ? undefined : BigInt(plan.endSeq);
  let lastSeq = plan.startAfterSeq;
  let records = 0;
  const finish = (stopReason: StopReason, closed = false): ShardReadStep => ({
    type: 'end',
    end: { lastSeq, records, closed, stopReason },
  });
  if (endSeq !== undefined && lastSeq !== undefined && BigInt(lastSeq) >= endSeq) {
    yield finish(StopReasons.notRead);
    return;
  }

  const startOf = (): IteratorStart =>
    lastSeq !== undefined
      ? { type: 'afterSequenceNumber', sequenceNumber: lastSeq }
      : plan.sinceMs !== undefined
        ? { type: 'atTimestamp', timestampMs: plan.sinceMs }
        : { type: 'trimHorizon' };

  const retryBudgetMs = options.retryBudgetMs ?? ShardReaderDefaults.RETRY_BUDGET_MS;
  let failures = 0;
  let failingSinceMs = 0;
  const backoff = async (err: unknown): Promise<void> => {
    if (failures === 0) failingSinceMs = Date.now();
    failures++;
    const waitMs = backoffDelayMs(failures - 1, {
      baseMs: ShardReaderDefaults.BACKOFF_BASE_MS,
      maxMs: ShardReaderDefaults.BACKOFF_MAX_MS,
    });
    if (
      failures > ShardReaderDefaults.MAX_CONSECUTIVE_FAILURES ||
      Date.now() + waitMs - failingSinceMs > retryBudgetMs
    )
      throw err;
    await sleep(waitMs, signal);
  };

  let iterator: string | undefined;
  let lastCallAt = 0;
  for (;;) {
    signal?.throwIfAborted();
    if (options.deadlineMs !== undefined && Date.now() >= options.deadlineMs) {
      yield finish(StopReasons.timeout);
      return;
    }
    try {
      iterator ??= await source.getIterator(stream, plan.shardId, startOf());
      const wait = lastCallAt + minInterval - Date.now();
      if (wait > 0) await sleep(wait, signal);
      lastCallAt = Date.now();
      const page = await source.getRecords(iterator, pageLimit);
      failures = 0;
      if (page.millisBehindLatest !== undefined)
        options.onBehind?.(plan.shardId, page.millisBehindLatest);

      let taken = page.records.length;
      let stop: StopReason | undefined;
      for (let i = 0; i < page.records.length; i++) {
        const record = page.records[i]!;
        if (endSeq !== undefined && BigInt(record.sequenceNumber) > endSeq) {
          taken = i;
          stop = StopReasons.windowEnd;
          break;
        }
        if (options.cutoffArrivalMs !== undefined && record.arrivalMs > options.cutoffArrivalMs) {
          taken = i;
          stop = StopReasons.cutoff;
          break;
        }
      }
      const batch = taken === page.records.length ? page.records : page.records.slice(0, taken);
      if (batch.length > 0) {
        lastSeq = batch[batch.length - 1]!.sequenceNumber;
        records += batch.length;
        yield { type: 'page', records: batch };
      }
      if (stop !== undefined) {
        yield finish(stop);
        return;
      }
      if (endSeq !== undefined && lastSeq !== undefined && BigInt(lastSeq) === endSeq) {
        yield finish(StopReasons.windowEnd);
        return;
      }
      if (page.nextIterator === undefined) {
        yield finish(StopReasons.closed, true);
        return;
      }
      if (page.records.length === 0 && (page.millisBehindLatest ?? 0) === 0) {
        yield finish(StopReasons.caughtUp);
        return;
      }
      iterator = page.nextIterator;
    } catch (err) {
      if (err instanceof IteratorExpiredError) {
        iterator = undefined;
        continue;
      }
      if (err instanceof ReadThrottledError || (err instanceof StreamReadError && err.retryable)) {
        iterator = err instanceof ReadThrottledError ? iterator : undefined;
        await backoff(err);
        continue;
      }
      throw err;
    }
  }
}
