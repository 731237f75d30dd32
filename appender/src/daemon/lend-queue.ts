/**
 * Buffers lent out in order, each until the count of records passed (put or forgotten)
 * reaches its mark: the bookkeeping the daemon's buffer pools share. Pure.
 *
 * @example
 * ```ts
 * const queue = new LendQueue((buf) => free.push(buf));
 * queue.lend(buf, 500); // held until 500 records passed the shipper
 * queue.reclaim(500); // buf handed back
 * ```
 */
export class LendQueue {
  /** Lent buffers, oldest first, and the count of records passed each one waits for. */
  private lent: Buffer[] = [];
  private marks: number[] = [];
  private head = 0;

  /** @param release - called with each buffer once its mark was reached, in the order lent */
  constructor(private readonly release: (buf: Buffer) => void) {}

  /** Buffers lent and not reclaimed yet. */
  get count(): number {
    return this.lent.length - this.head;
  }

  /** Holds `buf` until `mark` records passed. Marks never decrease from one call to the next. */
  lend(buf: Buffer, mark: number): void {
    this.lent.push(buf);
    this.marks.push(mark);
  }

  /** Releases the lent buffers whose mark `passed` reached, in the order they were lent. */
  reclaim(passed: number): void {
    const lent = this.lent;
    let head = this.head;
    while (head < lent.length && this.marks[head]! <= passed) this.release(lent[head++]!);
    if (head === lent.length) {
      this.lent = [];
      this.marks = [];
      head = 0;
    } else if (head > COMPACT_AFTER && head * 2 > lent.length) {
      this.lent = lent.slice(head);
      this.marks = this.marks.slice(head);
      head = 0;
    }
    this.head = head;
  }
}

/** Released slots at the front of the queue past which it is copied down (bounds its arrays). */
const COMPACT_AFTER = 64;
