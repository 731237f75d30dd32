import { isUtf8 } from 'node:buffer';

//   chunk ──► find "\n" ──► carry + bytes up to it ──► line (end offset = after "\n")
//                │ none
//                ▼
//   carry grows; at maxLineBytes: split ─► emit a piece now (end offset = after the piece)
//                                 truncate ─► keep the first maxLineBytes, skip to the "\n"
//
// Memory is bounded by maxLineBytes plus one chunk, whatever the input (binary, one 5 MB line).

const NEWLINE = 0x0a;
const CR = 0x0d;

/** How a line was cut, if it was. */
export const LineCuts = { SPLIT: 'split', TRUNCATED: 'truncated' } as const;
export type LineCut = (typeof LineCuts)[keyof typeof LineCuts];

/** One line out of a {@link LineSplitter}. */
export interface SplitLine {
  text: string;
  /** File offset just past this line (its `\n`, or the last byte of a piece). */
  end: number;
  /** Set when the line was longer than `maxLineBytes`. */
  cut?: LineCut;
  /** The bytes were not valid UTF-8; invalid sequences became U+FFFD. */
  invalidUtf8?: true;
}

/**
 * Receives lines from {@link LineSplitter.pushTo} as byte ranges, without a string or an object
 * per line. `buf` may be the chunk pushed (valid only as long as the caller keeps that chunk
 * unchanged) or a buffer of its own (a line joined across chunks, or cut).
 */
export interface LineVisitor {
  /**
   * One line: bytes `buf[from, to)`, without its `\n` and a `\r` before it; `end` is the file
   * offset just past it.
   */
  line(
    buf: Buffer,
    from: number,
    to: number,
    end: number,
    cut: LineCut | undefined,
    invalidUtf8: boolean,
  ): void;
}

/** Counters of a {@link LineSplitter}. */
export interface LineSplitterStats {
  lines: number;
  /** Pieces emitted from lines longer than `maxLineBytes` (split mode). */
  splitPieces: number;
  /** Lines cut to `maxLineBytes` (truncate mode). */
  truncated: number;
  /** Bytes dropped by truncation. */
  truncatedBytes: number;
  invalidUtf8: number;
}

/**
 * Cuts a byte stream into lines, tracking the file offset after each one. Pure.
 *
 * @example
 * ```ts
 * const splitter = new LineSplitter({ startOffset: 0, maxLineBytes: 1024, longLines: 'split' });
 * for (const line of splitter.push(Buffer.from('a\nb'))) console.log(line.text, line.end); // a 2
 * splitter.finish(); // [{ text: 'b', end: 3 }]
 * ```
 */
export class LineSplitter {
  private readonly maxLineBytes: number;
  private readonly truncate: boolean;
  private carry: Buffer[] = [];
  private carryBytes = 0;
  /** File offset of the next byte to be pushed. */
  private pos: number;
  private skipping = false;
  private skippedBytes = 0;
  readonly stats: LineSplitterStats = {
    lines: 0,
    splitPieces: 0,
    truncated: 0,
    truncatedBytes: 0,
    invalidUtf8: 0,
  };

  constructor(options: {
    startOffset: number;
    maxLineBytes: number;
    longLines: 'split' | 'truncate';
  }) {
    this.pos = options.startOffset;
    this.maxLineBytes = options.maxLineBytes;
    this.truncate = options.longLines === 'truncate';
  }

  /** Offset just past the last complete line handed out (where a restart would resume). */
  get lineEnd(): number {
    return this.pos - this.carryBytes - (this.skipping ? this.skippedBytes : 0);
  }

  /** Bytes held of a line not yet ended. */
  get pendingBytes(): number {
    return this.carryBytes;
  }

  /** Takes the next bytes of the file; returns the lines they complete. */
  push(chunk: Buffer): SplitLine[] {
    const out: SplitLine[] = [];
    this.pushTo(chunk, collector(out));
    return out;
  }

  /**
   * Takes the next bytes of the file and hands each line it completes to `visitor`, as a byte
   * range (no string, no object per line).
   */
  pushTo(chunk: Buffer, visitor: LineVisitor): void {
    const allValid = isUtf8(chunk);
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      const stop = nl === -1 ? chunk.length : nl;
      if (this.skipping) {
        this.skippedBytes += stop - start;
        this.stats.truncatedBytes += stop - start;
        if (nl === -1) break;
        this.emit(
          visitor,
          Buffer.concat(this.carry, this.carryBytes),
          this.pos + nl + 1,
          LineCuts.TRUNCATED,
        );
        this.skipping = false;
        this.skippedBytes = 0;
        this.carry = [];
        this.carryBytes = 0;
        start = nl + 1;
        continue;
      }
      const room = this.maxLineBytes - this.carryBytes;
      if (stop - start > room) {
        // The line passes maxLineBytes before its end (or the chunk's end).
        this.carry.push(chunk.subarray(start, start + room));
        this.carryBytes += room;
        const piece = Buffer.concat(this.carry, this.carryBytes);
        this.carry = [];
        this.carryBytes = 0;
        if (this.truncate) {
          this.carry = [piece];
          this.carryBytes = piece.length;
          this.skipping = true;
          this.skippedBytes = 0;
          this.stats.truncated++;
        } else {
          this.stats.splitPieces++;
          this.emit(visitor, piece, this.pos + start + room, LineCuts.SPLIT);
        }
        start += room;
        continue;
      }
      if (nl === -1) {
        // Copy: the caller may reuse its read buffer.
        this.carry.push(Buffer.from(chunk.subarray(start)));
        this.carryBytes += chunk.length - start;
        break;
      }
      if (this.carryBytes === 0) {
        this.emitRange(visitor, chunk, start, nl, this.pos + nl + 1, undefined, allValid);
      } else {
        this.carry.push(chunk.subarray(start, nl));
        const line = Buffer.concat(this.carry, this.carryBytes + nl - start);
        this.carry = [];
        this.carryBytes = 0;
        this.emit(visitor, line, this.pos + nl + 1, undefined);
      }
      start = nl + 1;
    }
    this.pos += chunk.length;
  }

  /** Hands out a last line that has no `\n` (a file being let go). */
  finish(): SplitLine[] {
    const out: SplitLine[] = [];
    this.finishTo(collector(out));
    return out;
  }

  /** {@link finish}, to a visitor. */
  finishTo(visitor: LineVisitor): void {
    if (this.carryBytes === 0 && !this.skipping) return;
    const line = Buffer.concat(this.carry, this.carryBytes);
    this.emit(visitor, line, this.pos, this.skipping ? LineCuts.TRUNCATED : undefined);
    this.carry = [];
    this.carryBytes = 0;
    this.skipping = false;
    this.skippedBytes = 0;
  }

  private emitRange(
    visitor: LineVisitor,
    buf: Buffer,
    from: number,
    to: number,
    end: number,
    cut: LineCut | undefined,
    knownValid: boolean,
  ): void {
    let stop = to;
    if (stop > from && buf[stop - 1] === CR) stop--;
    const valid = knownValid || isUtf8(buf.subarray(from, stop));
    if (!valid) this.stats.invalidUtf8++;
    this.stats.lines++;
    visitor.line(buf, from, stop, end, cut, !valid);
  }

  private emit(visitor: LineVisitor, buf: Buffer, end: number, cut: LineCut | undefined): void {
    this.emitRange(visitor, buf, 0, buf.length, end, cut, false);
  }
}

/** A visitor that collects {@link SplitLine} objects. */
function collector(out: SplitLine[]): LineVisitor {
  return {
    line(buf, from, to, end, cut, invalidUtf8) {
      const line: SplitLine = { text: buf.toString('utf8', from, to), end };
      if (invalidUtf8) line.invalidUtf8 = true;
      if (cut !== undefined) line.cut = cut;
      out.push(line);
    },
  };
}
