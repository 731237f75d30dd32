/*
 *   add(event) ──ok/unparsed──▶ totals only
 *        │ error
 *        ▼
 *   regions: Map<region, Map<page, KeyCounter>>      exact while keys ≤ maxDistinctKeys
 *        │ key number maxDistinctKeys + 1 arrives
 *        ▼
 *   + MinCountHeap over the same KeyCounters          Space-Saving: a new key evicts the
 *   + DistinctCountSketch (HyperLogLog)               minimum and inherits its count + 1
 *
 * Memory is O(maxDistinctKeys) whatever the input; an update is O(1) exact, O(log m) bounded.
 */
import { ConfigError } from '@kinlog/core';
import type { ClassifiedEvent } from '../classify/classify-event.js';
import { detachString } from '../classify/detach-string.js';
import { SIGNATURE_RULES_VERSION } from '../classify/message-signature.js';
import { DistinctCountSketch } from './distinct-count-sketch.js';
import { KeyCounter } from './key-counter.js';
import { MinCountHeap } from './min-count-heap.js';
import { TopNLimits } from './top-n-result.js';
import type { TopNChange, TopNResult, TopNRow } from './top-n-result.js';

export interface TopNOptions {
  /** Distinct (region, page) keys counted exactly before switching to Space-Saving. */
  readonly maxDistinctKeys?: number;
}

/** Defaults of {@link TopNOptions} and of `result`. */
export const TopNDefaults = {
  maxDistinctKeys: 100_000,
  topN: 10,
} as const;

const SHARE_DECIMALS = 1e6;
/**
 * Distinct signature texts shared between keys; a few hundred is typical, so the pool is simply
 * emptied when it reaches this size (it only saves memory, it never changes a count).
 */
const MAX_INTERNED_SIGNATURES = 10_000;

/**
 * Counts errors by (region, page) and produces the top-N rows of an iteration. Exact by
 * default; when more than `maxDistinctKeys` keys appear it becomes a Space-Saving summary of
 * that many counters, whose every reported count exceeds the truth by at most `errorBound`
 * (≤ errors / maxDistinctKeys), and which never misses a key whose true count is above it.
 *
 * @example
 * ```ts
 * const topN = new TopNAggregator({ maxDistinctKeys: 100_000 });
 * for (const line of lines) {
 *   const event = JSON.parse(line) as AnalyzerEvent;
 *   const classified = classifyEvent(event);
 *   topN.add(classified, line, classified.kind === 'ok' ? undefined : Date.parse(event.time ?? ''));
 * }
 * const report = topN.result(10, previousReport);
 * ```
 */
export class TopNAggregator {
  private readonly maxDistinctKeys: number;
  private readonly regions = new Map<string, Map<string, KeyCounter>>();
  private keyCount = 0;
  private heap: MinCountHeap<KeyCounter> | undefined;
  private sketch: DistinctCountSketch | undefined;
  private events = 0;
  private errors5xx = 0;
  private errors4xx = 0;
  private errorsLevel = 0;
  private unparsed = 0;
  private readonly signaturePool = new Map<string, string>();
  private readonly intern = (signature: string): string => {
    let shared = this.signaturePool.get(signature);
    if (shared === undefined) {
      if (this.signaturePool.size >= MAX_INTERNED_SIGNATURES) this.signaturePool.clear();
      shared = detachString(signature);
      this.signaturePool.set(shared, shared);
    }
    return shared;
  };

  constructor(options: TopNOptions = {}) {
    const max = options.maxDistinctKeys ?? TopNDefaults.maxDistinctKeys;
    if (!Number.isInteger(max) || max < 1 || max > TopNLimits.MAX_DISTINCT_KEYS) {
      throw new ConfigError(
        [
          {
            path: 'maxDistinctKeys',
            message: `must be an integer from 1 to ${TopNLimits.MAX_DISTINCT_KEYS}, got ${String(max)}`,
          },
        ],
        'invalid top-N options',
      );
    }
    this.maxDistinctKeys = max;
  }

  /** Whether counting has switched to the bounded summary. */
  get bounded(): boolean {
    return this.heap !== undefined;
  }

  /**
   * Counts one classified record. `rawExampleLine` is kept (cut, copied) as the key's example if
   * it is the first one; `timeMs` (epoch ms, ignored when not finite) feeds first/last seen.
   */
  add(event: ClassifiedEvent, rawExampleLine?: string, timeMs?: number): void {
    this.events++;
    const kind = event.kind;
    if (kind === 'ok') return;
    if (kind === 'unparsed') {
      this.unparsed++;
      return;
    }
    if (kind === 'error5xx') this.errors5xx++;
    else if (kind === 'error4xx') this.errors4xx++;
    else this.errorsLevel++;

    const { region, page } = event;
    let counter = this.regions.get(region)?.get(page);
    if (counter === undefined) {
      counter = this.admit(region, page);
      // Looked up again: admitting may have evicted the last page of this very region.
      let pages = this.regions.get(region);
      if (pages === undefined) {
        pages = new Map();
        this.regions.set(counter.region, pages);
      }
      pages.set(counter.page, counter);
    }
    counter.record(kind, event.signature, rawExampleLine, timeMs, this.intern);
    if (this.heap !== undefined) {
      this.heap.siftDown(counter.heapIndex);
      this.sketch?.add(region, page);
    }
  }

  /**
   * The `topN` keys with the most errors, most first (ties by region, then page, in code-unit
   * order), with totals and, given the previous iteration's result, the change of each row.
   */
  result(topN: number = TopNDefaults.topN, previous?: TopNResult): TopNResult {
    if (!Number.isInteger(topN) || topN < 1 || topN > TopNLimits.MAX_TOP_N) {
      throw new ConfigError(
        [
          {
            path: 'topN',
            message: `must be an integer from 1 to ${TopNLimits.MAX_TOP_N}, got ${String(topN)}`,
          },
        ],
        'invalid top-N request',
      );
    }
    const errors = this.errors5xx + this.errors4xx + this.errorsLevel;
    const counters: KeyCounter[] = [];
    for (const pages of this.regions.values()) for (const c of pages.values()) counters.push(c);
    counters.sort(compareCounters);

    const previousCounts = previous === undefined ? undefined : indexRows(previous);
    const previousComplete =
      previous !== undefined &&
      !previous.bounded &&
      previous.rows.length >= previous.totals.distinctKeys;
    const rows = counters.slice(0, topN).map((c): TopNRow => {
      let change: TopNChange | null = null;
      if (previousCounts !== undefined) {
        const before = previousCounts.get(rowKey(c.region, c.page));
        const previousCount = before ?? (previousComplete ? 0 : null);
        change = {
          previousCount,
          delta: previousCount === null ? null : c.count - previousCount,
          isNew: before === undefined,
        };
      }
      return {
        region: c.region,
        page: c.page,
        count: c.count,
        share: errors === 0 ? 0 : Math.round((c.count / errors) * SHARE_DECIMALS) / SHARE_DECIMALS,
        count5xx: c.count5xx,
        count4xx: c.count4xx,
        countLevel: c.countLevel,
        countError: c.overestimate,
        signatures: c.signatures(),
        example: c.example,
        firstSeen: Number.isNaN(c.firstSeenMs) ? null : new Date(c.firstSeenMs).toISOString(),
        lastSeen: Number.isNaN(c.lastSeenMs) ? null : new Date(c.lastSeenMs).toISOString(),
        change,
      };
    });

    return {
      rows,
      totals: {
        events: this.events,
        errors,
        errors5xx: this.errors5xx,
        errors4xx: this.errors4xx,
        errorsLevel: this.errorsLevel,
        unparsed: this.unparsed,
        distinctKeys: this.sketch?.estimate() ?? this.keyCount,
      },
      bounded: this.heap !== undefined,
      errorBound: this.heap?.min.count ?? 0,
      signatureRulesVersion: SIGNATURE_RULES_VERSION,
    };
  }

  /** A counter for a key not currently tracked: a new one, or the evicted minimum. */
  private admit(region: string, page: string): KeyCounter {
    if (this.keyCount < this.maxDistinctKeys) {
      this.keyCount++;
      return new KeyCounter(detachString(region), detachString(page));
    }
    const heap = (this.heap ??= this.startBounding());
    const evicted = heap.min;
    const pages = this.regions.get(evicted.region);
    pages?.delete(evicted.page);
    if (pages?.size === 0) this.regions.delete(evicted.region);
    evicted.reset(detachString(region), detachString(page), evicted.count);
    return evicted;
  }

  private startBounding(): MinCountHeap<KeyCounter> {
    const counters: KeyCounter[] = [];
    this.sketch = new DistinctCountSketch();
    for (const pages of this.regions.values()) {
      for (const c of pages.values()) {
        counters.push(c);
        this.sketch.add(c.region, c.page);
      }
    }
    return new MinCountHeap(counters);
  }
}

function compareCounters(a: KeyCounter, b: KeyCounter): number {
  return b.count - a.count || compareText(a.region, b.region) || compareText(a.page, b.page);
}

/** Code-unit order: the same on every machine, unlike `localeCompare`. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function rowKey(region: string, page: string): string {
  return `${region}\u0000${page}`;
}

function indexRows(previous: TopNResult): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of previous.rows) counts.set(rowKey(row.region, row.page), row.count);
  return counts;
}
