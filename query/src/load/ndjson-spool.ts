/*
 *   rows ─▶ pending lines (≤ FLUSH_BYTES) ─▶ temp file in a private directory ─▶ read_json
 *   the directory (spool files and DuckDB's spills) is removed by close(), whatever happened;
 *   one a killed process left is removed by the next spool made on its host (stale-spools.ts)
 */
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoadLimitError } from '../errors.js';
import { removeStaleSpools, spoolNamePrefix } from './stale-spools.js';

/** Bounds of spooled rows. */
export const SpoolLimits = {
  /** Lines are written in batches of about this many bytes. */
  FLUSH_BYTES: 4 * 1024 * 1024,
  /** Write buffers kept for use again, per spool directory. */
  POOLED_BUFFERS: 4,
  /** One window's rows on disk, at most (a day of a busy stream fits). */
  DEFAULT_MAX_SPOOL_BYTES: 16 * 1024 * 1024 * 1024,
} as const;

/**
 * A private temp directory of NDJSON files that DuckDB loads; the fastest measured way to get
 * decoded events into it (see bench/load.bench.ts).
 *
 * @example
 * ```ts
 * const dir = await SpoolDirectory.create();
 * const file = dir.file('logs');
 * file.push('{"a":1}');
 * await file.close();
 * await dir.remove();
 * ```
 */
export class SpoolDirectory {
  private files = 0;
  private bytes = 0;
  private readonly buffers = new BufferPool();

  private constructor(
    readonly path: string,
    private readonly maxBytes: number,
  ) {}

  static async create(
    maxBytes: number = SpoolLimits.DEFAULT_MAX_SPOOL_BYTES,
    parent: string = tmpdir(),
  ): Promise<SpoolDirectory> {
    await removeStaleSpools(parent);
    return new SpoolDirectory(await mkdtemp(join(parent, spoolNamePrefix())), maxBytes);
  }

  /** A new spool file for one table (opened on its first write). */
  file(label: string): SpoolFile {
    this.files++;
    const path = join(this.path, `${this.files}-${label.replace(/[^\w.-]/g, '_')}.ndjson`);
    return new SpoolFile(path, (n) => this.account(n), this.buffers);
  }

  /** A subdirectory path for DuckDB's spills. */
  get spillPath(): string {
    return join(this.path, 'spill');
  }

  /** Removes every file; safe to call twice. */
  async remove(): Promise<void> {
    await rm(this.path, { recursive: true, force: true });
  }

  private account(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.maxBytes)
      throw new LoadLimitError('rows spooled to disk (bytes)', this.maxBytes);
  }
}

/**
 * Write buffers of FLUSH_BYTES, used again once written: a buffer left to the garbage
 * collector is freed only when V8 next collects, and tens of megabytes of them wait meanwhile.
 */
class BufferPool {
  private readonly free: Buffer[] = [];

  take(bytes: number): Buffer {
    if (bytes <= SpoolLimits.FLUSH_BYTES) {
      const buffer = this.free.pop();
      if (buffer !== undefined) return buffer;
    }
    return Buffer.allocUnsafe(Math.max(SpoolLimits.FLUSH_BYTES, bytes));
  }

  giveBack(buffer: Buffer): void {
    if (buffer.length === SpoolLimits.FLUSH_BYTES && this.free.length < SpoolLimits.POOLED_BUFFERS)
      this.free.push(buffer);
  }
}

/**
 * One NDJSON file being written. Lines are copied into large buffers as they come, so the
 * strings die young (cheap to collect) instead of waiting in arrays to be joined.
 */
export class SpoolFile {
  lines = 0;
  /** Bytes of the longest line so far (without its newline). */
  longestLineBytes = 0;
  /** What the writer noted about the lines as a whole (bits of its own; see stream-row-format.ts). */
  flags = 0;
  /** Values the writer's lines may leave out, the same for the whole file (see stream-row-format.ts). */
  shared: Readonly<Record<string, number>> | undefined;
  private handle: FileHandle | undefined;
  private buffer: Buffer | undefined;
  private used = 0;
  /** Where the line started by {@link startLine} begins, and ends so far. */
  private lineStart = 0;
  private cursor = 0;
  /** Buffers filled, each with the bytes of it used. */
  private full: FilledBuffer[] = [];
  /** The close started by the first {@link close}, which every later call awaits too. */
  private closing: Promise<void> | undefined;
  /** The write started by the last {@link flushIfFull}, at most one at a time. */
  private writing: Promise<void> | undefined;

  constructor(
    readonly path: string,
    private readonly account: (bytes: number) => void,
    private readonly pool: BufferPool = new BufferPool(),
  ) {}

  /** Adds a line; call {@link flushIfFull} between pages to bound what is held in memory. */
  push(line: string): void {
    this.pushParts(line, '');
  }

  /**
   * Adds the line `head + tail`, written in two parts: a long head (a record's own text) is
   * then copied once, not first joined into a new string.
   */
  pushParts(head: string, tail: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit, plus the newline.
    const buffer = this.room((head.length + tail.length) * 3 + 1);
    const start = this.used;
    let used = start + buffer.write(head, start);
    if (tail.length !== 0) used += buffer.write(tail, used);
    this.endLineAt(buffer, start, used);
  }

  /**
   * Starts a line with `head` (UTF-8), leaving room for `tailBytes` more bytes, which
   * {@link appendTab}, {@link appendAscii} and {@link appendInteger} add; {@link endLine} adds
   * the line. A line not ended is dropped by the next start. Short texts (a row's meta values)
   * are copied byte for byte this way: no joined string to flatten, no number turned into a
   * string and no UTF-8 encoder called for each, which cost more than the copy.
   *
   * @example
   * ```ts
   * file.startLine('{"a":1}', 32);
   * file.appendTab();
   * if (file.appendAscii('shard-1')) { file.appendTab(); file.appendInteger(42); file.endLine(); }
   * // {"a":1}⇥shard-1⇥42
   * ```
   */
  startLine(head: string, tailBytes: number): void {
    const buffer = this.room(head.length * 3 + tailBytes + 1);
    this.lineStart = this.used;
    this.cursor = this.used + buffer.write(head, this.used);
  }

  /** Adds a TAB to the line started. */
  appendTab(): void {
    this.buffer![this.cursor++] = TAB;
  }

  /**
   * Adds `text` to the line started when it is printable ASCII (U+0020 to U+007F), one byte
   * per character; false otherwise (the line must then be dropped: what was copied stays).
   */
  appendAscii(text: string): boolean {
    const buffer = this.buffer!;
    const at = this.cursor;
    const length = text.length;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      // One unsigned compare for both bounds: below U+0020 wraps around (56-digit sequence
      // numbers copied about an eighth faster).
      if ((c - FIRST_PRINTABLE) >>> 0 > LAST_ASCII - FIRST_PRINTABLE) return false;
      buffer[at + i] = c;
    }
    this.cursor = at + length;
    return true;
  }

  /** Adds the decimal digits of `n`, a safe integer (at most MAX_INTEGER_CHARS). */
  appendInteger(n: number): void {
    const buffer = this.buffer!;
    let at = this.cursor;
    if (n < 0) buffer[at++] = MINUS;
    const rest = Math.abs(n);
    // Two halves of at most eight digits each divide as int32 (an arrival's 13 digits in 35
    // instead of 46 ns): the leading half as long as it is, the other zero-padded to eight.
    const high = Math.floor(rest / HALF_DIVISOR);
    const low = rest - high * HALF_DIVISOR;
    const lead = high === 0 ? low : high;
    let digits = 1;
    for (let power = 10; power <= lead; power *= 10) digits++;
    at = putDigits(buffer, at + digits, lead, digits);
    if (high !== 0) at = putDigits(buffer, at + HALF_DIGITS, low, HALF_DIGITS);
    this.cursor = at;
  }

  /** Adds the line started (see {@link startLine}). */
  endLine(): void {
    const buffer = this.buffer!;
    // Bytes past the room asked for would be lost silently: a mistake of the caller's.
    if (this.cursor >= buffer.length) throw new RangeError('spool line longer than announced');
    this.endLineAt(buffer, this.lineStart, this.cursor);
  }

  /** The current write buffer, with room for `most` more bytes (a new one when it has not). */
  private room(most: number): Buffer {
    let buffer = this.buffer;
    if (buffer === undefined || this.used + most > buffer.length) {
      if (buffer !== undefined) this.full.push({ buffer, used: this.used });
      buffer = this.buffer = this.pool.take(most);
      this.used = 0;
    }
    return buffer;
  }

  /** Ends the line written from `start` to `end` of the current buffer. */
  private endLineAt(buffer: Buffer, start: number, end: number): void {
    buffer[end] = NEWLINE;
    this.used = end + 1;
    this.lines++;
    if (end - start > this.longestLineBytes) this.longestLineBytes = end - start;
  }

  /**
   * Starts writing the buffers filled so far, after the write started by the call before has
   * ended (whose failure it throws): the caller fills the next buffers while this one is
   * written, instead of waiting for the disk (and a thread of libuv's pool) each page.
   */
  async flushIfFull(): Promise<void> {
    if (this.full.length === 0) return;
    const writing = this.writing;
    this.writing = undefined;
    await writing;
    const full = this.full;
    this.full = [];
    // Past the spool's bound the flush fails at once, before anything more is written.
    this.reserve(full);
    const write = this.write(full);
    // Awaited by the next flush or by close(), which throw its failure.
    write.catch(() => undefined);
    this.writing = write;
  }

  /** Counts the bytes of `buffers` against the spool's bound (throws past it). */
  private reserve(buffers: readonly FilledBuffer[]): void {
    const bytes = bytesOf(buffers);
    if (bytes !== 0) this.account(bytes);
  }

  /** Writes `buffers` (their bytes already reserved) and gives them back to the pool. */
  private async write(buffers: FilledBuffer[]): Promise<void> {
    try {
      if (bytesOf(buffers) === 0) return;
      this.handle ??= await open(this.path, 'wx', 0o600);
      await this.handle.writev(buffers.map((b) => b.buffer.subarray(0, b.used)));
    } finally {
      for (const b of buffers) this.pool.giveBack(b.buffer);
    }
  }

  /**
   * Writes everything and closes the file (creating it, empty, if nothing came); safe twice:
   * a later call ends when the first does (whose failure only the first reports), so no
   * write is pending once any of them returned.
   */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing.catch(() => undefined);
    this.closing = this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    const rest = this.full;
    if (this.buffer !== undefined) rest.push({ buffer: this.buffer, used: this.used });
    this.full = [];
    this.buffer = undefined;
    this.used = 0;
    try {
      await this.writing;
      this.reserve(rest);
      await this.write(rest);
      this.handle ??= await open(this.path, 'wx', 0o600);
    } finally {
      await this.handle?.close();
    }
  }
}

const NEWLINE = 0x0a;
const TAB = 0x09;
/** appendInteger's halves: a safe integer's high half stays below 2^31 too. */
const HALF_DIGITS = 8;
const HALF_DIVISOR = 10 ** HALF_DIGITS;

/** Writes the `count` last decimal digits of `x` (0 ≤ x < 2^31) to end at `end`; returns `end`. */
function putDigits(buffer: Buffer, end: number, x: number, count: number): number {
  let rest = x;
  for (let at = end - 1; at >= end - count; at--) {
    const next = (rest / 10) | 0;
    buffer[at] = ZERO + (rest - next * 10);
    rest = next;
  }
  return end;
}

const FIRST_PRINTABLE = 0x20;
const LAST_ASCII = 0x7f;
const MINUS = 0x2d;
const ZERO = 0x30;

/** Characters of a safe integer's decimal text at most (sign included). */
export const MAX_INTEGER_CHARS = 17;

/** A write buffer and the bytes of it used. */
interface FilledBuffer {
  buffer: Buffer;
  used: number;
}

function bytesOf(buffers: readonly FilledBuffer[]): number {
  let bytes = 0;
  for (const b of buffers) bytes += b.used;
  return bytes;
}
