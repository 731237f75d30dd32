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
          out,
          Buffer.concat(this.carry, this.carryBytes),
          this.pos + nl + 1,
          LineCuts.TRUNCATED,
          false,
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
          this.carry = [Buffer.from(piece)];
          this.carryBytes = piece.length;
          this.skipping = true;
          this.skippedBytes = 0;
          this.stats.truncated++;
        } else {
          this.stats.splitPieces++;
          this.emit(out, piece, this.pos + start + room, LineCuts.SPLIT, false);
        }
        start += room;
        continue;
      }
      if (nl === -1) {
        // Copy: the caller reuses its read buffer.
        this.carry.push(Buffer.from(chunk.subarray(start)));
        this.carryBytes += chunk.length - start;
        break;
      }
      if (this.carryBytes === 0) {
        this.emitRange(out, chunk, start, nl, this.pos + nl + 1, allValid);
      } else {
        this.carry.push(chunk.subarray(start, nl));
        const line = Buffer.concat(this.carry, this.carryBytes + nl - start);
        this.carry = [];
        this.carryBytes = 0;
        this.emit(out, line, this.pos + nl + 1, undefined, false);
      }
      start = nl + 1;
    }
    this.pos += chunk.length;
    return out;
  }

  /** Hands out a last line that has no `\n` (a file being let go). */
  finish(): SplitLine[] {
    const out: SplitLine[] = [];
    if (this.carryBytes === 0 && !this.skipping) return out;
    const line = Buffer.concat(this.carry, this.carryBytes);
    this.emit(out, line, this.pos, this.skipping ? LineCuts.TRUNCATED : undefined, false);
    this.carry = [];
    this.carryBytes = 0;
    this.skipping = false;
    this.skippedBytes = 0;
    return out;
  }

  private emitRange(
    out: SplitLine[],
    buf: Buffer,
    from: number,
    to: number,
    end: number,
    knownValid: boolean,
  ): void {
    let stop = to;
    if (stop > from && buf[stop - 1] === CR) stop--;
    const valid = knownValid || isUtf8(buf.subarray(from, stop));
    const line: SplitLine = { text: buf.toString('utf8', from, stop), end };
    if (!valid) {
      line.invalidUtf8 = true;
      this.stats.invalidUtf8++;
    }
    this.stats.lines++;
    out.push(line);
  }

  private emit(
    out: SplitLine[],
    buf: Buffer,
    end: number,
    cut: LineCut | undefined,
    knownValid: boolean,
  ): void {
    const before = out.length;
    this.emitRange(out, buf, 0, buf.length, end, knownValid);
    if (cut !== undefined) out[before]!.cut = cut;
  }
}
