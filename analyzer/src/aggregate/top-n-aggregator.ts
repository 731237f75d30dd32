/*
 *   add(event) ──ok/unparsed──▶ totals only
 *        │ error: hashKey(region, page) over char codes, no string made
 *        ▼
 *   CompactSpaceSaving(maxDistinctKeys) — typed arrays, all allocated here, nothing per add:
 *
 *     HashSlotIndex ─▶ slot s ─▶ keyUnits[s]      region + page as UTF-16 units   528 B
 *                                exampleUnits[s]  first line, ≤ 320 units          640 B
 *                                counts, kinds, first/last seen, heap position    ~90 B
 *                                signatureIds[s × 5] ─▶ SignatureTable (shared texts, ref-counted)
 *
 *   keys 1 … m        take free slots: counts exact (errorBound 0)
 *   key m + 1, …      min-heap built once; a new key takes the minimum's slot and count + 1
 *                     (Space-Saving); a HyperLogLog sketch estimates distinct keys
 *
 * Memory is fixed when the aggregator is made (≈ 3.7 KB of address space per counter, resident
 * only as slots are written, so ≈ 1.3 KB per key with short keys and one signature); evicting
 * a key overwrites its slot and leaves no garbage. Strings are made only for result rows.
 */
import { ConfigError } from '@kinlog/core';
import type { ClassifiedEvent } from '../classify/classify-event.js';
import { SIGNATURE_RULES_VERSION } from '../classify/message-signature.js';
import { CompactSpaceSaving } from './compact-space-saving.js';
import type { CompactEntry } from './compact-space-saving.js';
import { keyHistoryOf } from './key-history.js';
import { previousCountOf } from './previous-count.js';
import { TopNLimits } from './top-n-result.js';
import type { TopNChange, TopNResult, TopNRow } from './top-n-result.js';

export interface TopNOptions {
  /** Distinct (region, page) keys counted exactly before switching to Space-Saving. */
  readonly maxDistinctKeys?: number;
}

/**
 * Defaults of {@link TopNOptions} and of `result`. 10,000 counters: a report shows at most 50
 * rows, and Space-Saving guarantees every key above errors / 10,000 (0.01 % of the errors) is
 * held with its count within that bound; the store then stays ≈ 13 MB resident (≈ 37 MB of
 * address space at worst), which keeps the aggregator under 100 MB RSS with the AWS SDK loaded.
 */
export const TopNDefaults = {
  maxDistinctKeys: 10_000,
  topN: 10,
  /** Rows an iteration stores whatever `topN` it shows, so `kinlog report --top` up to this
   * many is true later (rows are small: a typical stored report stays far below 400 KB). */
  storedRows: TopNLimits.MAX_TOP_N,
} as const;

const SHARE_DECIMALS = 1e6;

/**
 * Counts errors by (region, page) and produces the top-N rows of an iteration. Exact by
 * default; when more than `maxDistinctKeys` keys appear it becomes a Space-Saving summary of
 * that many counters, whose every reported count exceeds the truth by at most `errorBound`
 * (≤ errors / maxDistinctKeys), and which never misses a key whose true count is above it.
 *
 * @example
 * ```ts
 * const topN = new TopNAggregator({ maxDistinctKeys: 10_000 });
 * for (const line of lines) {
 *   const event = JSON.parse(line) as AnalyzerEvent;
 *   const classified = classifyEvent(event);
 *   topN.add(classified, line, classified.kind === 'ok' ? undefined : Date.parse(event.time ?? ''));
 * }
 * const report = topN.result(10, previousReport);
 * ```
 */
export class TopNAggregator {
  private readonly store: CompactSpaceSaving;
  private events = 0;
  private errors5xx = 0;
  private errors4xx = 0;
  private errorsLevel = 0;
  private unparsed = 0;

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
    this.store = new CompactSpaceSaving(max);
  }

  /** Whether counting has switched to the bounded summary. */
  get bounded(): boolean {
    return this.store.bounded;
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

    this.store.add(kind, event.region, event.page, event.signature, rawExampleLine, timeMs);
  }

  /** Every tracked key and the totals, for a per-shard partial (see `encodePartial`). */
  snapshot(): TopNSnapshot {
    return {
      entries: this.store.top(this.store.size),
      events: this.events,
      errors5xx: this.errors5xx,
      errors4xx: this.errors4xx,
      errorsLevel: this.errorsLevel,
      unparsed: this.unparsed,
      distinctKeys: this.store.distinctKeys(),
      bounded: this.store.bounded,
      errorBound: this.store.errorBound,
    };
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

    const rows = this.store.top(topN).map((c: CompactEntry): TopNRow => {
      let change: TopNChange | null = null;
      if (previous !== undefined) {
        const previousCount = previousCountOf(previous, c.region, c.page);
        change = {
          previousCount,
          delta: previousCount === null ? null : c.count - previousCount,
          isNew: previousCount === 0,
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
        signatures: c.signatures,
        example: c.example,
        firstSeen: Number.isNaN(c.firstSeenMs) ? null : new Date(c.firstSeenMs).toISOString(),
        lastSeen: Number.isNaN(c.lastSeenMs) ? null : new Date(c.lastSeenMs).toISOString(),
        change,
      };
    });

    const result = {
      rows,
      totals: {
        events: this.events,
        errors,
        errors5xx: this.errors5xx,
        errors4xx: this.errors4xx,
        errorsLevel: this.errorsLevel,
        unparsed: this.unparsed,
        distinctKeys: this.store.distinctKeys(),
      },
      bounded: this.store.bounded,
      errorBound: this.store.errorBound,
      signatureRulesVersion: SIGNATURE_RULES_VERSION,
    };
    const seen = this.store.keysSeen();
    const budget = TopNLimits.MAX_RESULT_BYTES - Buffer.byteLength(JSON.stringify(result));
    const keyHistory = keyHistoryOf(seen.keys, seen.filter, budget);
    return keyHistory === undefined ? result : { ...result, keyHistory };
  }
}

/**
 * Every key counted so far, most errors first, with the totals: what a per-shard partial stores.
 *
 * @example
 * ```ts
 * const { entries, bounded } = aggregator.snapshot();
 * ```
 */
export interface TopNSnapshot {
  readonly entries: CompactEntry[];
  readonly events: number;
  readonly errors5xx: number;
  readonly errors4xx: number;
  readonly errorsLevel: number;
  readonly unparsed: number;
  readonly distinctKeys: number;
  readonly bounded: boolean;
  readonly errorBound: number;
}

/**
 * How a row's count changed against the previous result (`null` without one): the rule of
 * {@link TopNAggregator.result}, shared with the merge of per-shard partials.
 *
 * @example
 * ```ts
 * const changeOf = changeAgainst(previousResult);
 * changeOf('EU', '/cart', 12)?.delta;
 * ```
 */
export function changeAgainst(
  previous: TopNResult | undefined,
): (region: string, page: string, count: number) => TopNChange | null {
  if (previous === undefined) return () => null;
  return (region, page, count) => {
    const previousCount = previousCountOf(previous, region, page);
    return {
      previousCount,
      delta: previousCount === null ? null : count - previousCount,
      isNew: previousCount === 0,
    };
  };
}
