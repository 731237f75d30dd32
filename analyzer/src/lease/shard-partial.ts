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

/** A partial's keys, one typed array per field (index i is one key); no object per key. */
export interface PartialColumns {
  readonly length: number;
  /** Distinct regions; `region[i]` indexes it. */
  readonly regions: readonly string[];
  readonly region: Uint32Array;
  readonly count: Float64Array;
  readonly overestimate: Float64Array;
  readonly count5xx: Float64Array;
  readonly count4xx: Float64Array;
  readonly countLevel: Float64Array;
  /** NaN when unknown. */
  readonly firstSeenMs: Float64Array;
  readonly lastSeenMs: Float64Array;
  /** Code units of every page one after another: Latin-1 bytes when all fit, else UTF-16. */
  readonly pageUnits: Uint8Array | Uint16Array;
  /** Page i is `pageUnits[pageStart[i], pageStart[i + 1])`. */
  readonly pageStart: Uint32Array;
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

/** The JSON header of a version 2 partial; the key columns follow it in binary. */
interface PartialHeaderV2 extends Omit<ShardPartial, 'keys' | 'formatVersion' | 'formats'> {
  readonly formatVersion: 2;
  readonly formats: PartialFormatCounts;
  readonly keyCount: number;
  readonly regions: string[];
  readonly pageEncoding: 'latin1' | 'utf16le';
  /** `[index, example, signatures]` */
  readonly detail: [number, string, [string, number, number][]][];
}

/** First bytes of a version 2 partial (a version 1 partial is JSON: it starts with `{`). */
const MAGIC_V2 = Buffer.from('KLP2', 'latin1');
const FLOAT_COLUMNS = [
  'count',
  'overestimate',
  'count5xx',
  'count4xx',
  'countLevel',
  'firstSeenMs',
  'lastSeenMs',
] as const;

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
    const n = order.length;
    const detail: PartialHeaderV2['detail'] = [];
    order.forEach((i, at) => {
      const e = all[i]!;
      if (i < PartialLimits.DETAIL_ROWS) {
        detail.push([
          at,
          e.example,
          e.signatures.map((s): [string, number, number] => [s.signature, s.count, s.countError]),
        ]);
      }
    });
    const { units, start } = packPages(order.map((i) => all[i]!.page));
    const header: PartialHeaderV2 = {
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
      keyCount: n,
      regions,
      pageEncoding: units instanceof Uint8Array ? 'latin1' : 'utf16le',
      detail,
    };
    const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
    const layout = layoutOf(headerBytes.length, n, units.byteLength);
    const buffer = new ArrayBuffer(layout.size);
    const out = new Uint8Array(buffer);
    out.set(MAGIC_V2, 0);
    new DataView(buffer).setUint32(MAGIC_V2.length, headerBytes.length, true);
    out.set(headerBytes, MAGIC_V2.length + 4);
    FLOAT_COLUMNS.forEach((name, c) => {
      const column = new Float64Array(buffer, layout.floats + c * n * 8, n);
      order.forEach((i, at) => {
        const e = all[i]!;
        column[at] = e[name];
      });
    });
    const region = new Uint32Array(buffer, layout.region, n);
    order.forEach((i, at) => (region[at] = regionIndex.get(all[i]!.region)!));
    new Uint32Array(buffer, layout.pageStart, n + 1).set(start);
    out.set(new Uint8Array(units.buffer, units.byteOffset, units.byteLength), layout.pageUnits);
    const bytes = gzipSync(out);
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
  let raw: Buffer;
  try {
    raw = gunzipSync(bytes);
  } catch (err) {
    throw new CorruptItemError(where, 'not gzip’d', err);
  }
  if (raw.subarray(0, MAGIC_V2.length).equals(MAGIC_V2)) {
    const partial = decodeV2(raw);
    if (partial === undefined) throw new CorruptItemError(where, 'a malformed version 2 partial');
    return partial;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new CorruptItemError(where, 'neither a version 2 partial nor JSON', err);
  }
  const partial = parsed as Record<string, unknown> | null;
  if (
    partial === null ||
    typeof partial !== 'object' ||
    partial.formatVersion !== PartialFormats.v1 ||
    typeof partial.window !== 'object' ||
    !Array.isArray(partial.keys)
  ) {
    throw new CorruptItemError(where, 'not a partial of version 1 or 2');
  }
  return { ...(partial as unknown as ShardPartial), keys: columnsOfRows(partial.keys as V1Key[]) };
}

/** The text of page `i`. */
export function pageAt(keys: PartialColumns, i: number): string {
  const units = keys.pageUnits;
  const view = Buffer.from(units.buffer, units.byteOffset, units.byteLength);
  const width = units.BYTES_PER_ELEMENT;
  return view.toString(
    width === 1 ? 'latin1' : 'utf16le',
    keys.pageStart[i]! * width,
    keys.pageStart[i + 1]! * width,
  );
}

/** Code-unit order (the report's tie order). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Keys of a partial that lists none (a carried shard's). */
export function emptyColumns(): PartialColumns {
  return columnsOfRows([]);
}

function layoutOf(headerLength: number, n: number, unitBytes: number) {
  // Columns start 8-aligned (Float64 views); Uint32 and Uint16 columns follow, aligned too.
  const floats = Math.ceil((MAGIC_V2.length + 4 + headerLength) / 8) * 8;
  const region = floats + FLOAT_COLUMNS.length * n * 8;
  const pageStart = region + n * 4;
  const pageUnits = pageStart + (n + 1) * 4;
  return { floats, region, pageStart, pageUnits, size: pageUnits + unitBytes };
}

function decodeV2(raw: Buffer): ShardPartial | undefined {
  if (raw.length < MAGIC_V2.length + 4) return undefined;
  const headerLength = raw.readUInt32LE(MAGIC_V2.length);
  let header: PartialHeaderV2;
  try {
    header = JSON.parse(
      raw.toString('utf8', MAGIC_V2.length + 4, MAGIC_V2.length + 4 + headerLength),
    ) as PartialHeaderV2;
  } catch {
    return undefined;
  }
  const n = header?.keyCount;
  if (
    typeof header !== 'object' ||
    header.formatVersion !== PartialFormats.v2 ||
    typeof header.window !== 'object' ||
    typeof header.formats?.counts !== 'object' ||
    !Array.isArray(header.regions) ||
    !Array.isArray(header.detail) ||
    !Number.isInteger(n) ||
    n < 0
  ) {
    return undefined;
  }
  const width = header.pageEncoding === 'latin1' ? 1 : header.pageEncoding === 'utf16le' ? 2 : 0;
  if (width === 0) return undefined;
  const fixed = layoutOf(headerLength, n, 0);
  if (raw.length < fixed.size || (raw.length - fixed.size) % width !== 0) return undefined;
  // Typed views need the columns 8-aligned: zlib's output usually starts its own buffer.
  let data: Uint8Array = raw;
  if (raw.byteOffset % 8 !== 0) {
    data = new Uint8Array(raw.length);
    data.set(raw);
  }
  const { buffer } = data;
  const base = data.byteOffset;
  const floats = {} as Record<(typeof FLOAT_COLUMNS)[number], Float64Array>;
  FLOAT_COLUMNS.forEach((name, c) => {
    floats[name] = new Float64Array(buffer, base + fixed.floats + c * n * 8, n);
  });
  const region = new Uint32Array(buffer, base + fixed.region, n);
  for (let i = 0; i < n; i++) if (region[i]! >= header.regions.length) return undefined;
  const pageStart = new Uint32Array(buffer, base + fixed.pageStart, n + 1);
  const unitCount = (raw.length - fixed.size) / width;
  const pageUnits =
    width === 1
      ? new Uint8Array(buffer, base + fixed.pageUnits, unitCount)
      : new Uint16Array(buffer, base + fixed.pageUnits, unitCount);
  if (pageStart[0] !== 0 || pageStart[n] !== unitCount) return undefined;
  for (let i = 0; i < n; i++) if (pageStart[i]! > pageStart[i + 1]!) return undefined;
  const detail = new Map<number, PartialDetail>();
  for (const d of header.detail) {
    if (!Array.isArray(d) || !(d[0] >= 0 && d[0] < n) || !Array.isArray(d[2])) return undefined;
    detail.set(d[0], [d[1], d[2]]);
  }
  const {
    keyCount: _n,
    regions,
    pageEncoding: _e,
    detail: _d,
    formatVersion,
    formats,
    ...rest
  } = header;
  return {
    ...rest,
    formatVersion,
    formats,
    keys: { length: n, regions, region, ...floats, pageUnits, pageStart, detail },
  };
}

/** Pages as code units: Latin-1 bytes when every unit fits one, else UTF-16. */
function packPages(pages: readonly string[]): {
  units: Uint8Array | Uint16Array;
  start: Uint32Array;
} {
  const start = new Uint32Array(pages.length + 1);
  let total = 0;
  let wide = false;
  pages.forEach((page, i) => {
    total += page.length;
    start[i + 1] = total;
    for (let j = 0; j < page.length && !wide; j++) wide = page.charCodeAt(j) > 0xff;
  });
  const units = wide ? new Uint16Array(total) : new Uint8Array(total);
  pages.forEach((page, i) => {
    const at = start[i]!;
    for (let j = 0; j < page.length; j++) units[at + j] = page.charCodeAt(j);
  });
  return { units, start };
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
  const { units, start } = packPages(rows.map((r) => r[1]));
  return {
    length: n,
    regions,
    region: Uint32Array.from(rows, (r) => regionIndex.get(r[0])!),
    count: column(2),
    overestimate: column(3),
    count5xx: column(4),
    count4xx: column(5),
    countLevel: column(6),
    firstSeenMs: column(7),
    lastSeenMs: column(8),
    pageUnits: units,
    pageStart: start,
    detail,
  };
}
