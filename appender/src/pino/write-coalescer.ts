/**
 * The main-thread side of the pino transport: the lines pino writes are joined into one string
 * before they reach thread-stream, which otherwise makes a Buffer of each line and holds it in
 * an array until its next turn of the event loop copies them into the worker's shared buffer
 * (a burst of 100,000 lines: 100,000 small Buffers, kept alive and promoted by the collector).
 *
 *   logger.info ─► write(line) ─► pending += line ─┬─ ≥ COALESCE_MAX_CHARS ─► thread-stream.write(pending)
 *                                                  └─ first line of the tick: queueMicrotask(hand over)
 *   flush / flushSync / end ─► hand over what is pending first, then thread-stream's own
 *
 * The microtask hands the rest over before thread-stream's own `setImmediate` turn would copy
 * it, so the worker sees a line no later than before; pino's exit hooks call `flushSync` and
 * `end` on the same stream object, so a `process.exit()` right after logging loses nothing.
 */

/**
 * Characters joined before they go to thread-stream at once: one Buffer per this much text
 * instead of one per line, and little enough that a burst still reaches the worker in pieces.
 */
export const COALESCE_MAX_CHARS = 64 * 1024;

/** The part of a thread-stream that {@link coalesceWrites} wraps. */
export interface CoalescibleStream {
  write(data: string): boolean;
  flush(cb?: (err?: Error) => void): void;
  flushSync(): void;
  end(): void;
  /** thread-stream's: its shared buffer and queue are full (what its `write` answers, negated). */
  readonly writableNeedDrain?: boolean;
}

/**
 * Makes `stream` join the strings written to it, in order, and hand them over at
 * {@link COALESCE_MAX_CHARS}, at the end of the current tick, or before any flush or end:
 * its own `write`, `flush`, `flushSync` and `end` are replaced on the object itself.
 *
 * @example
 * ```ts
 * const stream = pino.transport({ target: '@kinlog/appender/pino', options });
 * coalesceWrites(stream);
 * const logger = pino(stream);
 * ```
 */
export function coalesceWrites(stream: CoalescibleStream): void {
  const write = stream.write.bind(stream);
  const flush = stream.flush.bind(stream);
  const flushSync = stream.flushSync.bind(stream);
  const end = stream.end.bind(stream);
  let pending = '';
  let queued = false;

  const handOver = (): boolean => {
    if (pending.length === 0) return stream.writableNeedDrain !== true;
    const text = pending;
    pending = '';
    return write(text);
  };
  const handOverQueued = (): void => {
    queued = false;
    handOver();
  };

  Object.assign(stream, {
    write(chunk: string | Buffer): boolean {
      if (typeof chunk !== 'string') {
        // thread-stream takes Buffers too (its typings say strings only).
        handOver();
        return (write as (data: string | Buffer) => boolean)(chunk);
      }
      pending += chunk;
      if (pending.length >= COALESCE_MAX_CHARS) return handOver();
      if (!queued) {
        queued = true;
        queueMicrotask(handOverQueued);
      }
      return stream.writableNeedDrain !== true;
    },
    flush(cb?: (err?: Error) => void): void {
      handOver();
      flush(cb);
    },
    flushSync(): void {
      handOver();
      flushSync();
    },
    end(): void {
      handOver();
      end();
    },
  });
}
