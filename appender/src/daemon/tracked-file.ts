import type { FileHandle } from 'node:fs/promises';
import { EntryJoiner, type EntryVisitor } from './entry-joiner.js';
import { FINGERPRINT_BYTES } from './file-identity.js';
import { LineSplitter, type LineCut, type LineVisitor } from './line-splitter.js';
import { OffsetTracker } from './offset-tracker.js';
import type { ShipFlow } from './ship-config.js';

/** Hands lines on as one-line entries (a flow without multi-line joining). */
class PassThrough implements LineVisitor {
  out: EntryVisitor | undefined;
  linesIn = 0;

  line(
    buf: Buffer,
    from: number,
    to: number,
    end: number,
    cut: LineCut | undefined,
    invalidUtf8: boolean,
  ): void {
    this.linesIn++;
    this.out!.entry(buf, from, to, end, true, cut, invalidUtf8);
  }
}

/**
 * One file's content as the daemon follows it: the open handle (which may move from a file to
 * its copy after copytruncate), the read position, the line splitter and multi-line joiner, and
 * the contiguous acknowledged offset.
 *
 * @example
 * ```ts
 * const t = new TrackedFile(flow, { path, dev, ino, fingerprint, handle, offset: 0, size: 0 });
 * t.take(chunk, visitor); // visitor.entry(...) per record the chunk completes
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
  private readonly joiner: EntryJoiner | undefined;
  private readonly lines: EntryJoiner | PassThrough;
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
  /** Bytes of the records handed to the sink. */
  putBytes = 0;
  /** Records whose offsets are in a state file known to be on disk. */
  durableRecords = 0;
  /** Bytes of those records. */
  durableBytes = 0;
  /** Size and mtime when a read turn last looked at the file (-1: look again). */
  private lookedSize = -1;
  private lookedMtimeMs = -1;
  /** Size and mtime from this turn's scan, by path (-1: none). */
  private scannedSize = -1;
  private scannedMtimeMs = -1;

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
    this.offsets = new OffsetTracker(init.offset);
    this.splitter = new LineSplitter({
      startOffset: init.offset,
      maxLineBytes: flow.maxLineBytes,
      longLines: flow.longLines,
    });
    const m = flow.multiline;
    this.joiner =
      m === undefined
        ? undefined
        : new EntryJoiner({
            startPattern: m.startPattern,
            continuationPattern: m.startPattern === undefined ? m.continuationPattern : undefined,
            maxLines: m.maxLines,
            maxBytes: m.maxBytes ?? Math.min(flow.maxLineBytes * 2, 900 * 1024),
          });
    this.lines = this.joiner ?? new PassThrough();
  }

  /** `dev:ino`, the key of a file on disk. */
  get key(): string {
    return `${this.dev}:${this.ino}`;
  }

  /** Whether more of the fingerprint could be learned from the file. */
  get fingerprintShort(): boolean {
    return this.fingerprint.length < FINGERPRINT_BYTES;
  }

  /** A scan's stat of the file by its path (the same dev:ino), for {@link unchangedByScan}. */
  observe(size: number, mtimeMs: number): void {
    this.scannedSize = size;
    this.scannedMtimeMs = mtimeMs;
  }

  /**
   * Whether this turn's scan saw the file as the last read turn left it: same size and mtime,
   * nothing left to read. Then the read turn need not even stat it. Consumes the scan's stat.
   */
  unchangedByScan(): boolean {
    const same = this.scannedSize !== -1 && this.unchanged(this.scannedSize, this.scannedMtimeMs);
    this.scannedSize = -1;
    return same;
  }

  /** Whether a stat shows the file as the last read turn left it, nothing left to read. */
  unchanged(size: number, mtimeMs: number): boolean {
    return size === this.lookedSize && mtimeMs === this.lookedMtimeMs && this.readPos >= size;
  }

  /** A read turn checked the file at this size and mtime. */
  looked(size: number, mtimeMs: number): void {
    this.lookedSize = size;
    this.lookedMtimeMs = mtimeMs;
  }

  /** The handle changed (reopened, a copy continued): the next read turn checks everything. */
  forgetLooked(): void {
    this.lookedSize = -1;
    this.lookedMtimeMs = -1;
    this.scannedSize = -1;
  }

  /**
   * Feeds bytes read at `readPos`; hands the records they complete to `visitor`. The chunk must
   * not be reused while those records keep ranges of it; an open entry keeps a copy of its own.
   */
  take(chunk: Buffer, visitor: EntryVisitor): void {
    this.readPos += chunk.length;
    this.lastGrowthAtMs = Date.now();
    const before = this.lines.linesIn;
    this.route(visitor);
    this.splitter.pushTo(chunk, this.lines);
    this.joiner?.detach();
    if (this.lines.linesIn !== before) this.lastLineAtMs = this.lastGrowthAtMs;
  }

  /** Ships what is held: the open multi-line entry, and with `partialLine` an unended line. */
  drain(partialLine: boolean, visitor: EntryVisitor): void {
    this.route(visitor);
    if (partialLine) this.splitter.finishTo(this.lines);
    this.joiner?.flush();
  }

  private route(visitor: EntryVisitor): void {
    if (this.joiner !== undefined) this.joiner.sendTo(visitor);
    else (this.lines as PassThrough).out = visitor;
  }

  /** An open multi-line entry waits for its next line or its timeout. */
  get multilinePending(): boolean {
    return this.joiner?.pending === true;
  }

  /** Whether an open multi-line entry has waited past its timeout. */
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
}
