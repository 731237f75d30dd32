/*
 *   partials in cut order (parents before children, then shard id), keys sorted in each
 *     ─▶ k-way merge on (region, page): each key once, its parts in cut order
 *     ─▶ count = Σ counts + Σ error bounds of the bounded partials that do not list it
 *     ─▶ top-N kept as it goes (count desc, region, page): no table of every key is built
 *     ─▶ rows: signatures summed (top 5), example from the first part that has one,
 *        first/last seen min/max, change against the previous result
 *
 * The same partials give the same result whichever workers made them and in whatever order
 * they arrived: nothing depends on time or on a Map's insertion order.
 */
import { addToFilter, keyHistoryOf, KeyHistoryLimits } from '../aggregate/key-history.js';
import { hashKey } from '../aggregate/key-hash.js';
import { changeAgainst } from '../aggregate/top-n-aggregator.js';
import {
  SIGNATURES_PER_KEY,
  TopNLimits,
  type TopNResult,
  type TopNRow,
} from '../aggregate/top-n-result.js';
import type { DecodeStats } from '../decode/record-decoder.js';
import { ConfigError } from '@kinlog/core';
import type { ShardWindow } from '../stream/shard-window.js';
import { compareKeys, type PartialKey, type ShardPartial } from './shard-partial.js';

const SHARE_DECIMALS = 1e6;

/** The merge of one iteration's partials. */
export interface MergedPartials {
  readonly result: TopNResult;
  readonly window: ShardWindow[];
  readonly decode: DecodeStats;
  /** Shards whose partial was a bounded summary (the report is then within `errorBound`). */
  readonly boundedShards: string[];
}

interface Cursor {
  readonly partial: ShardPartial;
  readonly order: number;
  at: number;
}

/**
 * Merges per-shard partials, given in the cut's order, into one top-N result.
 *
 * @example
 * ```ts
 * const { result, window } = mergePartials(partials, { topN: 10, previous });
 * ```
 */
export function mergePartials(
  partials: readonly ShardPartial[],
  options: { topN?: number; previous?: TopNResult } = {},
): MergedPartials {
  const topN = options.topN ?? 10;
  if (!Number.isInteger(topN) || topN < 1 || topN > TopNLimits.MAX_TOP_N) {
    throw new ConfigError([
      { path: 'topN', message: `must be an integer from 1 to ${TopNLimits.MAX_TOP_N}` },
    ]);
  }
  const totalBound = partials.reduce((sum, p) => sum + (p.bounded ? p.errorBound : 0), 0);
  const heap: Cursor[] = [];
  partials.forEach((partial, order) => {
    if (partial.keys.length > 0) heapPush(heap, { partial, order, at: 0 });
  });

  let mergedKeys = 0;
  // What the next iteration needs to tell new keys (as TopNAggregator keeps it): every key with
  // its count while there are few, and a filter of every key either way.
  let counted: [string, string, number][] | undefined = [];
  const filter = new Uint32Array(KeyHistoryLimits.FILTER_BITS / 32);
  const top: { parts: { key: PartialKey; order: number }[]; count: number; bound: number }[] = [];
  while (heap.length > 0) {
    const first = heap[0]!;
    const key = first.partial.keys[first.at]!;
    const parts: { key: PartialKey; order: number }[] = [];
    while (heap.length > 0 && compareKeys(current(heap[0]!), key) === 0) {
      const cursor = heap[0]!;
      parts.push({ key: current(cursor), order: cursor.order });
      cursor.at++;
      if (cursor.at < cursor.partial.keys.length) siftDown(heap, 0);
      else heapPop(heap);
    }
    mergedKeys++;
    parts.sort((a, b) => a.order - b.order);
    let count = 0;
    let over = 0;
    let listedBound = 0;
    for (const { key: k, order } of parts) {
      count += k[2];
      over += k[3];
      const p = partials[order]!;
      if (p.bounded) listedBound += p.errorBound;
    }
    const missing = totalBound - listedBound;
    count += missing;
    over += missing;
    addToFilter(filter, hashKey(key[0], key[1]));
    if (counted !== undefined) {
      if (counted.length < KeyHistoryLimits.MAX_COUNTED_KEYS) counted.push([key[0], key[1], count]);
      else counted = undefined;
    }
    const entry = { parts, count, bound: over };
    if (top.length < topN || ranksBefore(entry, top[top.length - 1]!)) {
      let i = top.length;
      while (i > 0 && ranksBefore(entry, top[i - 1]!)) i--;
      top.splice(i, 0, entry);
      if (top.length > topN) top.pop();
    }
  }

  const errors5xx = sum(partials, (p) => p.errors5xx);
  const errors4xx = sum(partials, (p) => p.errors4xx);
  const errorsLevel = sum(partials, (p) => p.errorsLevel);
  const errors = errors5xx + errors4xx + errorsLevel;
  const bounded = partials.some((p) => p.bounded);
  const changeOf = changeAgainst(options.previous);
  const rows = top.map(({ parts, count, bound }): TopNRow => {
    const [region, page] = [parts[0]!.key[0], parts[0]!.key[1]];
    const signatureCounts = new Map<string, { count: number; countError: number }>();
    let example = '';
    let firstSeen = Number.NaN;
    let lastSeen = Number.NaN;
    for (const { key } of parts) {
      const detail = key[9];
      if (detail !== undefined) {
        if (example === '' && detail[0] !== '') example = detail[0];
        for (const [signature, n, error] of detail[1]) {
          const sum = signatureCounts.get(signature) ?? { count: 0, countError: 0 };
          signatureCounts.set(signature, {
            count: sum.count + n,
            countError: sum.countError + error,
          });
        }
      }
      if (key[7] !== null && !(key[7] >= firstSeen)) firstSeen = key[7];
      if (key[8] !== null && !(key[8] <= lastSeen)) lastSeen = key[8];
    }
    const signatures = [...signatureCounts]
      .map(([signature, n]) => ({ signature, ...n }))
      .sort(
        (a, b) =>
          b.count - a.count || (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0),
      )
      .slice(0, SIGNATURES_PER_KEY);
    return {
      region,
      page,
      count,
      share: errors === 0 ? 0 : Math.round((count / errors) * SHARE_DECIMALS) / SHARE_DECIMALS,
      count5xx: sum(parts, (p) => p.key[4]),
      count4xx: sum(parts, (p) => p.key[5]),
      countLevel: sum(parts, (p) => p.key[6]),
      countError: bound,
      signatures,
      example,
      firstSeen: Number.isNaN(firstSeen) ? null : new Date(firstSeen).toISOString(),
      lastSeen: Number.isNaN(lastSeen) ? null : new Date(lastSeen).toISOString(),
      change: changeOf(region, page, count),
    };
  });

  const decode: DecodeStats = {
    records: sum(partials, (p) => p.decode.records),
    events: sum(partials, (p) => p.decode.events),
    gzipPayloads: sum(partials, (p) => p.decode.gzipPayloads),
    kplAggregates: sum(partials, (p) => p.decode.kplAggregates),
    undecodable: sum(partials, (p) => p.decode.undecodable),
    misplaced: sum(partials, (p) => p.decode.misplaced),
  };
  const signatureRulesVersion = partials[0]?.signatureRulesVersion ?? 0;
  const result: TopNResult = {
    rows,
    totals: {
      events: sum(partials, (p) => p.events),
      errors,
      errors5xx,
      errors4xx,
      errorsLevel,
      unparsed: sum(partials, (p) => p.unparsed),
      // Exact when no partial is bounded; otherwise the best lower estimate at hand.
      distinctKeys: bounded
        ? Math.max(mergedKeys, ...partials.map((p) => p.distinctKeys))
        : mergedKeys,
    },
    bounded,
    errorBound: totalBound,
    signatureRulesVersion,
  };
  // A bounded partial does not list every key it saw: without a complete history, earlier
  // counts of keys below the cut-off read as unknown rather than as a wrong "new".
  const keyHistory = bounded
    ? undefined
    : keyHistoryOf(
        counted?.sort(
          (a, b) =>
            b[2] - a[2] ||
            (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0),
        ),
        counted === undefined ? filter : undefined,
        TopNLimits.MAX_RESULT_BYTES - Buffer.byteLength(JSON.stringify(result)),
      );
  return {
    result: keyHistory === undefined ? result : { ...result, keyHistory },
    window: partials.map((p) => p.window),
    decode,
    boundedShards: partials.filter((p) => p.bounded).map((p) => p.window.shardId),
  };
}

function current(cursor: Cursor): PartialKey {
  return cursor.partial.keys[cursor.at]!;
}

function sum<T>(items: readonly T[], of: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += of(item);
  return total;
}

function ranksBefore(
  a: { parts: { key: PartialKey }[]; count: number },
  b: { parts: { key: PartialKey }[]; count: number },
): boolean {
  if (a.count !== b.count) return a.count > b.count;
  return compareKeys(a.parts[0]!.key, b.parts[0]!.key) < 0;
}

function less(a: Cursor, b: Cursor): boolean {
  const byKey = compareKeys(current(a), current(b));
  return byKey < 0 || (byKey === 0 && a.order < b.order);
}

function heapPush(heap: Cursor[], cursor: Cursor): void {
  heap.push(cursor);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!less(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function heapPop(heap: Cursor[]): void {
  const last = heap.pop()!;
  if (heap.length === 0) return;
  heap[0] = last;
  siftDown(heap, 0);
}

function siftDown(heap: Cursor[], index: number): void {
  let i = index;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= heap.length) return;
    let child = left;
    if (left + 1 < heap.length && less(heap[left + 1]!, heap[left]!)) child = left + 1;
    if (!less(heap[child]!, heap[i]!)) return;
    [heap[i], heap[child]] = [heap[child]!, heap[i]!];
    i = child;
  }
}
