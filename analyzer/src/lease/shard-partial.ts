/*
 *   TopNSnapshot (every key, most errors first)
 *     ─▶ keep the top MAX_KEYS (dropped keys raise errorBound to the largest dropped count)
 *     ─▶ detail (signatures, example) only for the top DETAIL_ROWS
 *     ─▶ keys sorted by (region, page) ─▶ JSON ─▶ gzip
 *     ─▶ still over MAX_GZIP_BYTES? keep fewer keys (bound raised again) until it fits
 *
 * A partial is exact (errorBound 0) while its shard saw at most MAX_KEYS keys and they fit;
 * otherwise it is a bounded summary: every listed count exceeds the truth by at most its own
 * overestimate, and an unlisted key's true count is at most errorBound.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { TopNSnapshot } from '../aggregate/top-n-aggregator.js';
import { TopNLimits } from '../aggregate/top-n-result.js';
import type { DecodeStats } from '../decode/record-decoder.js';
import { CorruptItemError } from '../errors.js';
import type { ShardWindow } from '../stream/shard-window.js';

/** Size bounds of a stored partial (see the README's scale-out section for write costs). */
export const PartialLimits = {
  /** Keys a partial lists at most; past it the rest are folded into its error bound. */
  MAX_KEYS: 10_000,
  /** Compressed bytes a partial takes at most: ≤ 3 DynamoDB chunk items, ≤ 1,024 WCU. */
  MAX_GZIP_BYTES: 1024 * 1024,
  /** Keys that keep their signatures and example line (the most a report shows). */
  DETAIL_ROWS: TopNLimits.MAX_TOP_N,
} as const;

/** `[region, page, count, overestimate, count5xx, count4xx, countLevel, firstSeenMs, lastSeenMs, detail?]` */
export type PartialKey = [
  region: string,
  page: string,
  count: number,
  overestimate: number,
  count5xx: number,
  count4xx: number,
  countLevel: number,
  firstSeenMs: number | null,
  lastSeenMs: number | null,
  detail?: PartialDetail,
];

/** `[example, [[signature, count, countError], …]]` */
export type PartialDetail = [example: string, signatures: [string, number, number][]];

/** One shard's counts for one iteration, as stored. */
export interface ShardPartial {
  readonly formatVersion: 1;
  readonly iteration: number;
  readonly stream: string;
  readonly window: ShardWindow;
  readonly decode: DecodeStats;
  readonly events: number;
  readonly errors5xx: number;
  readonly errors4xx: number;
  readonly errorsLevel: number;
  readonly unparsed: number;
  readonly distinctKeys: number;
  /** Some keys' counts are bounds, not exact (see errorBound). */
  readonly bounded: boolean;
  /** An unlisted key's true count is at most this; a listed one's count exceeds it by at most its overestimate (≤ this). */
  readonly errorBound: number;
  readonly signatureRulesVersion: number;
  /** Sorted by region, then page (code units). */
  readonly keys: PartialKey[];
}

/** What a shard's read produced, to be stored as its partial. */
export interface PartialInput {
  readonly iteration: number;
  readonly stream: string;
  readonly window: ShardWindow;
  readonly decode: DecodeStats;
  readonly snapshot: TopNSnapshot;
  readonly signatureRulesVersion: number;
}

/**
 * Encodes a shard's counts compactly (gzip'd JSON), within {@link PartialLimits}.
 *
 * @example
 * ```ts
 * const bytes = encodePartial({ iteration: 3, stream: 'logs', window, decode, snapshot: agg.snapshot(), signatureRulesVersion: 1 });
 * decodePartial(bytes).keys.length;
 * ```
 */
export function encodePartial(
  input: PartialInput,
  limits: { maxKeys?: number; maxGzipBytes?: number } = {},
): Uint8Array {
  const maxKeys = limits.maxKeys ?? PartialLimits.MAX_KEYS;
  const maxGzipBytes = limits.maxGzipBytes ?? PartialLimits.MAX_GZIP_BYTES;
  const { snapshot } = input;
  // snapshot.entries are most errors first: cutting the tail keeps the largest counts.
  const all = snapshot.entries.map((e, i): PartialKey => {
    const key: PartialKey = [
      e.region,
      e.page,
      e.count,
      e.overestimate,
      e.count5xx,
      e.count4xx,
      e.countLevel,
      Number.isNaN(e.firstSeenMs) ? null : e.firstSeenMs,
      Number.isNaN(e.lastSeenMs) ? null : e.lastSeenMs,
    ];
    if (i < PartialLimits.DETAIL_ROWS) {
      key.push([
        e.example,
        e.signatures.map((s): [string, number, number] => [s.signature, s.count, s.countError]),
      ]);
    }
    return key;
  });
  let keep = Math.min(all.length, maxKeys);
  for (;;) {
    const droppedMax = keep < all.length ? all[keep]![2] : 0;
    const errorBound = Math.max(snapshot.errorBound, droppedMax);
    const partial: ShardPartial = {
      formatVersion: 1,
      iteration: input.iteration,
      stream: input.stream,
      window: input.window,
      decode: input.decode,
      events: snapshot.events,
      errors5xx: snapshot.errors5xx,
      errors4xx: snapshot.errors4xx,
      errorsLevel: snapshot.errorsLevel,
      unparsed: snapshot.unparsed,
      distinctKeys: snapshot.distinctKeys,
      bounded: snapshot.bounded || keep < all.length,
      errorBound,
      signatureRulesVersion: input.signatureRulesVersion,
      keys: all.slice(0, keep).sort(compareKeys),
    };
    const bytes = gzipSync(JSON.stringify(partial));
    if (bytes.length <= maxGzipBytes || keep === 0) return bytes;
    // Shrink in proportion, with a margin, so a few rounds at most reach the bound.
    keep = Math.floor((keep * maxGzipBytes * 0.9) / bytes.length);
  }
}

/**
 * Reads a partial stored by {@link encodePartial}.
 *
 * @throws {CorruptItemError} when the bytes are not a partial of this format.
 */
export function decodePartial(bytes: Uint8Array, where = 'partial'): ShardPartial {
  let parsed: unknown;
  try {
    parsed = JSON.parse(gunzipSync(bytes).toString('utf8'));
  } catch (err) {
    throw new CorruptItemError(where, 'not gzip’d JSON', err);
  }
  const partial = parsed as Partial<ShardPartial> | null;
  if (
    partial === null ||
    typeof partial !== 'object' ||
    partial.formatVersion !== 1 ||
    !Array.isArray(partial.keys) ||
    typeof partial.window !== 'object'
  ) {
    throw new CorruptItemError(where, 'not a version 1 partial');
  }
  return partial as ShardPartial;
}

/** Region, then page, in UTF-16 code-unit order (the report's tie order). */
export function compareKeys(a: PartialKey, b: PartialKey): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}
