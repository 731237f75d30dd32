import { MultilineDefaults, STACK_TRACE_CONTINUATION } from '@kinlog/core';
import type { LineCut, LineVisitor } from './line-splitter.js';

//   line ──► entry open? ──no──► open it with the line (held as a byte range of its chunk)
//                │ yes
//                ▼
//        continues it (pattern)? ──no──► emit the open entry, open a new one
//                │ yes
//                ▼
//        within maxLines / maxBytes? ──no──► emit (a split), open a new one
//                │ yes
//                ▼
//        add the line (the entry joins its lines with "\n" when emitted)
//
// The same rule as @kinlog/core's MultilineJoiner, on bytes: a one-line entry (most) reaches
// the record as a range of the chunk it was read in, with no string made to test the pattern
// when its first byte already says it cannot continue an entry.

/** Receives records (entries) from an {@link EntryJoiner}. */
export interface EntryVisitor {
  /**
   * One record: bytes `buf[from, to)` (its lines joined by `\n`), ending at file offset `end`.
   * `oneLine`: the entry is a single line, and `cut`/`invalidUtf8` describe it; for a joined
   * entry `cut` is undefined and `invalidUtf8` tells whether any of its lines was.
   */
  entry(
    buf: Buffer,
    from: number,
    to: number,
    end: number,
    oneLine: boolean,
    cut: LineCut | undefined,
    invalidUtf8: boolean,
  ): void;
}

/** Multi-line rule of an {@link EntryJoiner}: exactly one of the two patterns. */
export interface EntryJoinerOptions {
  startPattern?: RegExp | undefined;
  continuationPattern?: RegExp | undefined;
  maxLines?: number | undefined;
  maxBytes?: number | undefined;
}

const NEWLINE = Buffer.from('\n');

/**
 * Whether a line starting with this byte cannot match {@link STACK_TRACE_CONTINUATION}: its
 * alternatives all open with whitespace, `C`, `S`, `.`, or `[a-z_$]` (bytes >= 0x80 may be
 * Unicode whitespace, so they are tested). Pure.
 *
 * @example
 * ```ts
 * cannotContinueStackTrace(0x31); // true: "1.2.3.4 - - [...]" is never a continuation
 * ```
 */
export function cannotContinueStackTrace(first: number): boolean {
  if (first >= 0x80) return false;
  if (first === 0x20 || (first >= 0x09 && first <= 0x0d)) return false;
  if (first >= 0x61 && first <= 0x7a) return false; // a-z
  return first !== 0x43 && first !== 0x53 && first !== 0x2e && first !== 0x5f && first !== 0x24;
}

/**
 * Joins continuation lines to the line they belong to, on byte ranges: lines in (as a
 * {@link LineVisitor}), entries out to the visitor of each call. Holds the open entry's lines
 * as ranges of their chunks, so the chunks must not be reused while an entry is open
 * (unless {@link EntryJoiner.detach} copied it out of them).
 *
 * @example
 * ```ts
 * const joiner = new EntryJoiner({ continuationPattern: STACK_TRACE_CONTINUATION });
 * joiner.sendTo(visitor);
 * splitter.pushTo(chunk, joiner);
 * joiner.flush();
 * ```
 */
export class EntryJoiner implements LineVisitor {
  private readonly pattern: RegExp;
  private readonly matchStarts: boolean;
  private readonly quickNo: ((first: number) => boolean) | undefined;
  private readonly maxLines: number;
  private readonly maxBytes: number;
  private out: EntryVisitor | undefined;
  /** The open entry: its lines as ranges, the first one inline. */
  private open = false;
  private buf: Buffer = NEWLINE;
  private from = 0;
  private to = 0;
  private more: Buffer[] | undefined;
  private lines = 0;
  private bytes = 0;
  private end = 0;
  private cut: LineCut | undefined;
  private invalid = false;
  /** Lines pushed since this joiner began. */
  linesIn = 0;

  constructor(options: EntryJoinerOptions) {
    const given = options.startPattern ?? options.continuationPattern;
    if (given === undefined) throw new TypeError('a startPattern or continuationPattern is needed');
    // `g` and `y` make test() stateful (lastIndex); a start check must not depend on history.
    this.pattern = new RegExp(given.source, given.flags.replace(/[gy]/g, ''));
    this.matchStarts = options.startPattern !== undefined;
    const stack = STACK_TRACE_CONTINUATION;
    this.quickNo =
      !this.matchStarts && given.source === stack.source && this.pattern.flags === stack.flags
        ? cannotContinueStackTrace
        : undefined;
    this.maxLines = options.maxLines ?? MultilineDefaults.MAX_LINES;
    this.maxBytes = options.maxBytes ?? MultilineDefaults.MAX_BYTES;
  }

  /** Where the next entries go. */
  sendTo(visitor: EntryVisitor): void {
    this.out = visitor;
  }

  /** Whether an entry is open (waiting for its next line or a flush). */
  get pending(): boolean {
    return this.open;
  }

  /** Offset just past the last line taken. */
  get lastEnd(): number {
    return this.end;
  }

  line(
    buf: Buffer,
    from: number,
    to: number,
    end: number,
    cut: LineCut | undefined,
    invalidUtf8: boolean,
  ): void {
    this.linesIn++;
    const lineBytes = to - from;
    if (this.open && this.continues(buf, from, to)) {
      if (this.lines < this.maxLines && this.bytes + 1 + lineBytes <= this.maxBytes) {
        (this.more ??= []).push(NEWLINE, buf.subarray(from, to));
        this.lines++;
        this.bytes += 1 + lineBytes;
        this.end = end;
        if (invalidUtf8) this.invalid = true;
        return;
      }
    }
    this.flush();
    this.open = true;
    this.buf = buf;
    this.from = from;
    this.to = to;
    this.more = undefined;
    this.lines = 1;
    this.bytes = lineBytes;
    this.end = end;
    this.cut = cut;
    this.invalid = invalidUtf8;
  }

  /** Emits the open entry, if any: at end of input, on an idle timeout, at shutdown. */
  flush(): void {
    if (!this.open) return;
    this.open = false;
    const out = this.out!;
    if (this.more === undefined) {
      out.entry(this.buf, this.from, this.to, this.end, true, this.cut, this.invalid);
    } else {
      const joined = Buffer.concat([this.buf.subarray(this.from, this.to), ...this.more]);
      this.more = undefined;
      out.entry(joined, 0, joined.length, this.end, false, undefined, this.invalid);
    }
    this.buf = NEWLINE;
  }

  /**
   * Copies the open entry's bytes out of the chunks they were read in, so that those chunks
   * may be read into again (one copy of a line or so per chunk, not per line).
   */
  detach(): void {
    if (!this.open) return;
    this.buf = Buffer.from(this.buf.subarray(this.from, this.to));
    this.from = 0;
    this.to = this.buf.length;
    if (this.more !== undefined) this.more = [Buffer.concat(this.more)];
  }

  private continues(buf: Buffer, from: number, to: number): boolean {
    if (from < to && this.quickNo?.(buf[from]!) === true) return false;
    return this.pattern.test(buf.toString('utf8', from, to)) !== this.matchStarts;
  }
}
