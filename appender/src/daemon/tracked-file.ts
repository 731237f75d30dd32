import type { FileHandle } from 'node:fs/promises';
import { MultilineJoiner } from '@kinlog/core';
import { FINGERPRINT_BYTES } from './file-identity.js';
import { LineSplitter, type SplitLine } from './line-splitter.js';
import { OffsetTracker } from './offset-tracker.js';
import type { ShipFlow } from './ship-config.js';

/** One record ready to ship: a line or a joined multi-line entry, and where it ends. */
export interface FileRecord {
  text: string;
  end: number;
  line: SplitLine | undefined;
}

/**
 * One file's content as the daemon follows it: the open handle (which may move from a file to
 * its copy after copytruncate), the read position, the line splitter and multi-line joiner, and
 * the contiguous acknowledged offset.
 *
 * @example
 * ```ts
 * const t = new TrackedFile(flow, { path, dev, ino, fingerprint, handle, offset: 0 });
 * for (const r of t.take(chunk)) ship(r);
 * ```
 */
export class TrackedFile {
  path: string;
  dev: number;
  ino: number;
  fingerprint: Buffer;
  handle: FileHandle | undefined;
  /** Next byte to read. */
  readPos: number;
  /** Size seen at the last stat, for "bytes behind". */
  size: number;
  readonly offsets: OffsetTracker;
  private readonly splitter: LineSplitter;
  private readonly joiner: MultilineJoiner | undefined;
  /** The first line of the joiner's open entry, and how many lines the entry holds. */
  private entryFirst: SplitLine | undefined;
  private entryLines = 0;
  /** Offset where the last line handed to the joiner ended. */
  private lastLineEnd: number;
  lastLineAtMs = 0;
  lastGrowthAtMs = Date.now();
  /** The path no longer leads to this file (rotated out of the globs, or deleted). */
  orphaned = false;
  /** Its content was truncated away; waiting for a copy to continue from. */
  detachedAtMs: number | undefined;
  /**
   * Its handle was closed to stay within the open-file budget while it sat at its end; it is
   * reopened by path (same dev:ino) when the path shows it grew or shrank.
   */
  parked = false;
  /** Let go: no more reading; kept until its records settle. */
  released = false;
  /** Records handed to the sink (its tickets below this were put). */
  putRecords = 0;
  /** Records whose offsets are in a state file known to be on disk. */
  durableRecords = 0;

  constructor(
    readonly flow: ShipFlow,
    init: {
      path: string;
      dev: number;
      ino: number;
      fingerprint: Buffer;
      handle: FileHandle;
      offset: number;
      size: number;
    },
  ) {
    this.path = init.path;
    this.dev = init.dev;
    this.ino = init.ino;
    this.fingerprint = init.fingerprint;
    this.handle = init.handle;
    this.readPos = init.offset;
    this.size = init.size;
    this.lastLineEnd = init.offset;
    this.offsets = new OffsetTracker(init.offset);
    this.splitter = new LineSplitter({
      startOffset: init.offset,
      maxLineBytes: flow.maxLineBytes,
      longLines: flow.longLines,
    });
    this.joiner =
      flow.multiline === undefined
        ? undefined
        : new MultilineJoiner({
            ...(flow.multiline.startPattern === undefined
              ? { continuationPattern: flow.multiline.continuationPattern }
              : { startPattern: flow.multiline.startPattern }),
            maxLines: flow.multiline.maxLines,
            maxBytes: flow.multiline.maxBytes ?? Math.min(flow.maxLineBytes * 2, 900 * 1024),
          });
  }

  /** `dev:ino`, the key of a file on disk. */
  get key(): string {
    return `${this.dev}:${this.ino}`;
  }

  /** Whether more of the fingerprint could be learned from the file. */
  get fingerprintShort(): boolean {
    return this.fingerprint.length < FINGERPRINT_BYTES;
  }

  /** Feeds bytes read at `readPos`; returns the records they complete. */
  take(chunk: Buffer): FileRecord[] {
    this.readPos += chunk.length;
    this.lastGrowthAtMs = Date.now();
    const lines = this.splitter.push(chunk);
    if (lines.length > 0) this.lastLineAtMs = this.lastGrowthAtMs;
    return this.join(lines);
  }

  /** Ships what is held: the open multi-line entry, and with `partialLine` an unended line. */
  drain(partialLine: boolean): FileRecord[] {
    const out = partialLine ? this.join(this.splitter.finish()) : [];
    if (this.joiner !== undefined) {
      for (const text of this.joiner.flush())
        out.push({ text, end: this.lastLineEnd, line: this.entryLine() });
    }
    return out;
  }

  /** The open entry's one line, or `undefined` when it joins several (their flags are lost). */
  private entryLine(): SplitLine | undefined {
    return this.entryLines === 1 ? this.entryFirst : undefined;
  }

  /** Whether an open multi-line entry has waited past its timeout. */
  /** An open multi-line entry waits for its next line or its timeout. */
  get multilinePending(): boolean {
    return this.joiner?.pending === true;
  }

  multilineDue(nowMs: number): boolean {
    const m = this.flow.multiline;
    return (
      this.joiner !== undefined &&
      m !== undefined &&
      this.joiner.pending &&
      nowMs - this.lastLineAtMs >= m.timeoutMs
    );
  }

  /** Bytes held in the splitter (a line without its end yet). */
  get pendingLineBytes(): number {
    return this.splitter.pendingBytes;
  }

  private join(lines: SplitLine[]): FileRecord[] {
    if (this.joiner === undefined) {
      const out: FileRecord[] = new Array<FileRecord>(lines.length);
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        out[i] = { text: line.text, end: line.end, line };
      }
      this.lastLineEnd = lines.length > 0 ? lines[lines.length - 1]!.end : this.lastLineEnd;
      return out;
    }
    const out: FileRecord[] = [];
    for (const line of lines) {
      const wasOpen = this.joiner.pending;
      // An entry the joiner completes ends where this line starts.
      const done = this.joiner.push(line.text);
      for (const text of done) out.push({ text, end: this.lastLineEnd, line: this.entryLine() });
      // A one-line entry (most, under `auto`) keeps its line: its cut and UTF-8 flags and counts.
      if (done.length > 0 || !wasOpen) {
        this.entryFirst = line;
        this.entryLines = 1;
      } else {
        this.entryLines++;
      }
      this.lastLineEnd = line.end;
    }
    return out;
  }
}
