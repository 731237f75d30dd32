/**
 * Who waits on the sink, and when they are let go.
 *
 *   put() false (block) ─► blocked ─► ready() waiters ─┐ released when buffered bytes < limit
 *                                                      └─► 'drain' event
 *   flush() ─► waiter { upToSeq: last seq put } ─► resolved once nothing at or below it is held
 *              (lowest held seq: lanes, open aggregates, records waiting for a map, in flight)
 */

interface FlushWaiter {
  upToSeq: number;
  resolve: () => void;
}

/**
 * The sink's `ready()` and `flush()` promises.
 *
 * @example
 * ```ts
 * const waiters = new FlushWaiters();
 * const done = waiters.flushUpTo(lastSeq);
 * waiters.check(bufferedBytes, maxBufferBytes, lowestHeldSeq); // resolves `done` when due
 * ```
 */
export class FlushWaiters {
  private flushWaiters: FlushWaiter[] = [];
  private readyWaiters: (() => void)[] = [];
  private isBlocked = false;

  /** Whether a put() answered false and the buffer has not gone under its limit since. */
  get blocked(): boolean {
    return this.isBlocked;
  }

  /** Whether someone awaits a flush (batches then go out without waiting for a full one). */
  get flushing(): boolean {
    return this.flushWaiters.length > 0;
  }

  block(): void {
    this.isBlocked = true;
  }

  /** Resolves once not blocked (at once when not). */
  ready(): Promise<void> {
    if (!this.isBlocked) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Resolves once every record up to `seq` is settled (see {@link check}). */
  flushUpTo(seq: number): Promise<void> {
    return new Promise((resolve) => this.flushWaiters.push({ upToSeq: seq, resolve }));
  }

  /**
   * Releases the waiters that are due; returns true when the ready waiters were released (the
   * sink then emits `drain`). `lowestHeldSeq` is asked only when a flush is awaited.
   */
  check(bufferedBytes: number, maxBufferBytes: number, lowestHeldSeq: () => number): boolean {
    let drained = false;
    if (this.isBlocked && bufferedBytes < maxBufferBytes) {
      this.releaseReady();
      drained = true;
    }
    if (this.flushWaiters.length === 0) return drained;
    const lowest = lowestHeldSeq();
    const still: FlushWaiter[] = [];
    for (const w of this.flushWaiters) {
      if (lowest > w.upToSeq) w.resolve();
      else still.push(w);
    }
    this.flushWaiters = still;
    return drained;
  }

  /** Lets every ready() waiter go (at close: put() then drops, it no longer blocks). */
  releaseReady(): void {
    this.isBlocked = false;
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
