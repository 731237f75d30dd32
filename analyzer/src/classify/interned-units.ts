/*
 *   caller writes code units ──▶ units[0, length), and their FNV-1a hash
 *   text(length, hash) ──▶ slot of the hash ──same units?──▶ the string made before
 *                                            └─no──▶ a new string, kept in that slot
 *
 * For results that repeat although their inputs do not (the page of `/orders/1234/items` and of
 * `/orders/77/items`): written as code units, they are made into a string only when the slot of
 * their hash does not hold the same text already. Counting then meets the same string object
 * again and again, which it compares by reference, and no string is made per record.
 */

/** FNV-1a's offset basis, as a signed 32-bit integer: the hash of no units. */
export const FNV_OFFSET = 0x811c9dc5 | 0;
/** FNV-1a's prime: `hash = Math.imul(hash ^ unit, FNV_PRIME)` for each unit. */
export const FNV_PRIME = 0x01000193;

/**
 * A fixed table of texts by the hash of their code units, and the buffer a text is written into
 * before it is looked up. Bounded: `slots` texts of at most `maxUnits` units each (2 bytes a
 * unit, allocated here); a text whose slot holds another replaces it. A collision costs only a
 * new string: texts are compared unit by unit before one is given back.
 *
 * @example
 * ```ts
 * const texts = new InternedUnits(1024, 200);
 * let hash = FNV_OFFSET;
 * texts.units[0] = 0x2f;
 * hash = Math.imul(hash ^ 0x2f, FNV_PRIME);
 * texts.text(1, hash); // '/', the same string object each time
 * ```
 */
export class InternedUnits {
  /** Where a caller writes the units of the text it looks up next. */
  readonly units: Uint16Array;
  private readonly texts: (string | undefined)[];
  private readonly keptUnits: Uint16Array;
  /** Length of each kept text; 0 for an empty slot (the empty text is never kept). */
  private readonly keptLengths: Uint16Array;
  /** {@link units} and the kept units two at a time: compared a pair at a time. */
  private readonly unitPairs: Int32Array;
  private readonly keptPairs: Int32Array;

  /**
   * @param slots Texts kept: a power of two.
   * @param maxUnits Longest text looked up (`text`'s `length`).
   * @param bufferUnits Size of {@link units}, for callers that write past `maxUnits` before
   *   they know the text is too long to look up.
   */
  constructor(
    private readonly slots: number,
    private readonly maxUnits: number,
    bufferUnits: number = maxUnits,
  ) {
    if (!Number.isInteger(Math.log2(slots)) || slots < 1) {
      throw new RangeError(`slots must be a power of two, got ${String(slots)}`);
    }
    if (!Number.isInteger(maxUnits) || maxUnits < 1 || maxUnits > 0xffff) {
      throw new RangeError(`maxUnits must be an integer from 1 to 65535, got ${String(maxUnits)}`);
    }
    if (!Number.isInteger(bufferUnits) || bufferUnits < maxUnits) {
      throw new RangeError(`bufferUnits must be an integer ≥ maxUnits, got ${String(bufferUnits)}`);
    }
    this.units = new Uint16Array(bufferUnits);
    this.texts = new Array<string | undefined>(slots).fill(undefined);
    this.keptUnits = new Uint16Array(slots * maxUnits);
    this.keptLengths = new Uint16Array(slots);
    this.unitPairs = new Int32Array(this.units.buffer, 0, bufferUnits >> 1);
    this.keptPairs = new Int32Array(this.keptUnits.buffer, 0, (slots * maxUnits) >> 1);
  }

  /**
   * The text of `units[0, length)`, whose FNV-1a hash (see {@link FNV_PRIME}) is `hash`;
   * `length` is at most `maxUnits`.
   */
  text(length: number, hash: number): string {
    const units = this.units;
    const slot = (hash ^ (hash >>> 16)) & (this.slots - 1);
    const at = slot * this.maxUnits;
    const kept = this.keptUnits;
    if (this.keptLengths[slot] === length && length > 0 && this.sameAsKept(at, length)) {
      return this.texts[slot]!;
    }
    const view = units.subarray(0, length);
    // At most maxUnits arguments (a page: 200): far below any engine's limit.
    const made = String.fromCharCode.apply(null, view as unknown as number[]);
    if (length > 0) {
      kept.set(view, at);
      this.keptLengths[slot] = length;
      this.texts[slot] = made;
    }
    return made;
  }

  /** Whether units[0, length) equals keptUnits[at, at + length). */
  private sameAsKept(at: number, length: number): boolean {
    let i = 0;
    if ((at & 1) === 0) {
      // A slot at an even unit (any slot when maxUnits is even): two units per comparison.
      const pairs = length >> 1;
      const from = at >> 1;
      const keptPairs = this.keptPairs;
      const unitPairs = this.unitPairs;
      for (; i < pairs; i++) if (keptPairs[from + i] !== unitPairs[i]) return false;
      i = pairs * 2;
    }
    const kept = this.keptUnits;
    const units = this.units;
    for (; i < length; i++) if (kept[at + i] !== units[i]) return false;
    return true;
  }
}
