/*
 *   TopNSnapshot (every key, most errors first)
 *     ─▶ keep the top MAX_KEYS (dropped keys raise errorBound to the largest dropped count)
 *     ─▶ detail (signatures, example) only for the top DETAIL_ROWS
 *     ─▶ keys sorted by (region, page) ─▶ columns (one array per field) ─▶ JSON ─▶ gzip
 *     ─▶ still over MAX_GZIP_BYTES? keep fewer keys (bound raised again) until it fits
 *
 * A partial is exact (errorBound 0) while its shard saw at most MAX_KEYS keys and they fit;
 * otherwise it is a bounded summary: every listed count exceeds the truth by at most its own
 * overestimate, and an unlisted key's true count is at most errorBound.
 *
 * Stored and decoded column by column, so reading a partial makes no object per key: a region
 * table, one page string per key and typed arrays of counts.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { TopNSnapshot } from '../aggregate/top-n-aggregator.js';
import { TopNLimits } from '../aggregate/top-n-result.js';
import type { DecodeFormatCounts, DecodeStats } from '../decode/record-decoder.js';
import { CorruptItemError } from '../errors.js';
import type { ShardWindow } from '../window/shard-window.js';

/** Size bounds of a stored partial (see the README's scale-out section for write costs). */
export const PartialLimits = {
  /** Keys a partial lists at most; past it the rest are folded into its error bound. */
  MAX_KEYS: 10_000,
  /** Compressed bytes a partial takes at most: ≤ 3 DynamoDB chunk items, ≤ 1,024 WCU. */
  MAX_GZIP_BYTES: 1024 * 1024,
  /** Keys that keep their signatures and example line (the most a report shows). */
  DETAIL_ROWS: TopNLimits.MAX_TOP_N,
} as const;

/**
 * Versions of a stored partial; every one stays readable.
 * - 1: keys as `[region, page, count, …]` rows; no format counts.
 * - 2: keys as columns; `formats` (events per format, detector version, parser).
 */
export const PartialFormats = { v1: 1, v2: 2 } as const;
export type PartialFormat = (typeof PartialFormats)[keyof typeof PartialFormats];
/** The version this kinlog writes. */
export const PARTIAL_FORMAT: PartialFormat = PartialFormats.v2;

/** `[example, [[signature, count, countError], …]]` */
export type PartialDetail = [example: string, signatures: [string, number, number][]];

/** How a shard's events were read: as a report's `formats`. */
export interface PartialFormatCounts {
  readonly detectorVersion: number;
  readonly parser: string;
  readonly counts: DecodeFormatCounts;
}

/** A partial's keys, one array per field (index i is one key). */
export interface PartialColumns {
  readonly length: number;
  /** Distinct regions; `region[i]` indexes it. */
  readonly regions: readonly string[];
  readonly region: Uint32Array;
  readonly page: readonly string[];
  readonly count: Float64Array;
  readonly overestimate: Float64Array;
  readonly count5xx: Float64Array;
  readonly count4xx: Float64Array;
  readonly countLevel: Float64Array;
  /** NaN when unknown. */
  readonly firstSeenMs: Float64Array;
  readonly lastSeenMs: Float64Array;
  /** Signatures and example of the keys that carry them (the partial's top rows), by index. */
  readonly detail: ReadonlyMap<number, PartialDetail>;
}

/** One shard's counts for one iteration, decoded. */
export interface ShardPartial {
  readonly formatVersion: PartialFormat;
  readonly iteration: number;
  readonly stream: string;
  readonly window: ShardWindow;
  readonly decode: DecodeStats;
  /** Absent in version 1 partials. */
  readonly formats?: PartialFormatCounts;
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
  readonly keys: PartialColumns;
}

/** What a shard's read produced, to be stored as its partial. */
export interface PartialInput {
  readonly iteration: number;
  readonly stream: string;
  readonly window: ShardWindow;
  readonly decode: DecodeStats;
  readonly formats: PartialFormatCounts;
  readonly snapshot: TopNSnapshot;
  readonly signatureRulesVersion: number;
}

/** The stored JSON of a version 2 partial. */
interface StoredPartialV2 extends Omit<ShardPartial, 'keys' | 'formatVersion' | 'formats'> {
  readonly formatVersion: 2;
  readonly formats: PartialFormatCounts;
  readonly keys: {
    readonly regions: string[];
    readonly region: number[];
    readonly page: string[];
    readonly count: number[];
    readonly overestimate: number[];
    readonly count5xx: number[];
    readonly count4xx: number[];
    readonly countLevel: number[];
    readonly firstSeenMs: (number | null)[];
    readonly lastSeenMs: (number | null)[];
    /** `[index, example, signatures]` */
    readonly detail: [number, string, [string, number, number][]][];
  };
}

/** A version 1 key row. */
type V1Key = [
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

const NUMBER_COLUMNS = [
  'count',
  'overestimate',
  'count5xx',
  'count4xx',
  'countLevel',
  'firstSeenMs',
  'lastSeenMs',
] as const;

/**
 * Encodes a shard's counts compactly (gzip'd JSON columns), within {@link PartialLimits}.
 *
 * @example
 * ```ts
 * const bytes = encodePartial({ iteration: 3, stream: 'logs', window, decode, formats, snapshot: agg.snapshot(), signatureRulesVersion: 1 });
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
  const all = snapshot.entries;
  let keep = Math.min(all.length, maxKeys);
  for (;;) {
    const droppedMax = keep < all.length ? all[keep]!.count : 0;
    const order = Array.from({ length: keep }, (_, i) => i).sort((a, b) => {
      const x = all[a]!;
      const y = all[b]!;
      return compareText(x.region, y.region) || compareText(x.page, y.page);
    });
    const regions = [...new Set(order.map((i) => all[i]!.region))].sort(compareText);
    const regionIndex = new Map(regions.map((r, i) => [r, i]));
    const keys: StoredPartialV2['keys'] = {
      regions,
      region: [],
      page: [],
      count: [],
      overestimate: [],
      count5xx: [],
      count4xx: [],
      countLevel: [],
      firstSeenMs: [],
      lastSeenMs: [],
      detail: [],
    };
    order.forEach((i, at) => {
      const e = all[i]!;
      keys.region.push(regionIndex.get(e.region)!);
      keys.page.push(e.page);
      keys.count.push(e.count);
      keys.overestimate.push(e.overestimate);
      keys.count5xx.push(e.count5xx);
      keys.count4xx.push(e.count4xx);
      keys.countLevel.push(e.countLevel);
      keys.firstSeenMs.push(Number.isNaN(e.firstSeenMs) ? null : e.firstSeenMs);
      keys.lastSeenMs.push(Number.isNaN(e.lastSeenMs) ? null : e.lastSeenMs);
      if (i < PartialLimits.DETAIL_ROWS) {
        keys.detail.push([
          at,
          e.example,
          e.signatures.map((s): [string, number, number] => [s.signature, s.count, s.countError]),
        ]);
      }
    });
    keys.detail.sort((a, b) => a[0] - b[0]);
    const partial: StoredPartialV2 = {
      formatVersion: PartialFormats.v2,
      iteration: input.iteration,
      stream: input.stream,
      window: input.window,
      decode: input.decode,
      formats: input.formats,
      events: snapshot.events,
      errors5xx: snapshot.errors5xx,
      errors4xx: snapshot.errors4xx,
      errorsLevel: snapshot.errorsLevel,
      unparsed: snapshot.unparsed,
      distinctKeys: snapshot.distinctKeys,
      bounded: snapshot.bounded || keep < all.length,
      errorBound: Math.max(snapshot.errorBound, droppedMax),
      signatureRulesVersion: input.signatureRulesVersion,
      keys,
    };
    const bytes = gzipSync(JSON.stringify(partial));
    if (bytes.length <= maxGzipBytes || keep === 0) return bytes;
    // Shrink in proportion, with a margin, so a few rounds at most reach the bound.
    keep = Math.floor((keep * maxGzipBytes * 0.9) / bytes.length);
  }
}

/**
 * Reads a partial stored by {@link encodePartial} (any version of {@link PartialFormats}).
 *
 * @throws {CorruptItemError} when the bytes are not a partial of a known format.
 */
export function decodePartial(bytes: Uint8Array, where = 'partial'): ShardPartial {
  let parsed: unknown;
  try {
    parsed = JSON.parse(gunzipSync(bytes).toString('utf8'));
  } catch (err) {
    throw new CorruptItemError(where, 'not gzip’d JSON', err);
  }
  const partial = parsed as Record<string, unknown> | null;
  if (partial === null || typeof partial !== 'object' || typeof partial.window !== 'object') {
    throw new CorruptItemError(where, 'not a partial');
  }
  if (partial.formatVersion === PartialFormats.v1 && Array.isArray(partial.keys)) {
    return {
      ...(partial as unknown as ShardPartial),
      keys: columnsOfRows(partial.keys as V1Key[]),
    };
  }
  if (partial.formatVersion === PartialFormats.v2) {
    const stored = partial as unknown as StoredPartialV2;
    const keys = columnsOfStored(stored.keys);
    if (keys === undefined || typeof stored.formats?.counts !== 'object') {
      throw new CorruptItemError(where, 'a version 2 partial with malformed key columns');
    }
    return { ...stored, keys };
  }
  throw new CorruptItemError(where, `not a partial of version 1 or 2`);
}

/** Code-unit order (the report's tie order). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Keys of a partial that lists none (a carried shard's). */
export function emptyColumns(): PartialColumns {
  return columnsOfRows([]);
}

function columnsOfStored(keys: StoredPartialV2['keys'] | undefined): PartialColumns | undefined {
  if (typeof keys !== 'object' || !Array.isArray(keys.page) || !Array.isArray(keys.regions)) {
    return undefined;
  }
  const n = keys.page.length;
  if (!Array.isArray(keys.region) || keys.region.length !== n || !Array.isArray(keys.detail)) {
    return undefined;
  }
  const region = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const r = keys.region[i]!;
    if (!(r >= 0 && r < keys.regions.length) || typeof keys.page[i] !== 'string') return undefined;
    region[i] = r;
  }
  const numbers = {} as Record<(typeof NUMBER_COLUMNS)[number], Float64Array>;
  for (const name of NUMBER_COLUMNS) {
    const source = keys[name];
    if (!Array.isArray(source) || source.length !== n) return undefined;
    const column = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = source[i];
      if (typeof v === 'number') column[i] = v;
      else if (v === null && (name === 'firstSeenMs' || name === 'lastSeenMs'))
        column[i] = Number.NaN;
      else return undefined;
    }
    numbers[name] = column;
  }
  const detail = new Map<number, PartialDetail>();
  for (const d of keys.detail) {
    if (!Array.isArray(d) || !(d[0] >= 0 && d[0] < n) || !Array.isArray(d[2])) return undefined;
    detail.set(d[0], [d[1], d[2]]);
  }
  return { length: n, regions: keys.regions, region, page: keys.page, ...numbers, detail };
}

function columnsOfRows(rows: readonly V1Key[]): PartialColumns {
  const n = rows.length;
  const regions = [...new Set(rows.map((r) => r[0]))].sort(compareText);
  const regionIndex = new Map(regions.map((r, i) => [r, i]));
  const column = (at: 2 | 3 | 4 | 5 | 6 | 7 | 8) =>
    Float64Array.from(rows, (r) => r[at] ?? Number.NaN);
  const detail = new Map<number, PartialDetail>();
  rows.forEach((r, i) => {
    if (r[9] !== undefined) detail.set(i, r[9]);
  });
  return {
    length: n,
    regions,
    region: Uint32Array.from(rows, (r) => regionIndex.get(r[0])!),
    page: rows.map((r) => r[1]),
    count: column(2),
    overestimate: column(3),
    count5xx: column(4),
    count4xx: column(5),
    countLevel: column(6),
    firstSeenMs: column(7),
    lastSeenMs: column(8),
    detail,
  };
}
