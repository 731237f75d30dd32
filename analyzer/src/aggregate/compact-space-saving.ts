/*
 *   slot s of capacity m — every field a typed array indexed by s, allocated once:
 *
 *   keyUnits   [m × 264] u16   region (≤ 64 units) then page (≤ 200 units); regionLength, pageLength
 *   keyHashes  [m] u32 ◀──── HashSlotIndex (open addressing, 2m+ entries): hash ─▶ s
 *   counts, overestimates, count5xx/4xx/Level, firstSeen/lastSeen [m] f64
 *   exampleUnits [m × 320] u16, exampleLength [m] u16, examplePending [m] u8
 *   signatureIds/Counts/Errors [m × 5] i32/f64/f64 ──▶ SignatureTable (5m entries, shared)
 *   heap, heapPosition [m] i32   min-heap on counts, built when the first key is evicted
 *   seen [2^18 bits]             Bloom filter of every key seen, from the first eviction on
 *   recent keys [256]            (region, page) strings counted lately ─▶ slot and its version
 *
 * A new key takes the next free slot; once all m are used (bounded), it takes the minimum's
 * slot and its count (Space-Saving). Nothing is allocated per add after construction.
 */
import { detachString } from '../classify/detach-string.js';
import { MAX_REGION_CHARS } from '../classify/normalize-region.js';
import { PageLimits } from '../classify/fold-page.js';
import { SignatureLimits } from '../classify/message-signature.js';
import type { EventKind } from '../classify/classify-event.js';
import { DistinctCountSketch } from './distinct-count-sketch.js';
import { HashSlotIndex } from './hash-slot-index.js';
import { hashKey } from './key-hash.js';
import { addToFilter, KeyHistoryLimits } from './key-history.js';
import { SignatureTable } from './signature-table.js';
import { MAX_EXAMPLE_CHARS, SIGNATURES_PER_KEY } from './top-n-result.js';
import { compareUnits, equalUnits, fittedLength, readUnits, writeUnits } from './unit-arena.js';

const REGION_UNITS = MAX_REGION_CHARS;
const PAGE_UNITS = PageLimits.MAX_PAGE_CHARS;
const KEY_UNITS = REGION_UNITS + PAGE_UNITS;
/** Largest magnitude `Date` accepts; times outside it are ignored. */
const MAX_TIME_MS = 8.64e15;

/** One tracked key as a result needs it (strings are made only here). */
export interface CompactEntry {
  readonly region: string;
  readonly page: string;
  readonly count: number;
  /** Count inherited from an evicted key: the most `count` can exceed the true count by. */
  readonly overestimate: number;
  readonly count5xx: number;
  readonly count4xx: number;
  readonly countLevel: number;
  /** Most frequent first, ties by text in code-unit order; `countError`: the most `count` can
   * exceed the true count by (a signature that took a replaced one's place inherits its count). */
  readonly signatures: { signature: string; count: number; countError: number }[];
  readonly example: string;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
}

/**
 * Error counts by (region, page) in memory fixed at construction: exact while at most `capacity`
 * keys appear, then a Space-Saving summary whose every count exceeds the truth by at most
 * `errorBound` (the minimum counter) and which holds every key whose true count is above it.
 * Regions and pages longer than the classifier's limits (64 and 200 code units) and signatures
 * over 120 are cut there, without splitting a surrogate pair; examples are cut at 320.
 *
 * Per key, whatever the input: about 2.4 KB of address space (key 528 B, example 640 B,
 * 5 signature references and their share of the signature table, counters); pages of the
 * example and signature arenas that are never written are never made resident.
 *
 * @example
 * ```ts
 * const store = new CompactSpaceSaving(10_000);
 * store.add('error5xx', 'EU', '/cart', '503 Service Unavailable', line, Date.now());
 * store.top(10)[0]?.count; // 1
 * ```
 */
export class CompactSpaceSaving {
  readonly capacity: number;
  private used = 0;
  private readonly keyUnits: Uint16Array;
  private readonly regionLengths: Uint8Array;
  private readonly pageLengths: Uint8Array;
  private readonly keyHashes: Uint32Array;
  private readonly index: HashSlotIndex;
  private readonly counts: Float64Array;
  private readonly overestimates: Float64Array;
  private readonly counts5xx: Float64Array;
  private readonly counts4xx: Float64Array;
  private readonly countsLevel: Float64Array;
  private readonly firstSeenMs: Float64Array;
  private readonly lastSeenMs: Float64Array;
  private readonly exampleUnits: Uint16Array;
  private readonly exampleLengths: Uint16Array;
  /** Set for a key admitted by eviction: its next line is not kept (see `record`). */
  private readonly examplePending: Uint8Array;
  private readonly signatureIds: Int32Array;
  private readonly signatureCounts: Float64Array;
  private readonly signatureErrors: Float64Array;
  private readonly signatureUsed: Uint8Array;
  private readonly signatures: SignatureTable;
  private heap: Int32Array | undefined;
  private heapPosition: Int32Array | undefined;
  private sketch: DistinctCountSketch | undefined;
  /** Bloom filter of every key seen, kept from the first eviction on (see key-history.ts). */
  private seen: Uint32Array | undefined;
  /** Bumped when a slot is given to another key: a recent key's slot is still its own if equal. */
  private readonly slotVersions: Uint32Array;
  /** Keys counted lately, by {@link recentKeySlot}: their strings, slot and its version then. */
  private readonly recentRegions: (string | undefined)[] = new Array<string | undefined>(
    RECENT_KEYS,
  ).fill(undefined);
  private readonly recentPages: (string | undefined)[] = new Array<string | undefined>(
    RECENT_KEYS,
  ).fill(undefined);
  private readonly recentSlots = new Int32Array(RECENT_KEYS);
  private readonly recentVersions = new Uint32Array(RECENT_KEYS);

  constructor(capacity: number) {
    this.capacity = capacity;
    this.keyUnits = new Uint16Array(capacity * KEY_UNITS);
    this.regionLengths = new Uint8Array(capacity);
    this.pageLengths = new Uint8Array(capacity);
    this.keyHashes = new Uint32Array(capacity);
    this.slotVersions = new Uint32Array(capacity);
    this.index = new HashSlotIndex(capacity, this.keyHashes);
    this.counts = new Float64Array(capacity);
    this.overestimates = new Float64Array(capacity);
    this.counts5xx = new Float64Array(capacity);
    this.counts4xx = new Float64Array(capacity);
    this.countsLevel = new Float64Array(capacity);
    this.firstSeenMs = new Float64Array(capacity);
    this.lastSeenMs = new Float64Array(capacity);
    this.exampleUnits = new Uint16Array(capacity * MAX_EXAMPLE_CHARS);
    this.exampleLengths = new Uint16Array(capacity);
    this.examplePending = new Uint8Array(capacity);
    this.signatureIds = new Int32Array(capacity * SIGNATURES_PER_KEY);
    this.signatureCounts = new Float64Array(capacity * SIGNATURES_PER_KEY);
    this.signatureErrors = new Float64Array(capacity * SIGNATURES_PER_KEY);
    this.signatureUsed = new Uint8Array(capacity);
    this.signatures = new SignatureTable(
      capacity * SIGNATURES_PER_KEY,
      SignatureLimits.MAX_SIGNATURE_CHARS,
    );
  }

  /** Whether a key has been evicted (counts may now overestimate). */
  get bounded(): boolean {
    return this.heap !== undefined;
  }

  /** The most any count exceeds its key's true count by: the minimum counter once bounded. */
  get errorBound(): number {
    return this.heap === undefined ? 0 : this.counts[this.heap[0]!]!;
  }

  /** Keys tracked now. */
  get size(): number {
    return this.used;
  }

  /** Distinct keys seen: exact until bounded, then a HyperLogLog estimate. */
  distinctKeys(): number {
    return this.sketch?.estimate() ?? this.used;
  }

  /** Distinct signature texts currently referenced. */
  get signatureTexts(): number {
    return this.signatures.size;
  }

  /** Counts one error of (region, page). `exampleLine` is copied in only if it will be kept. */
  add(
    kind: EventKind,
    region: string,
    page: string,
    signature: string,
    exampleLine: string | undefined,
    timeMs: number | undefined,
  ): void {
    // Keys repeat: one counted lately is found by comparing its strings natively, instead of
    // hashing and comparing their code units with the stored ones (as the signature table does).
    const recent = recentKeySlot(region, page);
    let slot = this.recentSlots[recent]!;
    if (
      this.recentPages[recent] !== page ||
      this.recentRegions[recent] !== region ||
      this.slotVersions[slot] !== this.recentVersions[recent]
    ) {
      const found = this.slotOf(region, page);
      slot = found >= 0 ? found : ~found;
      // Only a key counted before is remembered: most keys admitted now, in a long-tailed
      // stream, never come again, and each copy held until the next young collection survives
      // it (the survivors are what makes V8 double its young generation: +16 MB of RSS).
      if (found >= 0) {
        // Stored as copies: either may be a view into a whole record (see detachString).
        if (this.recentPages[recent] !== page) this.recentPages[recent] = detachString(page);
        if (this.recentRegions[recent] !== region) {
          this.recentRegions[recent] = detachString(region);
        }
        this.recentSlots[recent] = slot;
        this.recentVersions[recent] = this.slotVersions[slot]!;
      }
    }
    this.record(slot, kind, signature, exampleLine, timeMs);
    if (this.heap !== undefined) {
      this.siftDown(this.heapPosition![slot]!);
      this.sketch!.addHash(this.keyHashes[slot]!);
    }
  }

  /** The slot of (region, page) found by its hash, or `~slot` of the slot it was admitted to. */
  private slotOf(region: string, page: string): number {
    const regionLength = fittedLength(region, REGION_UNITS);
    const pageLength = fittedLength(page, PAGE_UNITS);
    const hash =
      regionLength === region.length && pageLength === page.length
        ? hashKey(region, page)
        : hashKey(region.slice(0, regionLength), page.slice(0, pageLength));
    const slot = this.find(hash, region, regionLength, page, pageLength);
    return slot >= 0 ? slot : ~this.admit(hash, region, regionLength, page, pageLength);
  }

  /** Keys held by the recent look-up: at most 256, and none that was counted only once. */
  get rememberedKeys(): number {
    let n = 0;
    for (const page of this.recentPages) if (page !== undefined) n++;
    return n;
  }

  /**
   * Every key with its count while exact (`undefined` once bounded), and the filter of every key
   * seen once bounded: what the next iteration needs to tell new keys (see key-history.ts).
   */
  keysSeen(): { keys: [string, string, number][] | undefined; filter: Uint32Array | undefined } {
    if (this.seen !== undefined) return { keys: undefined, filter: this.seen.slice() };
    if (this.used > KeyHistoryLimits.MAX_COUNTED_KEYS) {
      const filter = new Uint32Array(KeyHistoryLimits.FILTER_BITS / 32);
      for (let slot = 0; slot < this.used; slot++) addToFilter(filter, this.keyHashes[slot]!);
      return { keys: undefined, filter };
    }
    const keys: [string, string, number][] = [];
    for (let slot = 0; slot < this.used; slot++) {
      const regionLength = this.regionLengths[slot]!;
      keys.push([
        readUnits(this.keyUnits, slot * KEY_UNITS, regionLength),
        readUnits(this.keyUnits, slot * KEY_UNITS + regionLength, this.pageLengths[slot]!),
        this.counts[slot]!,
      ]);
    }
    keys.sort(
      (a, b) =>
        b[2] - a[2] ||
        (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0),
    );
    return { keys, filter: undefined };
  }

  /** The `n` keys with the most errors, most first, ties by region then page (code units). */
  top(n: number): CompactEntry[] {
    const order = new Int32Array(this.used);
    for (let i = 0; i < this.used; i++) order[i] = i;
    order.sort((a, b) => this.compareSlots(a, b));
    return Array.from(order.subarray(0, n), (slot) => this.entry(slot));
  }

  private find(
    hash: number,
    region: string,
    regionLength: number,
    page: string,
    pageLength: number,
  ): number {
    const index = this.index;
    for (let p = index.start(hash); ; p = index.next(p)) {
      const slot = index.slotAt(p);
      if (slot < 0) return -1;
      if (
        this.keyHashes[slot] === hash &&
        this.regionLengths[slot] === regionLength &&
        this.pageLengths[slot] === pageLength &&
        equalUnits(this.keyUnits, slot * KEY_UNITS, region, regionLength) &&
        equalUnits(this.keyUnits, slot * KEY_UNITS + regionLength, page, pageLength)
      ) {
        return slot;
      }
    }
  }

  private admit(
    hash: number,
    region: string,
    regionLength: number,
    page: string,
    pageLength: number,
  ): number {
    let slot: number;
    let inherited = 0;
    if (this.used < this.capacity) {
      slot = this.used++;
      this.examplePending[slot] = 0;
    } else {
      if (this.heap === undefined) this.startBounding();
      addToFilter(this.seen!, hash);
      slot = this.heap![0]!;
      inherited = this.counts[slot]!;
      this.index.remove(slot);
      const base = slot * SIGNATURES_PER_KEY;
      for (let i = 0; i < this.signatureUsed[slot]!; i++) {
        this.signatures.release(this.signatureIds[base + i]!);
      }
      // Most keys admitted by eviction are never seen again: copying a line for each would be
      // most of the work of a long-tailed stream, so their second line is kept instead.
      this.examplePending[slot] = 1;
    }
    this.slotVersions[slot] = (this.slotVersions[slot]! + 1) >>> 0;
    writeUnits(this.keyUnits, slot * KEY_UNITS, region, regionLength);
    writeUnits(this.keyUnits, slot * KEY_UNITS + regionLength, page, pageLength);
    this.regionLengths[slot] = regionLength;
    this.pageLengths[slot] = pageLength;
    this.keyHashes[slot] = hash;
    this.index.insert(slot);
    this.counts[slot] = inherited;
    this.overestimates[slot] = inherited;
    this.counts5xx[slot] = 0;
    this.counts4xx[slot] = 0;
    this.countsLevel[slot] = 0;
    this.firstSeenMs[slot] = Number.NaN;
    this.lastSeenMs[slot] = Number.NaN;
    this.exampleLengths[slot] = 0;
    this.signatureUsed[slot] = 0;
    return slot;
  }

  private record(
    slot: number,
    kind: EventKind,
    signature: string,
    exampleLine: string | undefined,
    timeMs: number | undefined,
  ): void {
    this.counts[slot]!++;
    if (kind === 'error5xx') this.counts5xx[slot]!++;
    else if (kind === 'error4xx') this.counts4xx[slot]!++;
    else this.countsLevel[slot]!++;
    this.countSignature(slot, signature);
    if (this.examplePending[slot] === 1) {
      this.examplePending[slot] = 0;
    } else if (
      this.exampleLengths[slot] === 0 &&
      typeof exampleLine === 'string' &&
      exampleLine !== ''
    ) {
      const length = fittedLength(exampleLine, MAX_EXAMPLE_CHARS);
      writeUnits(this.exampleUnits, slot * MAX_EXAMPLE_CHARS, exampleLine, length);
      this.exampleLengths[slot] = length;
    }
    if (typeof timeMs === 'number' && Math.abs(timeMs) <= MAX_TIME_MS) {
      if (!(timeMs >= this.firstSeenMs[slot]!)) this.firstSeenMs[slot] = timeMs;
      if (!(timeMs <= this.lastSeenMs[slot]!)) this.lastSeenMs[slot] = timeMs;
    }
  }

  /** Space-Saving within the key: a new signature takes the smallest one's place and count. */
  private countSignature(slot: number, signature: string): void {
    const table = this.signatures;
    const base = slot * SIGNATURES_PER_KEY;
    const used = this.signatureUsed[slot]!;
    // A signature counted lately is found by its entry number alone (entries are one per text).
    const recent = table.recent(signature);
    if (recent >= 0) {
      for (let i = 0; i < used; i++) {
        if (this.signatureIds[base + i] === recent) {
          this.signatureCounts[base + i]!++;
          return;
        }
      }
    }
    const hash = table.hashOf(signature);
    let min = -1;
    for (let i = 0; i < used; i++) {
      const e = this.signatureIds[base + i]!;
      if (table.matches(e, signature, hash)) {
        this.signatureCounts[base + i]!++;
        table.remember(signature, e);
        return;
      }
      if (min < 0 || this.signatureCounts[base + i]! < this.signatureCounts[base + min]!) min = i;
    }
    let e: number;
    if (used < SIGNATURES_PER_KEY) {
      e = table.acquire(signature, hash);
      this.signatureIds[base + used] = e;
      this.signatureCounts[base + used] = 1;
      this.signatureErrors[base + used] = 0;
      this.signatureUsed[slot] = used + 1;
    } else {
      table.release(this.signatureIds[base + min]!);
      e = table.acquire(signature, hash);
      this.signatureIds[base + min] = e;
      this.signatureErrors[base + min] = this.signatureCounts[base + min]!;
      this.signatureCounts[base + min]!++;
    }
    table.remember(signature, e);
  }

  private startBounding(): void {
    const m = this.capacity;
    const heap = new Int32Array(m);
    const position = new Int32Array(m);
    const sketch = new DistinctCountSketch();
    const seen = new Uint32Array(KeyHistoryLimits.FILTER_BITS / 32);
    for (let i = 0; i < m; i++) {
      heap[i] = i;
      position[i] = i;
      sketch.addHash(this.keyHashes[i]!);
      addToFilter(seen, this.keyHashes[i]!);
    }
    this.seen = seen;
    this.heap = heap;
    this.heapPosition = position;
    this.sketch = sketch;
    for (let i = (m >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** Restores heap order after the count at heap position `index` was raised. */
  private siftDown(index: number): void {
    const heap = this.heap!;
    const position = this.heapPosition!;
    const counts = this.counts;
    const n = heap.length;
    const slot = heap[index]!;
    const count = counts[slot]!;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      let child = left;
      if (left + 1 < n && counts[heap[left + 1]!]! < counts[heap[left]!]!) child = left + 1;
      const childSlot = heap[child]!;
      if (counts[childSlot]! >= count) break;
      heap[i] = childSlot;
      position[childSlot] = i;
      i = child;
    }
    heap[i] = slot;
    position[slot] = i;
  }

  private compareSlots(a: number, b: number): number {
    const byCount = this.counts[b]! - this.counts[a]!;
    if (byCount !== 0) return byCount;
    const units = this.keyUnits;
    const ra = this.regionLengths[a]!;
    const rb = this.regionLengths[b]!;
    return (
      compareUnits(units, a * KEY_UNITS, ra, b * KEY_UNITS, rb) ||
      compareUnits(
        units,
        a * KEY_UNITS + ra,
        this.pageLengths[a]!,
        b * KEY_UNITS + rb,
        this.pageLengths[b]!,
      )
    );
  }

  private entry(slot: number): CompactEntry {
    const regionLength = this.regionLengths[slot]!;
    const base = slot * SIGNATURES_PER_KEY;
    const signatures: { signature: string; count: number; countError: number }[] = [];
    for (let i = 0; i < this.signatureUsed[slot]!; i++) {
      signatures.push({
        signature: this.signatures.text(this.signatureIds[base + i]!),
        count: this.signatureCounts[base + i]!,
        countError: this.signatureErrors[base + i]!,
      });
    }
    signatures.sort(
      (a, b) =>
        b.count - a.count || (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0),
    );
    return {
      region: readUnits(this.keyUnits, slot * KEY_UNITS, regionLength),
      page: readUnits(this.keyUnits, slot * KEY_UNITS + regionLength, this.pageLengths[slot]!),
      count: this.counts[slot]!,
      overestimate: this.overestimates[slot]!,
      count5xx: this.counts5xx[slot]!,
      count4xx: this.counts4xx[slot]!,
      countLevel: this.countsLevel[slot]!,
      signatures,
      example: readUnits(this.exampleUnits, slot * MAX_EXAMPLE_CHARS, this.exampleLengths[slot]!),
      firstSeenMs: this.firstSeenMs[slot]!,
      lastSeenMs: this.lastSeenMs[slot]!,
    };
  }
}

/** Keys remembered by {@link CompactSpaceSaving}'s recent look-up: a power of two. */
const RECENT_KEYS = 256;

/** Slot of a (region, page) among the recent keys: from lengths and a few code units. */
function recentKeySlot(region: string, page: string): number {
  const length = page.length;
  const units =
    length === 0
      ? 0
      : page.charCodeAt(length - 1) * 7 + page.charCodeAt(length >> 1) * 13 + length * 31;
  const first = region.length === 0 ? 0 : region.charCodeAt(0) + region.length * 3;
  return (units + first * 17) & (RECENT_KEYS - 1);
}
