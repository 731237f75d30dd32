/*
 *   acquire(text) ──hash──▶ HashSlotIndex ──▶ entry e (refs[e]++)   or a free entry, text copied in
 *   release(e)    ──refs[e]-- == 0──▶ removed from the index, pushed on the free stack
 *
 *   units: Uint16Array [capacity × maxUnits]   fixed at construction; freed entries are reused
 *   before untouched ones, so only as many pages are ever touched as distinct texts were live.
 *
 *   recent(text) ──slot of (length, ends)──▶ same text as remembered there (V8's own compare)
 *                                            and its entry not reused since? ──▶ entry, or -1
 */
import { detachString } from '../classify/detach-string.js';
import { HashSlotIndex } from './hash-slot-index.js';
import { hashText } from './key-hash.js';
import { equalUnits, fittedLength, readUnits, writeUnits } from './unit-arena.js';

/**
 * Distinct signature texts shared by the counters of a {@link CompactSpaceSaving}, reference
 * counted, in typed arrays: a counter holds entry numbers, never strings, so replacing or
 * evicting a signature allocates nothing. `capacity` must cover every reference that can be held
 * at once (counters × signatures per counter), so `acquire` never runs out.
 *
 * @example
 * ```ts
 * const table = new SignatureTable(10, 120);
 * const e = table.acquire('timeout', table.hashOf('timeout'));
 * table.text(e); // 'timeout'
 * table.release(e);
 * ```
 */
export class SignatureTable {
  private readonly units: Uint16Array;
  private readonly lengths: Uint16Array;
  private readonly hashes: Uint32Array;
  private readonly refs: Int32Array;
  private readonly free: Int32Array;
  private freeTop = 0;
  /** Entries below this have been used; above it, never touched. */
  private fresh = 0;
  private readonly index: HashSlotIndex;
  /** Bumped each time an entry is given a text: a remembered (entry, version) is still that text. */
  private readonly versions: Uint32Array;
  /** A few recent texts and their entries (see {@link recent}); copies, never views. */
  private readonly recentTexts: (string | undefined)[] = new Array<string | undefined>(
    RECENT_SLOTS,
  ).fill(undefined);
  private readonly recentEntries = new Int32Array(RECENT_SLOTS);
  private readonly recentVersions = new Uint32Array(RECENT_SLOTS);

  constructor(
    capacity: number,
    private readonly maxUnits: number,
  ) {
    this.units = new Uint16Array(capacity * maxUnits);
    this.lengths = new Uint16Array(capacity);
    this.hashes = new Uint32Array(capacity);
    this.refs = new Int32Array(capacity);
    this.free = new Int32Array(capacity);
    this.index = new HashSlotIndex(capacity, this.hashes);
    this.versions = new Uint32Array(capacity);
  }

  /**
   * The entry holding `text`, when `text` is one of the few texts {@link remember}ed lately and
   * its entry still holds it; else -1 (the caller then goes the way of {@link hashOf} and
   * {@link matches}). Counting an error looks its signature up this way first: signatures
   * repeat, and comparing two strings natively costs less than hashing one code unit by code
   * unit and comparing it with the stored units.
   */
  recent(text: string): number {
    const slot = recentSlot(text);
    if (this.recentTexts[slot] !== text) return -1;
    const e = this.recentEntries[slot]!;
    return this.versions[e] === this.recentVersions[slot] && this.refs[e]! > 0 ? e : -1;
  }

  /** Remembers that entry `e` holds `text` (whose stored text is `text` itself, uncut). */
  remember(text: string, e: number): void {
    if (text.length > this.maxUnits) return;
    const slot = recentSlot(text);
    if (this.recentTexts[slot] !== text) this.recentTexts[slot] = detachString(text);
    this.recentEntries[slot] = e;
    this.recentVersions[slot] = this.versions[e]!;
  }

  /** The hash `acquire` and `matches` expect for `text` (of its stored, possibly cut, part). */
  hashOf(text: string): number {
    return hashText(text, fittedLength(text, this.maxUnits));
  }

  /** Whether entry `e` holds `text` (whose `hashOf` is `hash`). */
  matches(e: number, text: string, hash: number): boolean {
    const length = this.lengths[e]!;
    return (
      this.hashes[e] === hash &&
      length === fittedLength(text, this.maxUnits) &&
      equalUnits(this.units, e * this.maxUnits, text, length)
    );
  }

  /** An entry holding `text`, shared if one exists; the caller owns one reference. */
  acquire(text: string, hash: number): number {
    const index = this.index;
    for (let p = index.start(hash); index.slotAt(p) >= 0; p = index.next(p)) {
      const e = index.slotAt(p);
      if (this.matches(e, text, hash)) {
        this.refs[e]!++;
        return e;
      }
    }
    let e: number;
    if (this.freeTop > 0) e = this.free[--this.freeTop]!;
    else if (this.fresh < this.refs.length) e = this.fresh++;
    else throw new RangeError('signature table full: capacity too small');
    const length = fittedLength(text, this.maxUnits);
    writeUnits(this.units, e * this.maxUnits, text, length);
    this.lengths[e] = length;
    this.hashes[e] = hash;
    this.refs[e] = 1;
    this.versions[e] = (this.versions[e]! + 1) >>> 0;
    index.insert(e);
    return e;
  }

  release(e: number): void {
    if (--this.refs[e]! > 0) return;
    this.index.remove(e);
    this.free[this.freeTop++] = e;
  }

  text(e: number): string {
    return readUnits(this.units, e * this.maxUnits, this.lengths[e]!);
  }

  /** Entries in use (distinct texts referenced). */
  get size(): number {
    return this.fresh - this.freeTop;
  }
}

/** Texts remembered by {@link SignatureTable.recent}: a power of two. */
const RECENT_SLOTS = 256;

/** Slot of a text among the recent ones: from its length and its first and last code units. */
function recentSlot(text: string): number {
  const length = text.length;
  if (length === 0) return 0;
  return (length * 31 + text.charCodeAt(0) * 7 + text.charCodeAt(length - 1)) & (RECENT_SLOTS - 1);
}
