/** The table is at least this many times the capacity: probe runs stay short. */
const LOAD_FACTOR_INVERSE = 2;

/**
 * An open-addressing (linear probing) index from a 32-bit hash to slot numbers `0 … capacity-1`,
 * in one `Int32Array` fixed at construction. The owner keeps each slot's hash in `hashes` and
 * confirms a candidate itself, so the index never sees a key. Removal shifts the following run
 * back (no tombstones), so the table never degrades however many keys come and go.
 *
 * ```
 *   table[h & mask] ─▶ slot + 1 (0 = empty) ─▶ hashes[slot] === h ? owner compares the key
 * ```
 *
 * @example
 * ```ts
 * const hashes = new Uint32Array(8);
 * const index = new HashSlotIndex(8, hashes);
 * hashes[3] = 0xdeadbeef;
 * index.insert(3);
 * for (let p = index.start(0xdeadbeef); index.slotAt(p) >= 0; p = index.next(p)) {}
 * ```
 */
export class HashSlotIndex {
  private readonly table: Int32Array;
  private readonly mask: number;

  constructor(
    capacity: number,
    private readonly hashes: Uint32Array,
  ) {
    let size = 1;
    while (size < capacity * LOAD_FACTOR_INVERSE) size *= 2;
    this.table = new Int32Array(size);
    this.mask = size - 1;
  }

  /** First probe position for `hash`. */
  start(hash: number): number {
    return hash & this.mask;
  }

  next(position: number): number {
    return (position + 1) & this.mask;
  }

  /** The slot at a probe position, -1 when empty (the end of the probe run). */
  slotAt(position: number): number {
    return this.table[position]! - 1;
  }

  /** Adds `slot` under `hashes[slot]`; the slot must not be in the index already. */
  insert(slot: number): void {
    let p = this.hashes[slot]! & this.mask;
    while (this.table[p] !== 0) p = (p + 1) & this.mask;
    this.table[p] = slot + 1;
  }

  /** Removes `slot` (indexed under `hashes[slot]`), closing the gap it leaves. */
  remove(slot: number): void {
    const table = this.table;
    const mask = this.mask;
    let hole = this.hashes[slot]! & mask;
    while (table[hole] !== slot + 1) {
      if (table[hole] === 0) return;
      hole = (hole + 1) & mask;
    }
    table[hole] = 0;
    for (let p = (hole + 1) & mask; table[p] !== 0; p = (p + 1) & mask) {
      const home = this.hashes[table[p]! - 1]! & mask;
      // The entry may move into the hole only if its home is not cyclically in (hole, p].
      const stays = hole <= p ? home > hole && home <= p : home > hole || home <= p;
      if (!stays) {
        table[hole] = table[p]!;
        table[p] = 0;
        hole = p;
      }
    }
  }
}
