import { LendQueue } from './lend-queue.js';

/**
 * Buffers records are written into, a fixed set used in turn (the WebAssembly writer's own
 * memory, where it writes fastest), and fresh ones whenever none of those is free:
 *
 *   take() ─► records written into it ─► full: lent until `mark` records passed the shipper
 *      ▲                                              │ reclaim(passed ≥ mark)
 *      └──────────── free (a fixed one) ◄─────────────┘ (a fresh one: left to the GC)
 *
 * A record stays a range of its buffer until the shipper puts it (the sink copies what it is
 * put), so a buffer is free again once every record queued up to its last one was put or
 * forgotten. Pure.
 */
export class RecordBuffers {
  private readonly free: Buffer[];
  private readonly fixed: ReadonlySet<Buffer>;
  /** Lent fixed buffers. */
  private readonly lent = new LendQueue((buf) => this.free.push(buf));

  /**
   * @param fixed - buffers used again and again (each of `bytes` bytes at least)
   * @param bytes - the bytes of a fresh buffer, and the most a record may take
   *
   * @example
   * ```ts
   * const buffers = new RecordBuffers(wasm.outputBuffers, 256 * 1024);
   * const out = buffers.take();
   * // write records into out; once it is full and `mark` records were queued in all:
   * buffers.lend(out, mark);
   * buffers.reclaim(passed); // out is free again once passed >= mark
   * ```
   */
  constructor(
    fixed: readonly Buffer[],
    readonly bytes: number,
  ) {
    this.fixed = new Set(fixed);
    // Taken from the end: the first buffer first.
    this.free = [...fixed].reverse();
  }

  /** Fixed buffers lent and not reclaimed yet. */
  get lentCount(): number {
    return this.lent.count;
  }

  /** A free fixed buffer, else a fresh one of {@link bytes}; whatever it held before. */
  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.bytes);
  }

  /**
   * A full buffer, whose ranges are held until the count of records passed (put or forgotten)
   * reaches `mark`. Marks never decrease from one call to the next.
   */
  lend(buf: Buffer, mark: number): void {
    if (!this.fixed.has(buf)) return; // a fresh one: the garbage collector frees it
    this.lent.lend(buf, mark);
  }

  /** Frees the lent buffers whose mark `passed` reached, in the order they were lent. */
  reclaim(passed: number): void {
    this.lent.reclaim(passed);
  }
}
