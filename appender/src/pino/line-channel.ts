/**
 * How the lines pino writes reach the transport's worker when the stream comes from
 * `kinesisPinoTransport`: as bytes, in messages on the worker's port, instead of through
 * thread-stream's shared buffer (which the application thread fills only on a later turn of its
 * event loop, and the worker reads back as a string to encode again).
 *
 *   application thread                         worker
 *   joined lines ─► Buffer (own memory) ─► postMessage(transfer) ─► LineWriter.write(bytes, done)
 *                  posted += 1                        done: every line put ─► put += 1 (shared)
 *   flushSync (pino's exit hooks) ─► blocks until put = posted (as thread-stream blocks until
 *                                    its buffer is read), then thread-stream's own
 *   end ─► once put = posted (waiting without blocking), thread-stream's end: it reaches the
 *          worker after every line
 *   flush(cb) ─► thread-stream's FLUSH message follows the lines on the same port
 *
 * So the worker reads while the application still logs, even inside one long synchronous loop,
 * and a burst waits in the worker's queue as the bytes pino wrote while the backlog gate pauses.
 * The waits give up, as thread-stream's do, after {@link MAX_STALL_MS} without progress, or when
 * the worker is gone.
 */
import { parentPort } from 'node:worker_threads';

/** The option key under which the channel's shared counter reaches the worker. */
export const LINE_CHANNEL_OPTION = 'kinlogLineChannel';

/** The code of a message carrying lines. */
const LINES_MESSAGE = 'kinlog.lines';

/** Index of the count of messages whose lines the worker has put, in the shared Int32Array. */
const PUT = 0;

/**
 * How long a wait at flushSync or end goes on without one more message put before it gives up
 * (thread-stream gives its worker as long to read its buffer).
 */
export const MAX_STALL_MS = 10_000;
/** One wait on the shared counter; the worker's death is checked between waits. */
const WAIT_STEP_MS = 100;

/** `Atomics.waitAsync` (Node ≥ 16; not in this TypeScript lib). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      array: Int32Array,
      index: number,
      value: number,
      timeoutMs: number,
    ): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync.bind(Atomics);

/** The part of a thread-stream the application side posts through. */
export interface LinePort {
  /** thread-stream forwards `emit('message', message, transferList)` to its worker. */
  emit(event: 'message', message: unknown, transferList: ArrayBuffer[]): boolean;
  /** thread-stream's: the worker is gone. */
  readonly destroyed?: boolean;
}

/**
 * The application side: posts joined lines to the worker, and waits for the worker to take them.
 *
 * @example
 * ```ts
 * const channel = new LinePoster(stream);
 * const logger = pino(stream); // options carried { [LINE_CHANNEL_OPTION]: channel.shared }
 * channel.post('{"msg":"hi"}\n');
 * channel.waitPut();
 * ```
 */
export class LinePoster {
  /** The counter shared with the worker (passed in the transport's options). */
  readonly shared = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  private readonly counter = new Int32Array(this.shared);
  private posted = 0;

  constructor(private port?: LinePort) {}

  /** The stream to post through, once it exists (it needs {@link shared} to be made). */
  attach(port: LinePort): void {
    this.port = port;
  }

  /** Posts `text` (whole lines, usually) as UTF-8 bytes, moved to the worker without a copy. */
  post(text: string): void {
    const port = this.port;
    if (text.length === 0 || port === undefined || port.destroyed === true) return;
    // Memory of its own, so it can be transferred (a small Buffer.from shares Node's pool).
    const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
    bytes.write(text, 'utf8');
    this.posted = (this.posted + 1) | 0;
    port.emit('message', { code: LINES_MESSAGE, bytes }, [bytes.buffer]);
  }

  /** Whether the worker has put every message posted (or there is no worker to wait for). */
  private settled(seen: number): boolean {
    return seen === this.posted || this.port === undefined || this.port.destroyed === true;
  }

  /**
   * Blocks until the worker has put the lines of every message posted, the worker is gone, or
   * `maxStallMs` passed without one more message put. Called where pino itself blocks
   * (flushSync: pino's exit hooks).
   */
  waitPut(maxStallMs = MAX_STALL_MS): void {
    let seen = Atomics.load(this.counter, PUT);
    let stallEnds = Date.now() + maxStallMs;
    while (!this.settled(seen)) {
      const left = stallEnds - Date.now();
      if (left <= 0) return;
      Atomics.wait(this.counter, PUT, seen, Math.min(left, WAIT_STEP_MS));
      const now = Atomics.load(this.counter, PUT);
      if (now !== seen) stallEnds = Date.now() + maxStallMs;
      seen = now;
    }
  }

  /** {@link waitPut} without blocking: resolves at the same point. Never rejects. */
  async whenPut(maxStallMs = MAX_STALL_MS): Promise<void> {
    let seen = Atomics.load(this.counter, PUT);
    let stallEnds = Date.now() + maxStallMs;
    while (!this.settled(seen)) {
      const left = stallEnds - Date.now();
      if (left <= 0) return;
      const wait = waitAsync(this.counter, PUT, seen, Math.min(left, WAIT_STEP_MS));
      if (wait.async) await wait.value;
      const now = Atomics.load(this.counter, PUT);
      if (now !== seen) stallEnds = Date.now() + maxStallMs;
      seen = now;
    }
  }

  /** Whether every message posted is put already. */
  get idle(): boolean {
    return this.settled(Atomics.load(this.counter, PUT));
  }
}

/**
 * The worker side: hands each message of lines to `take`, in order, with a `done` to call once
 * its lines are put (the application side waits on that count). Answers a function that stops
 * listening.
 *
 * @example
 * ```ts
 * const stop = receiveLines(options[LINE_CHANNEL_OPTION], (bytes, done) => writer.write(bytes, done));
 * ```
 */
export function receiveLines(
  shared: SharedArrayBuffer,
  take: (bytes: Buffer, done: () => void) => void,
): () => void {
  const counter = new Int32Array(shared);
  const done = (): void => {
    Atomics.add(counter, PUT, 1);
    Atomics.notify(counter, PUT);
  };
  const onMessage = (message: unknown): void => {
    const m = message as { code?: unknown; bytes?: unknown } | null;
    if (m?.code !== LINES_MESSAGE || !(m.bytes instanceof Uint8Array)) return;
    const b = m.bytes;
    take(Buffer.from(b.buffer, b.byteOffset, b.byteLength), done);
  };
  parentPort?.on('message', onMessage);
  return () => parentPort?.off('message', onMessage);
}

/** Whether `value` is a channel's shared counter (as it arrives in the worker's options). */
export function isLineChannel(value: unknown): value is SharedArrayBuffer {
  return value instanceof SharedArrayBuffer && value.byteLength === Int32Array.BYTES_PER_ELEMENT;
}
