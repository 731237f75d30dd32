/**
 * Read buffers used again once nothing holds a range of them:
 *
 *   take() ─► read into it ─► shipped: lent until `mark` records passed the shipper
 *      ▲                                  │ reclaim(passed ≥ mark)
 *      └────────────── free ◄─────────────┘
 *
 * A chunk's records are ranges of it until the shipper puts them (the sink copies what it is
 * put), so a chunk is free again once every record queued up to it was put or forgotten. A
 * fresh buffer per read allocated the whole file again, 256 KiB at a time, for the garbage
 * collector to find; a few buffers read into in turn keep the peak RSS lower and steadier.
 */

/** Free buffers kept (each of the read size); more are left to the garbage collector. */
const MAX_FREE_BUFFERS = 8;

/**
 * Read buffers of one size, lent out and taken back in the order they were lent. Pure.
 *
 * @example
 * ```ts
 * const buffers = new ReadBuffers(256 * 1024);
 * const buf = buffers.take();
 * // read into buf, ship its lines; the shipper has then queued `mark` records in all
 * buffers.lend(buf, mark);
 * buffers.reclaim(passed); // buf is free again once passed >= mark
 * ```
 */
export class ReadBuffers {
  private readonly free: Buffer[] = [];
  /** Lent buffers, oldest first, and the count of records passed each one waits for. */
  private lent: Buffer[] = [];
  private marks: number[] = [];
  private lentHead = 0;

  constructor(readonly bytes: number) {}

  /** Buffers lent and not reclaimed yet. */
  get lentCount(): number {
    return this.lent.length - this.lentHead;
  }

  /** Free buffers kept. */
  get freeCount(): number {
    return this.free.length;
  }

  /** A buffer of {@link bytes} bytes, whatever it held before. */
  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.bytes);
  }

  /** A buffer taken and not used (nothing holds a range of it): free at once. */
  giveBack(buf: Buffer): void {
    if (this.free.length < MAX_FREE_BUFFERS) this.free.push(buf);
  }

  /**
   * A buffer whose ranges are held until the count of records passed (put or forgotten)
   * reaches `mark`. Marks never decrease from one call to the next.
   */
  lend(buf: Buffer, mark: number): void {
    this.lent.push(buf);
    this.marks.push(mark);
  }

  /** Frees the lent buffers whose mark `passed` reached, in the order they were lent. */
  reclaim(passed: number): void {
    const lent = this.lent;
    let head = this.lentHead;
    while (head < lent.length && this.marks[head]! <= passed) {
      this.giveBack(lent[head]!);
      head++;
    }
    if (head === lent.length) {
      this.lent = [];
      this.marks = [];
      head = 0;
    } else if (head > 64 && head * 2 > lent.length) {
      this.lent = lent.slice(head);
      this.marks = this.marks.slice(head);
      head = 0;
    }
    this.lentHead = head;
  }
}
