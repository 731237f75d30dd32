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
import { LendQueue } from './lend-queue.js';

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
  private readonly lent = new LendQueue((buf) => this.giveBack(buf));

  constructor(readonly bytes: number) {}

  /** Buffers lent and not reclaimed yet. */
  get lentCount(): number {
    return this.lent.count;
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
    this.lent.lend(buf, mark);
  }

  /** Frees the lent buffers whose mark `passed` reached, in the order they were lent. */
  reclaim(passed: number): void {
    this.lent.reclaim(passed);
  }
}
