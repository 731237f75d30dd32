/**
 * Buffers lent out for PutRecords bodies and given back once their request is over, so that a
 * busy sink does not allocate (and page in) a fresh body of up to a few MiB per request:
 *
 *   take(size) ─► a free buffer big enough? ─► view of `size` bytes of it
 *                 └─ else a new one, its capacity rounded up (kept only if ≤ maxBufferBytes)
 *   give(body) ─► its buffer back on the free list (only a buffer lent now, once per loan)
 *
 * A large buffer that is freed after every request lives long enough to reach V8's old
 * generation; its memory then returns only at a full garbage collection, and the external
 * memory it stands for is what makes V8 run one. A few reused buffers cause neither.
 */

/** Capacity of a pooled buffer is a multiple of this, so bodies of similar size share one. */
export const BODY_POOL_ROUNDING_BYTES = 64 * 1024;

/** Bodies over this many bytes are allocated on their own and never kept. */
export const BODY_POOL_MAX_BUFFER_BYTES = 8 * 1024 * 1024;

/**
 * A small free list of body buffers.
 *
 * @example
 * ```ts
 * const pool = new BodyPool(4);
 * const body = pool.take(1_400_000); // 1,400,000 bytes, from a 1,441,792-byte buffer
 * // … send it; once the request is over and nothing refers to it any more:
 * pool.give(body);
 * ```
 */
export class BodyPool {
  private readonly free: ArrayBuffer[] = [];
  /** Buffers lent out now: only those are taken back, each once per loan. */
  private readonly lent = new WeakSet<ArrayBuffer>();

  /**
   * @param maxFree - free buffers kept at most (the requests in flight at once is enough)
   * @param maxBufferBytes - larger bodies are neither pooled nor kept
   */
  constructor(
    readonly maxFree: number,
    readonly maxBufferBytes = BODY_POOL_MAX_BUFFER_BYTES,
  ) {}

  /** Free buffers held now. */
  get freeCount(): number {
    return this.free.length;
  }

  /** A buffer of exactly `size` bytes, contents undefined: a view of a pooled one if it can. */
  take(size: number): Buffer {
    if (size > this.maxBufferBytes) return Buffer.allocUnsafe(size);
    let buffer: ArrayBuffer | undefined;
    while (buffer === undefined && this.free.length > 0) {
      const next = this.free.pop()!;
      // Too small for this body: let it go, the new one replaces it.
      if (next.byteLength >= size) buffer = next;
    }
    if (buffer === undefined) {
      const capacity = Math.min(
        this.maxBufferBytes,
        Math.ceil(Math.max(size, 1) / BODY_POOL_ROUNDING_BYTES) * BODY_POOL_ROUNDING_BYTES,
      );
      // allocUnsafeSlow: a buffer of its own, never a slice of Node's shared pool.
      buffer = Buffer.allocUnsafeSlow(capacity).buffer;
    }
    this.lent.add(buffer);
    return Buffer.from(buffer, 0, size);
  }

  /**
   * Takes back a body {@link take} lent, once nothing (no socket write, no caller) refers to it.
   * Anything else (a body of its own, or one given back already) is ignored.
   */
  give(body: Uint8Array): void {
    const buffer = body.buffer;
    if (!(buffer instanceof ArrayBuffer) || !this.lent.delete(buffer)) return;
    if (this.free.length < this.maxFree) this.free.push(buffer);
  }
}
