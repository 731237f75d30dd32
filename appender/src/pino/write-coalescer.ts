/**
 * The main-thread side of the pino transport: the lines pino writes are joined into one string
 * before they go on, instead of thread-stream making a Buffer of each line and holding it in an
 * array until its next turn of the event loop copies them into the worker's shared buffer (a
 * burst of 100,000 lines: 100,000 small Buffers, kept alive and promoted by the collector).
 *
 *   logger.info ─► write(line) ─► pending += line ─┬─ ≥ COALESCE_MAX_CHARS ─► hand over
 *                                                  └─ first line of the tick: queueMicrotask(hand over)
 *   hand over: to the worker's port (line-channel.ts) when given one, else thread-stream.write
 *   flush / flushSync / end ─► hand over what is pending first (flushSync and end also wait for
 *                              the worker to put what was posted), then thread-stream's own
 *
 * The microtask hands the rest over before thread-stream's own `setImmediate` turn would copy
 * it, so the worker sees a line no later than before; pino's exit hooks call `flushSync` and
 * `end` on the same stream object, so an exit of the process right after logging loses nothing.
 */
import { StringDecoder } from 'node:string_decoder';

/**
 * Characters joined before they go to the worker at once: one Buffer per this much text instead
 * of one per line, and little enough that a burst reaches the worker in pieces it can start on.
 */
export const COALESCE_MAX_CHARS = 64 * 1024;

/** The part of a thread-stream that {@link coalesceWrites} wraps. */
export interface CoalescibleStream {
  write(data: string): boolean;
  flush(cb?: (err?: Error) => void): void;
  flushSync(): void;
  end(): void;
  emit(event: 'error', error: Error): boolean;
  /** thread-stream's: its shared buffer and queue are full (what its `write` answers, negated). */
  readonly writableNeedDrain?: boolean;
}

/** Where joined text goes instead of thread-stream's `write` (see line-channel.ts). */
export interface TextChannel {
  post(text: string): void;
  /** Whether the worker has put everything posted. */
  readonly idle: boolean;
  /** Blocks until the worker has put everything posted (bounded). */
  waitPut(): void;
  /** Resolves when the worker has put everything posted (bounded); never rejects. */
  whenPut(): Promise<void>;
}

/**
 * Makes `stream` join the strings written to it, in order, and hand them over at
 * {@link COALESCE_MAX_CHARS}, at the end of the current tick, or before any flush or end:
 * its own `write`, `flush`, `flushSync` and `end` are replaced on the object itself. With a
 * `channel`, the text goes there instead of to thread-stream's shared buffer (Buffers written
 * to the stream are decoded as the worker would, so every byte takes the one path, in order).
 *
 * @example
 * ```ts
 * const stream = pino.transport({ target: '@kinlog/appender/pino', options });
 * coalesceWrites(stream);
 * const logger = pino(stream);
 * ```
 */
export function coalesceWrites(stream: CoalescibleStream, channel?: TextChannel): void {
  const write = stream.write.bind(stream) as (data: string | Buffer) => boolean;
  const flush = stream.flush.bind(stream);
  const flushSync = stream.flushSync.bind(stream);
  const end = stream.end.bind(stream);
  const decoder = channel === undefined ? undefined : new StringDecoder('utf8');
  let decoding = false;
  let pending = '';
  let queued = false;
  let ending = false;

  const handOver = (): boolean => {
    if (pending.length === 0) return stream.writableNeedDrain !== true;
    const text = pending;
    pending = '';
    if (channel === undefined) return write(text);
    channel.post(text);
    return stream.writableNeedDrain !== true;
  };
  const handOverQueued = (): void => {
    queued = false;
    handOver();
  };
  /** Bytes the decoder holds (an unfinished character) end as the worker's decoder would end them. */
  const endDecoding = (): void => {
    if (decoder === undefined || !decoding) return;
    decoding = false;
    pending += decoder.end();
  };

  Object.assign(stream, {
    write(chunk: string | Buffer): boolean {
      if (ending) {
        // As thread-stream answers a write after end (its own end may still be waiting here).
        setImmediate(() => stream.emit('error', new Error('the worker is ending')));
        return false;
      }
      if (typeof chunk !== 'string') {
        if (decoder === undefined) {
          // thread-stream takes Buffers too (its typings say strings only).
          handOver();
          return write(chunk);
        }
        decoding = true;
        pending += decoder.write(chunk);
      } else {
        if (chunk.length > 0) endDecoding();
        pending += chunk;
      }
      if (pending.length >= COALESCE_MAX_CHARS) return handOver();
      if (!queued) {
        queued = true;
        queueMicrotask(handOverQueued);
      }
      return stream.writableNeedDrain !== true;
    },
    flush(cb?: (err?: Error) => void): void {
      handOver();
      // thread-stream's FLUSH message follows the posted lines on the worker's port.
      flush(cb);
    },
    flushSync(): void {
      handOver();
      channel?.waitPut();
      flushSync();
    },
    end(): void {
      endDecoding();
      handOver();
      if (channel === undefined || channel.idle) {
        end();
        return;
      }
      // thread-stream's end must reach the worker after every line: wait for them to be put,
      // without blocking (a flushSync meanwhile, at exit, blocks for the rest and ends first).
      ending = true;
      void channel.whenPut().then(end);
    },
  });
}
