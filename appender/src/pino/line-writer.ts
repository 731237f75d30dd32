/**
 * The worker side's stream: thread-stream writes text chunks of pino's output into it, and each
 * complete line goes to `put` synchronously, in the write call (no line stream, no async
 * iteration, no promise per line):
 *
 *   write(chunk) ─► split at '\n' ─► put(line) per line ─► callback
 *                   (the unfinished tail is carried, and joins only the next chunk's first line)
 *                   a put() false (hold back: backlog gate, whenFull: block) ─► the rest of the
 *                   chunk waits, as text, for ready(); then its lines are put ─► callback
 *   with putLines: the chunk's whole lines go in runs of up to LINE_RUN_CHARS characters, each
 *   encoded once into a buffer of its own and handed over as ranges (no string or buffer per
 *   line), the buffer given away (the sink holds the run in it: no second copy)
 *   bytes (kinesisPinoTransport's line channel): whole lines of valid UTF-8 with nothing carried
 *   ─► runs of up to LINE_RUN_CHARS bytes as ranges of that very buffer (no string, no copy);
 *   anything else is decoded and split as text
 *   end ─► the carried tail is put ─► destroy ─► close() ─► 'close'
 */
import { isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import { Writable } from 'node:stream';
import type { LineRange } from '../sink/line-run.js';

/** What a {@link LineWriter} hands its lines to. */
export interface LineWriterHandlers {
  /** Takes one line (without its newline); false: the next line waits for `ready()`. */
  put(line: string): boolean;
  /**
   * Takes several whole lines at once, as ranges of one buffer (none empty, no newlines) made
   * for this call alone (`owned`: the callee may keep it, nobody writes into it again); false:
   * the next line waits for `ready()`. Without it, every line goes to `put`.
   */
  putLines?(lines: LineRange): boolean;
  /** Resolves when `put` may be called again after it returned false. */
  ready(): Promise<void>;
  /** Releases what the lines went to; called once, when the stream ends or is destroyed. */
  close(): Promise<void>;
}

const NEWLINE = '\n';
const NEWLINE_BYTE = 0x0a;

/**
 * Characters of whole lines handed over at once with `putLines`: big enough that a run's
 * set-up is nothing per line, small enough that a pause (backlog gate) overshoots by little.
 */
export const LINE_RUN_CHARS = 64 * 1024;

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
  /** Bytes that are not taken as they are decode here, as thread-stream's worker decodes. */
  private readonly decoder = new StringDecoder('utf8');
  /** The decoder holds no unfinished character (the last bytes it took ended a line). */
  private decoderClean = true;

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
    let text: string;
    if (typeof chunk === 'string') {
      text = chunk;
    } else if (this.takesBytes(chunk)) {
      this.putBytesFrom(chunk, 0, callback);
      return;
    } else {
      text = this.decoder.write(chunk);
      if (chunk.length > 0) this.decoderClean = chunk[chunk.length - 1] === NEWLINE_BYTE;
    }
    const nl = text.indexOf(NEWLINE);
    if (nl === -1) {
      // Rare: a chunk inside one long line (thread-stream hands over up to 4 MiB at a time).
      this.carry += text;
      callback();
      return;
    }
    // Only the first line joins the carried tail: `carry + text` would copy the whole chunk.
    const first = this.carry.length === 0 ? text.slice(0, nl) : this.carry + text.slice(0, nl);
    this.carry = '';
    if (first.length > 0 && !this.handlers.put(first)) this.waitThenPut(text, nl + 1, callback);
    else this.putFrom(text, nl + 1, callback);
  }

  /** Puts the lines of `text` from `start` on; stops at the first put that asks to wait. */
  private putFrom(text: string, start: number, callback: (error?: Error | null) => void): void {
    if (this.handlers.putLines !== undefined) {
      this.putRunsFrom(text, start, callback, this.handlers.putLines.bind(this.handlers));
      return;
    }
    let from = start;
    for (let nl = text.indexOf(NEWLINE, from); nl !== -1; nl = text.indexOf(NEWLINE, from)) {
      const line = nl > from ? text.slice(from, nl) : '';
      from = nl + 1;
      if (line.length > 0 && !this.handlers.put(line)) {
        this.waitThenPut(text, from, callback);
        return;
      }
    }
    this.carry = text.slice(from);
    callback();
  }

  /** {@link putFrom} by runs of whole lines: one buffer per run, ranges for its lines. */
  private putRunsFrom(
    text: string,
    start: number,
    callback: (error?: Error | null) => void,
    putLines: (lines: LineRange) => boolean,
  ): void {
    let from = start;
    for (;;) {
      let end = text.lastIndexOf(NEWLINE, from + LINE_RUN_CHARS);
      if (end < from) end = text.indexOf(NEWLINE, from + LINE_RUN_CHARS);
      if (end === -1) break;
      const buf = Buffer.from(text.slice(from, end + 1), 'utf8');
      from = end + 1;
      const lines = linesOf(buf);
      if (lines.to > 0 && !putLines(lines)) {
        this.waitThenPut(text, from, callback);
        return;
      }
    }
    this.carry = text.slice(from);
    callback();
  }

  /**
   * Whether `bytes` can go in runs as they are: exactly what decoding them and splitting the
   * text would give (valid UTF-8, whole lines, no tail carried from before).
   */
  private takesBytes(bytes: Buffer): boolean {
    return (
      this.handlers.putLines !== undefined &&
      this.carry.length === 0 &&
      this.decoderClean &&
      bytes.length > 0 &&
      bytes[bytes.length - 1] === NEWLINE_BYTE &&
      isUtf8(bytes)
    );
  }

  /** {@link putRunsFrom} for bytes that end with a newline: runs are ranges of `bytes` itself. */
  private putBytesFrom(
    bytes: Buffer,
    start: number,
    callback: (error?: Error | null) => void,
  ): void {
    const putLines = this.handlers.putLines!.bind(this.handlers);
    let from = start;
    while (from < bytes.length) {
      let end = bytes.lastIndexOf(NEWLINE_BYTE, from + LINE_RUN_CHARS);
      if (end < from) end = bytes.indexOf(NEWLINE_BYTE, from + LINE_RUN_CHARS);
      const lines = linesOf(bytes, from, end + 1);
      from = end + 1;
      if (lines.to > 0 && !putLines(lines)) {
        const resume = (): void => {
          this.writing = undefined;
          this.putBytesFrom(bytes, from, callback);
        };
        this.writing = this.handlers.ready().then(resume, resume);
        return;
      }
    }
    callback();
  }

  /** The rest of the chunk waits for ready(): the lines not yet put stay text, not records. */
  private waitThenPut(text: string, from: number, callback: (error?: Error | null) => void): void {
    const resume = (): void => {
      this.writing = undefined;
      this.putFrom(text, from, callback);
    };
    this.writing = this.handlers.ready().then(resume, resume);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.decoderClean) this.carry += this.decoder.end();
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

/**
 * The non-empty lines of `buf[from, to)`, which ends with a newline, as ranges of `buf` (given
 * away: nothing writes into it later).
 */
function linesOf(buf: Buffer, from = 0, to = buf.length): LineRange {
  const starts: number[] = [];
  const ends: number[] = [];
  let at = from;
  for (
    let nl = buf.indexOf(NEWLINE_BYTE, at);
    nl !== -1 && nl < to;
    nl = buf.indexOf(NEWLINE_BYTE, at)
  ) {
    if (nl > at) {
      starts.push(at);
      ends.push(nl);
    }
    at = nl + 1;
  }
  return { buf, starts, ends, from: 0, to: starts.length, owned: true };
}
