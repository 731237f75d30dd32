/*
 *   partials in cut order (parents before children, then shard id), one at a time
 *     ─▶ each key hashed from its code units (hashKey's hash) and looked up in an open-addressing
 *        table of ids; a new key gets the next id, its page's code units go to a byte arena
 *     ─▶ counts added into columns indexed by id (typed-array chunks, no object or string per key)
 *     ─▶ signatures and example kept only for keys a partial carries them for (its top rows)
 *   finish:
 *     ─▶ count = Σ counts + Σ error bounds of the bounded partials that do not list it
 *     ─▶ top-N (count desc, region, page) in one pass over the ids
 *     ─▶ rows: signatures summed (top 5), example from the first partial that has one,
 *        first/last seen min/max, change against the previous result
 *
 * The same partials give the same result whichever workers made them and in whatever order
 * they arrived: nothing depends on time, and ids follow the cut order given.
 */
import { addToFilter, keyHistoryOf, KeyHistoryLimits } from '../aggregate/key-history.js';
import { hashKeyPage, hashKeyRegion } from '../aggregate/key-hash.js';
import { changeAgainst } from '../aggregate/top-n-aggregator.js';
import {
  SIGNATURES_PER_KEY,
  TopNLimits,
  type TopNResult,
  type TopNRow,
} from '../aggregate/top-n-result.js';
import {
  DecodedFormatNames,
  emptyDecodeStats,
  type DecodeFormatCounts,
  type DecodeStats,
} from '../decode/record-decoder.js';
import { ConfigError } from '@kinlog/core';
import type { ShardWindow } from '../stream/shard-window.js';
import {
  compareText,
  type PartialColumns,
  type PartialFormatCounts,
  type ShardPartial,
} from './shard-partial.js';

const SHARE_DECIMALS = 1e6;
/** Keys per column chunk: columns grow by chunks, never by copying. */
const CHUNK_KEYS = 1 << 14;
/** Bytes per arena chunk (a longer page gets a chunk of its own). */
const ARENA_CHUNK_BITS = 20;
const UINT32_MAX = 0xffff_ffff;
/** Set in a key's page length when its page is stored as UTF-16 code units. */
const WIDE_PAGE = 0x8000_0000;

/** The merge of one iteration's partials. */
export interface MergedPartials {
  readonly result: TopNResult;
  readonly window: ShardWindow[];
  readonly decode: DecodeStats;
  /**
   * Events per format of every partial, when each partial that read events counted them with
   * the same detector version and parser; otherwise (older partials, mixed versions) absent.
   */
  readonly formats?: PartialFormatCounts;
  /** Shards whose partial was a bounded summary (the report is then within `errorBound`). */
  readonly boundedShards: string[];
}

/** Options of {@link PartialMerger.finish}. */
export interface MergeOptions {
  /** Rows of the result, 1 to `TopNLimits.MAX_TOP_N`; default 10. */
  readonly topN?: number;
  readonly previous?: TopNResult;
  /** Detector version and parser stated when no partial read any event. */
  readonly formats?: Omit<PartialFormatCounts, 'counts'>;
}

/** A column of numbers indexed by key id, grown a chunk at a time. */
class Column {
  private readonly chunks: Float64Array[] = [];
  constructor(private readonly initial = 0) {}

  get(id: number): number {
    const chunk = this.chunks[id >>> 14];
    return chunk === undefined ? this.initial : chunk[id & (CHUNK_KEYS - 1)]!;
  }

  add(id: number, value: number): void {
    this.chunkOf(id)[id & (CHUNK_KEYS - 1)]! += value;
  }

  set(id: number, value: number): void {
    this.chunkOf(id)[id & (CHUNK_KEYS - 1)] = value;
  }

  private chunkOf(id: number): Float64Array {
    const at = id >>> 14;
    while (this.chunks.length <= at) {
      const chunk = new Float64Array(CHUNK_KEYS);
      if (this.initial !== 0) chunk.fill(this.initial);
      this.chunks.push(chunk);
    }
    return this.chunks[at]!;
  }
}

/** A column of non-negative integers in 4 bytes each; sums past 2³² − 1 move to a side table. */
class CountColumn {
  private readonly chunks: Uint32Array[] = [];
  private readonly overflow = new Map<number, number>();

  get(id: number): number {
    if (this.overflow.size !== 0) {
      const big = this.overflow.get(id);
      if (big !== undefined) return big;
    }
    const chunk = this.chunks[id >>> 14];
    return chunk === undefined ? 0 : chunk[id & (CHUNK_KEYS - 1)]!;
  }

  set(id: number, value: number): void {
    const at = id >>> 14;
    while (this.chunks.length <= at) this.chunks.push(new Uint32Array(CHUNK_KEYS));
    if (Number.isInteger(value) && value >= 0 && value <= UINT32_MAX) {
      this.chunks[at]![id & (CHUNK_KEYS - 1)] = value;
      if (this.overflow.size !== 0) this.overflow.delete(id);
    } else {
      this.overflow.set(id, value);
    }
  }

  add(id: number, value: number): void {
    this.set(id, this.get(id) + value);
  }
}

/** Pages of the merged keys as code units (Latin-1 bytes or UTF-16 pairs), chunk by chunk. */
class PageArena {
  private readonly chunks: Uint8Array[] = [];
  private used = 1 << ARENA_CHUNK_BITS;

  /** Stores units[start, end) and returns its reference (chunk and offset). */
  put(units: Uint8Array | Uint16Array, start: number, end: number, wide: boolean): number {
    const bytes = (end - start) * (wide ? 2 : 1);
    if (this.used + bytes > 1 << ARENA_CHUNK_BITS) {
      this.chunks.push(new Uint8Array(Math.max(1 << ARENA_CHUNK_BITS, bytes)));
      this.used = 0;
    }
    const chunk = this.chunks[this.chunks.length - 1]!;
    const at = this.used;
    if (wide) {
      for (let i = start, o = at; i < end; i++, o += 2) {
        chunk[o] = units[i]! & 0xff;
        chunk[o + 1] = units[i]! >>> 8;
      }
    } else {
      for (let i = start, o = at; i < end; i++, o++) chunk[o] = units[i]!;
    }
    this.used += bytes;
    return (this.chunks.length - 1) * (1 << ARENA_CHUNK_BITS) + at;
  }

  /** Code unit `j` of the page at `ref`. */
  unit(ref: number, wide: boolean, j: number): number {
    const chunk = this.chunks[Math.floor(ref / (1 << ARENA_CHUNK_BITS))]!;
    const o = ref % (1 << ARENA_CHUNK_BITS);
    return wide ? chunk[o + 2 * j]! | (chunk[o + 2 * j + 1]! << 8) : chunk[o + j]!;
  }

  /** Whether the page at `ref` has the code units `units[start, end)`. */
  equals(
    ref: number,
    wide: boolean,
    units: Uint8Array | Uint16Array,
    start: number,
    end: number,
  ): boolean {
    const chunk = this.chunks[Math.floor(ref / (1 << ARENA_CHUNK_BITS))]!;
    let o = ref % (1 << ARENA_CHUNK_BITS);
    if (wide) {
      for (let i = start; i < end; i++, o += 2) {
        if ((chunk[o]! | (chunk[o + 1]! << 8)) !== units[i]) return false;
      }
    } else {
      for (let i = start; i < end; i++, o++) if (chunk[o] !== units[i]) return false;
    }
    return true;
  }

  text(ref: number, wide: boolean, length: number): string {
    const chunk = this.chunks[Math.floor(ref / (1 << ARENA_CHUNK_BITS))]!;
    const o = ref % (1 << ARENA_CHUNK_BITS);
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString(
      wide ? 'utf16le' : 'latin1',
      o,
      o + length * (wide ? 2 : 1),
    );
  }
}

interface Detail {
  example: string;
  readonly signatures: Map<string, { count: number; countError: number }>;
}

/**
 * Merges per-shard partials, added in the cut's order, into one top-N result, holding one
 * entry per distinct key (and no partial once added).
 *
 * @example
 * ```ts
 * const merger = new PartialMerger();
 * for (const bytes of storedInCutOrder) merger.add(decodePartial(bytes));
 * const { result, window, formats } = merger.finish({ topN: 10, previous });
 * ```
 */
export class PartialMerger {
  /** Regions of every partial, by first appearance, and hashKey's state after each. */
  private readonly regionIds = new Map<string, number>();
  private readonly regions: string[] = [];
  private readonly regionStates: number[] = [];
  /** Open addressing: id + 1 per slot, 0 when free; at most half full. */
  private slots = new Int32Array(1 << 10);
  private keys = 0;
  private readonly arena = new PageArena();
  private readonly regionOf = new CountColumn();
  private readonly hashOf = new CountColumn();
  private readonly pageRef = new CountColumn();
  /** Code units, with WIDE_PAGE set for a page stored as UTF-16. */
  private readonly pageLength = new CountColumn();
  private readonly count = new Column();
  private readonly overestimate = new Column();
  /** Σ error bounds of the bounded partials that list the key. */
  private readonly listedBound = new Column();
  private readonly count5xx = new CountColumn();
  private readonly count4xx = new CountColumn();
  private readonly countLevel = new CountColumn();
  private readonly firstSeenMs = new Column(Number.NaN);
  private readonly lastSeenMs = new Column(Number.NaN);
  private readonly details = new Map<number, Detail>();
  private readonly filter = new Uint32Array(KeyHistoryLimits.FILTER_BITS / 32);
  private readonly windows: ShardWindow[] = [];
  private readonly boundedShards: string[] = [];
  private readonly distinctKeysSeen: number[] = [];
  private readonly totals = {
    events: 0,
    errors5xx: 0,
    errors4xx: 0,
    errorsLevel: 0,
    unparsed: 0,
    errorBound: 0,
  };
  private readonly decode: DecodeStats = emptyDecodeStats();
  private formatCounts: DecodeFormatCounts | undefined;
  private formatsOf: Omit<PartialFormatCounts, 'counts'> | undefined;
  private formatsAgree = true;
  private signatureRulesVersion: number | undefined;
  private bounded = false;

  /** Adds the next partial of the cut. */
  add(partial: ShardPartial): void {
    this.windows.push(partial.window);
    this.signatureRulesVersion ??= partial.signatureRulesVersion;
    for (const key of Object.keys(this.decode) as (keyof DecodeStats)[]) {
      this.decode[key] += partial.decode[key];
    }
    this.totals.events += partial.events;
    this.totals.errors5xx += partial.errors5xx;
    this.totals.errors4xx += partial.errors4xx;
    this.totals.errorsLevel += partial.errorsLevel;
    this.totals.unparsed += partial.unparsed;
    this.distinctKeysSeen.push(partial.distinctKeys);
    this.addFormats(partial);
    const bound = partial.bounded ? partial.errorBound : 0;
    if (partial.bounded) {
      this.bounded = true;
      this.totals.errorBound += bound;
      this.boundedShards.push(partial.window.shardId);
    }

    const keys = partial.keys;
    const regionIdOf = keys.regions.map((r) => this.regionId(r));
    for (let i = 0; i < keys.length; i++) {
      const id = this.idOf(keys, i, regionIdOf[keys.region[i]!]!);
      this.count.add(id, keys.count[i]!);
      this.overestimate.add(id, keys.overestimate[i]!);
      if (bound !== 0) this.listedBound.add(id, bound);
      this.count5xx.add(id, keys.count5xx[i]!);
      this.count4xx.add(id, keys.count4xx[i]!);
      this.countLevel.add(id, keys.countLevel[i]!);
      const first = keys.firstSeenMs[i]!;
      if (!Number.isNaN(first) && !(first >= this.firstSeenMs.get(id))) {
        this.firstSeenMs.set(id, first);
      }
      const last = keys.lastSeenMs[i]!;
      if (!Number.isNaN(last) && !(last <= this.lastSeenMs.get(id))) {
        this.lastSeenMs.set(id, last);
      }
      const detail = keys.detail.get(i);
      if (detail !== undefined) {
        let into = this.details.get(id);
        if (into === undefined) {
          into = { example: '', signatures: new Map() };
          this.details.set(id, into);
        }
        if (into.example === '' && detail[0] !== '') into.example = detail[0];
        for (const [signature, n, error] of detail[1]) {
          const sum = into.signatures.get(signature);
          if (sum === undefined) into.signatures.set(signature, { count: n, countError: error });
          else {
            sum.count += n;
            sum.countError += error;
          }
        }
      }
    }
  }

  /** The merged result of every partial added. */
  finish(options: MergeOptions = {}): MergedPartials {
    const topN = options.topN ?? 10;
    if (!Number.isInteger(topN) || topN < 1 || topN > TopNLimits.MAX_TOP_N) {
      throw new ConfigError([
        { path: 'topN', message: `must be an integer from 1 to ${TopNLimits.MAX_TOP_N}` },
      ]);
    }
    const keys = this.keys;
    const totalBound = this.totals.errorBound;
    const countOf = (id: number) =>
      this.count.get(id) + (totalBound === 0 ? 0 : totalBound - this.listedBound.get(id));
    const ranksBefore = (a: number, countA: number, b: number, countB: number) =>
      countA !== countB ? countA > countB : this.compareKeys(a, b) < 0;
    const top: { id: number; count: number }[] = [];
    for (let id = 0; id < keys; id++) {
      const count = countOf(id);
      const last = top[top.length - 1];
      if (top.length < topN || ranksBefore(id, count, last!.id, last!.count)) {
        let i = top.length;
        while (i > 0 && ranksBefore(id, count, top[i - 1]!.id, top[i - 1]!.count)) i--;
        top.splice(i, 0, { id, count });
        if (top.length > topN) top.pop();
      }
    }

    const { errors5xx, errors4xx, errorsLevel } = this.totals;
    const errors = errors5xx + errors4xx + errorsLevel;
    const changeOf = changeAgainst(options.previous);
    const rows = top.map(({ id, count }): TopNRow => {
      const region = this.regions[this.regionOf.get(id)]!;
      const page = this.pageText(id);
      const detail = this.details.get(id);
      const signatures = [...(detail?.signatures ?? [])]
        .map(([signature, n]) => ({ signature, count: n.count, countError: n.countError }))
        .sort((a, b) => b.count - a.count || compareText(a.signature, b.signature))
        .slice(0, SIGNATURES_PER_KEY);
      const firstSeen = this.firstSeenMs.get(id);
      const lastSeen = this.lastSeenMs.get(id);
      return {
        region,
        page,
        count,
        share: errors === 0 ? 0 : Math.round((count / errors) * SHARE_DECIMALS) / SHARE_DECIMALS,
        count5xx: this.count5xx.get(id),
        count4xx: this.count4xx.get(id),
        countLevel: this.countLevel.get(id),
        countError: this.overestimate.get(id) + (count - this.count.get(id)),
        signatures,
        example: detail?.example ?? '',
        firstSeen: Number.isNaN(firstSeen) ? null : new Date(firstSeen).toISOString(),
        lastSeen: Number.isNaN(lastSeen) ? null : new Date(lastSeen).toISOString(),
        change: changeOf(region, page, count),
      };
    });

    const result: TopNResult = {
      rows,
      totals: {
        events: this.totals.events,
        errors,
        errors5xx,
        errors4xx,
        errorsLevel,
        unparsed: this.totals.unparsed,
        // Exact when no partial is bounded; otherwise the best lower estimate at hand.
        distinctKeys: this.bounded ? Math.max(keys, ...this.distinctKeysSeen) : keys,
      },
      bounded: this.bounded,
      errorBound: totalBound,
      signatureRulesVersion: this.signatureRulesVersion ?? 0,
    };
    // What the next iteration needs to tell new keys (as TopNAggregator keeps it): every key
    // with its count while there are few, and a filter of every key either way. A bounded
    // partial does not list every key it saw: without a complete history, earlier counts of
    // keys below the cut-off read as unknown rather than as a wrong "new".
    let keyHistory;
    if (!this.bounded) {
      let counted: [string, string, number][] | undefined;
      if (keys <= KeyHistoryLimits.MAX_COUNTED_KEYS) {
        counted = [];
        for (let id = 0; id < keys; id++) {
          counted.push([this.regions[this.regionOf.get(id)]!, this.pageText(id), countOf(id)]);
        }
        counted.sort((a, b) => b[2] - a[2] || compareText(a[0], b[0]) || compareText(a[1], b[1]));
      }
      keyHistory = keyHistoryOf(
        counted,
        counted === undefined ? this.filter : undefined,
        TopNLimits.MAX_RESULT_BYTES - Buffer.byteLength(JSON.stringify(result)),
      );
    }
    const formats = this.formatsFinished(options.formats);
    return {
      result: keyHistory === undefined ? result : { ...result, keyHistory },
      window: [...this.windows],
      decode: { ...this.decode },
      ...(formats === undefined ? {} : { formats }),
      boundedShards: [...this.boundedShards],
    };
  }

  private regionId(region: string): number {
    let id = this.regionIds.get(region);
    if (id === undefined) {
      id = this.regions.length;
      this.regionIds.set(region, id);
      this.regions.push(region);
      this.regionStates.push(hashKeyRegion(region));
    }
    return id;
  }

  /** The id of key i of a partial, a new one if the merge has not seen the key. */
  private idOf(keys: PartialColumns, i: number, region: number): number {
    const units = keys.pageUnits;
    const start = keys.pageStart[i]!;
    const end = keys.pageStart[i + 1]!;
    const hash = hashKeyPage(this.regionStates[region]!, units, start, end);
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const held = this.slots[slot]!;
      if (held === 0) break;
      const id = held - 1;
      if (
        this.hashOf.get(id) === hash &&
        this.regionOf.get(id) === region &&
        this.samePage(id, units, start, end)
      ) {
        return id;
      }
      slot = (slot + 1) & mask;
    }
    const id = this.keys++;
    let wide = false;
    if (units instanceof Uint16Array) {
      for (let j = start; j < end && !wide; j++) wide = units[j]! > 0xff;
    }
    this.regionOf.set(id, region);
    this.hashOf.set(id, hash);
    this.pageRef.set(id, this.arena.put(units, start, end, wide));
    this.pageLength.set(id, end - start + (wide ? WIDE_PAGE : 0));
    addToFilter(this.filter, hash);
    this.slots[slot] = id + 1;
    if (this.keys * 2 > this.slots.length) this.grow();
    return id;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.keys; id++) {
      let slot = this.hashOf.get(id) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }

  private samePage(id: number, units: Uint8Array | Uint16Array, start: number, end: number) {
    const stored = this.pageLength.get(id);
    const length = stored & ~WIDE_PAGE;
    if (length !== end - start) return false;
    return this.arena.equals(this.pageRef.get(id), (stored & WIDE_PAGE) !== 0, units, start, end);
  }

  private pageText(id: number): string {
    const stored = this.pageLength.get(id);
    return this.arena.text(this.pageRef.get(id), (stored & WIDE_PAGE) !== 0, stored & ~WIDE_PAGE);
  }

  /** Region, then page, in code-unit order (the report's tie order). */
  private compareKeys(a: number, b: number): number {
    const byRegion = compareText(
      this.regions[this.regionOf.get(a)]!,
      this.regions[this.regionOf.get(b)]!,
    );
    if (byRegion !== 0) return byRegion;
    const [la, lb] = [this.pageLength.get(a), this.pageLength.get(b)];
    const [ra, rb] = [this.pageRef.get(a), this.pageRef.get(b)];
    const [wa, wb] = [(la & WIDE_PAGE) !== 0, (lb & WIDE_PAGE) !== 0];
    const [na, nb] = [la & ~WIDE_PAGE, lb & ~WIDE_PAGE];
    for (let j = 0; j < Math.min(na, nb); j++) {
      const d = this.arena.unit(ra, wa, j) - this.arena.unit(rb, wb, j);
      if (d !== 0) return d;
    }
    return na - nb;
  }

  private addFormats(partial: ShardPartial): void {
    // A partial without events counted nothing, whichever version counted it.
    if (partial.decode.events === 0 && partial.events === 0) return;
    const formats = partial.formats;
    if (formats === undefined) {
      this.formatsAgree = false;
      return;
    }
    if (this.formatsOf === undefined) {
      this.formatsOf = { detectorVersion: formats.detectorVersion, parser: formats.parser };
    } else if (
      this.formatsOf.detectorVersion !== formats.detectorVersion ||
      this.formatsOf.parser !== formats.parser
    ) {
      this.formatsAgree = false;
    }
    const counts = (this.formatCounts ??= zeroCounts());
    for (const name of DecodedFormatNames) counts[name] += formats.counts[name] ?? 0;
  }

  private formatsFinished(
    fallback: Omit<PartialFormatCounts, 'counts'> | undefined,
  ): PartialFormatCounts | undefined {
    if (!this.formatsAgree) return undefined;
    const of = this.formatsOf ?? fallback;
    if (of === undefined) return undefined;
    return {
      detectorVersion: of.detectorVersion,
      parser: of.parser,
      counts: { ...(this.formatCounts ?? zeroCounts()) },
    };
  }
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
  options: MergeOptions = {},
): MergedPartials {
  const merger = new PartialMerger();
  for (const partial of partials) merger.add(partial);
  return merger.finish(options);
}

function zeroCounts(): DecodeFormatCounts {
  return Object.fromEntries(DecodedFormatNames.map((f) => [f, 0])) as DecodeFormatCounts;
}
