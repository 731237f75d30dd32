/**
 * The worker side's stream: thread-stream writes text chunks of pino's output into it, and each
 * complete line goes to `put` synchronously, in the write call (no line stream, no async
 * iteration, no promise per line):
 *
 *   write(chunk) ─► split at '\n' ─► put(line) per line ─► callback
 *                   (the unfinished tail is carried, and joins only the next chunk's first line)
 *                   any put() false (buffer full, whenFull: block) ─► callback after ready()
 *   end ─► the carried tail is put ─► destroy ─► close() ─► 'close'
 */
import { Writable } from 'node:stream';

/** What a {@link LineWriter} hands its lines to. */
export interface LineWriterHandlers {
  /** Takes one line (without its newline); false asks the writer to wait for `ready()`. */
  put(line: string): boolean;
  /** Resolves when `put` may be called again after it returned false. */
  ready(): Promise<void>;
  /** Releases what the lines went to; called once, when the stream ends or is destroyed. */
  close(): Promise<void>;
}

const NEWLINE = '\n';

/**
 * A Writable of newline-separated text that puts every line, as written, synchronously.
 * Empty lines are skipped; a last line without a newline is put at the end.
 *
 * @example
 * ```ts
 * const writer = new LineWriter({ put: (l) => sink.putEncoded(l), ready: () => sink.ready(), close: () => sink.close() });
 * writer.write('{"msg":"a"}\n{"msg":"b"}\n');
 * ```
 */
export class LineWriter extends Writable {
  private carry = '';
  private writing: Promise<void> | undefined;

  constructor(private readonly handlers: LineWriterHandlers) {
    super({ decodeStrings: false, autoDestroy: true });
  }

  /** Resolves once every line written so far has been put (a write waiting for room included). */
  async idle(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }

  override _write(
    chunk: string | Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let slowDown = false;
    let nl = text.indexOf(NEWLINE);
    if (nl === -1) {
      // Rare: a chunk inside one long line (thread-stream hands over up to 4 MiB at a time).
      this.carry += text;
      callback();
      return;
    }
    // Only the first line joins the carried tail: `carry + text` would copy the whole chunk.
    const first = this.carry.length === 0 ? text.slice(0, nl) : this.carry + text.slice(0, nl);
    if (first.length > 0 && !this.handlers.put(first)) slowDown = true;
    let start = nl + 1;
    for (nl = text.indexOf(NEWLINE, start); nl !== -1; nl = text.indexOf(NEWLINE, start)) {
      if (nl > start && !this.handlers.put(text.slice(start, nl))) slowDown = true;
      start = nl + 1;
    }
    this.carry = text.slice(start);
    if (!slowDown) {
      callback();
      return;
    }
    const done = (): void => {
      this.writing = undefined;
      callback();
    };
    this.writing = this.handlers.ready().then(done, done);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.carry.length > 0) this.handlers.put(this.carry);
    this.carry = '';
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.handlers.close().then(
      () => callback(error),
      () => callback(error),
    );
  }
}
