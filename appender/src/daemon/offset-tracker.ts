//   put:   r1(end 100) r2(end 180) r3(end 260) r4(end 300)     (each rN may be a batch of records)
//   acked:     ✓                       ✓           ✓
//   committed = 100: r2 is still out, so a restart must re-read from 100 (r3, r4 resent)
//
// Records are registered in file order; acks arrive in any order. The committed point only
// moves over a gap-free prefix of acknowledged records.

/**
 * The contiguous acknowledged point of one file: the offset up to which every record was
 * acknowledged by Kinesis, so it is safe to resume from there after a crash. Pure.
 *
 * @example
 * ```ts
 * const t = new OffsetTracker(0);
 * const a = t.add(100), b = t.add(180);
 * t.ack(b); t.committed; // 0
 * t.ack(a); t.committed; // 180
 * ```
 */
export class OffsetTracker {
  private ends: number[] = [];
  private counts: number[] = [];
  private acked: boolean[] = [];
  private head = 0;
  /** Sequence number of `ends[0]`. */
  private base = 0;
  private committedOffset: number;
  /** Records registered, and records in the committed prefix. */
  private addedRecords = 0;
  private committedCount = 0;
  /** Bytes of the records (as put) in the committed prefix. */
  private sizes: number[] = [];
  private committedSize = 0;

  constructor(startOffset: number) {
    this.committedOffset = startOffset;
  }

  /** Offset up to which everything is acknowledged. */
  get committed(): number {
    return this.committedOffset;
  }

  /** Records registered and not yet part of the committed prefix. */
  get pending(): number {
    return this.addedRecords - this.committedCount;
  }

  /** Bytes (as put) of the records in the committed prefix since this tracker began. */
  get committedBytes(): number {
    return this.committedSize;
  }

  /** Records in the committed prefix since this tracker began. */
  get committedRecords(): number {
    return this.committedCount;
  }

  /**
   * Registers the next `records` records (1 by default; 0 for bytes that hold no record), which
   * end at `end` and weigh `bytes` as put, to be acknowledged together; returns their ticket
   * for {@link ack}.
   */
  add(end: number, records = 1, bytes = 0): number {
    this.ends.push(end);
    this.counts.push(records);
    this.sizes.push(bytes);
    this.acked.push(false);
    this.addedRecords += records;
    return this.base + this.ends.length - 1;
  }

  /** Marks a record acknowledged; moves the committed point over every acked record in a row. */
  ack(ticket: number): void {
    const i = ticket - this.base;
    if (i < this.head || i >= this.ends.length) return;
    this.acked[i] = true;
    while (this.head < this.ends.length && this.acked[this.head] === true) {
      this.committedOffset = this.ends[this.head]!;
      this.committedCount += this.counts[this.head]!;
      this.committedSize += this.sizes[this.head]!;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.ends.length) this.compact();
  }

  /** Moves the committed point when nothing is outstanding (skipped bytes, a file's start). */
  advanceIdle(offset: number): void {
    if (this.head === this.ends.length && offset > this.committedOffset) {
      this.committedOffset = offset;
    }
  }

  private compact(): void {
    this.ends = this.ends.slice(this.head);
    this.counts = this.counts.slice(this.head);
    this.sizes = this.sizes.slice(this.head);
    this.acked = this.acked.slice(this.head);
    this.base += this.head;
    this.head = 0;
  }
}
