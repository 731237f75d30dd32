/**
 * Follows the files of one flow and feeds their records to a sink.
 *
 *   scan (glob + stat) ─► known dev:ino ─► same tracker (path may have changed: rename rotation)
 *        │ new dev:ino
 *        ▼  open + first bytes
 *   saved state, same inode and content ─► resume at its committed offset
 *   a detached tracker's fingerprint ────► copytruncate copy: continue that content here
 *   a live tracker's fingerprint ────────► a copy of a file being read: ignore
 *   a saved fingerprint (moved while down)► resume at its offset
 *   otherwise ───────────────────────────► new file: head (tail only on the first scan if asked)
 *
 *   read turn: stat the handle ─► smaller than read position, or first bytes changed? ─► detach
 *   the tracker (its content lives on only in a copy, if any) and start a new one at 0 on the
 *   handle; else read to the end in chunks, split, join, ship; backpressure awaits sink.ready().
 *   A tracker whose path left the globs (rotated away, deleted) is read to its end and let go
 *   after releaseIdleMs without growth.
 *
 *   records ─► parsed, encoded, ticket taken ─► queue ─► put while the CommitWindow has room
 *   The window holds the records put since the last durable commit to maxUncommittedRecords: a
 *   kill -9 re-sends no more than that. Reading runs up to READ_AHEAD_RECORDS ahead of the
 *   window, so the next batch is ready while the previous commit is being written.
 */
import { hostname } from 'node:os';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { getParser, unparsedEvent, type LineParser, type LogEvent } from '@kinlog/core';
import { glob } from 'tinyglobby';
import type { KinesisSink, SettleResult } from '../sink/kinesis-sink.js';
import { DropReasons } from '../sink/drop-reasons.js';
import { encodeEvent } from '../sink/encode-event.js';
import { fieldPartitionKey } from '../sink/partition-key.js';
import { CommitWindow } from './commit-window.js';
import { FileBudget } from './file-budget.js';
import { isCopyOf, looksBinary, readFingerprint, sameContent } from './file-identity.js';
import { ShipDefaults, ShipOutputs, StartAt, type ShipFlow } from './ship-config.js';
import { emptyShipCounters, type ShipCounters } from './ship-counters.js';
import type { FileState } from './state-store.js';
import { TrackedFile, type FileRecord } from './tracked-file.js';

/** Bytes read from one file before the others get a turn. */
const MAX_BYTES_PER_TURN = 8 * 1024 * 1024;

/** Records parsed and encoded ahead of the commit window before reading pauses. */
const READ_AHEAD_RECORDS = 2_048;

/** Drops that leave the line unacknowledged: it is read again on the next run. */
const RETRY_NEXT_RUN: ReadonlySet<string> = new Set([
  DropReasons.SHUTDOWN_TIMEOUT,
  DropReasons.CLOSED,
  DropReasons.REJECTED,
]);

/** A record ready to put: encoded, with its place in its file's offsets. */
interface Prepared {
  t: TrackedFile;
  ticket: number;
  data: string;
  key: string | undefined;
}

/** A state to write, and what to call once it is on disk. */
export interface CommitPoint {
  files: FileState[];
  /** The state was written durably: the records it covers leave the commit window. */
  durable(): void;
}

interface Candidate {
  path: string;
  key: string;
  dev: number;
  ino: number;
  size: number;
  handle: FileHandle;
  head: Buffer;
}

/** How a {@link FlowRunner} reaches the rest of the daemon. */
export interface FlowRunnerHooks {
  /** Where records go; `undefined` in dry-run mode. */
  sink: KinesisSink | undefined;
  /** Dry-run output. */
  stdout: Writable;
  warn(message: string): void;
  /**
   * Some offset moved: the state is worth writing; `urgent` when reading waits for that commit
   * (so it should not wait for commitIntervalMs).
   */
  onProgress(urgent: boolean): void;
  releaseIdleMs: number;
  /** Records put and not yet durably committed, at most (ignored without a sink). */
  maxUncommittedRecords: number;
  /** How long a wait for the commit window lasts before it asks for a commit again. */
  pollIntervalMs: number;
  /** Open file handles, shared by every flow; unbounded when not given. */
  budget?: FileBudget;
  /** The line parser; by default the flow's (`flow.parser`). */
  parser?: LineParser;
}

/**
 * One flow's tailer: globs, file identity, rotation, reading and shipping.
 *
 * @example
 * ```ts
 * const runner = new FlowRunner(flow, savedStates, {
 *   sink, stdout: process.stdout, warn: console.warn, onProgress() {},
 *   releaseIdleMs: 2000, maxUncommittedRecords: 500, pollIntervalMs: 250,
 * });
 * await runner.turn(true); // first scan and read
 * ```
 */
export class FlowRunner {
  readonly counters: ShipCounters = emptyShipCounters();
  private readonly parse: LineParser;
  private readonly byKey = new Map<string, TrackedFile>();
  /** Every tracker with state worth keeping: live, detached, released but unsettled. */
  private readonly trackers = new Set<TrackedFile>();
  private readonly copies = new Set<string>();
  private readonly skipped = new Set<string>();
  private readonly warned = new Set<string>();
  /** Paths that matched and could not be opened, with why (until an open succeeds). */
  readonly unreadable = new Map<string, string>();
  private saved: FileState[];
  private readonly buf = Buffer.allocUnsafe(ShipDefaults.READ_CHUNK_BYTES);
  private readonly host = hostname();
  private stopping = false;
  private readonly window: CommitWindow;
  private queue: (Prepared | undefined)[] = [];
  private queueHead = 0;
  /** The sink asked to slow down: await its ready() before putting more. */
  private sinkSlow = false;
  private readonly budget: FileBudget;
  /** Files the last scan could not open for want of a handle (they wait their turn). */
  private waiting = 0;
  /** The first scan left files waiting for a handle: later scans still count as start-up. */
  private startUp = false;

  constructor(
    readonly flow: ShipFlow,
    saved: FileState[],
    private readonly hooks: FlowRunnerHooks,
  ) {
    this.parse =
      hooks.parser ??
      getParser(flow.parser, { assumedUtcOffsetMinutes: flow.assumedUtcOffsetMinutes });
    this.saved = saved.filter((s) => s.flow === flow.name);
    this.window = new CommitWindow(
      hooks.sink === undefined ? Infinity : hooks.maxUncommittedRecords,
    );
    this.budget = hooks.budget ?? new FileBudget(Infinity);
  }

  /** Stops reading after the current chunk. */
  stop(): void {
    this.stopping = true;
    this.window.wakeAll();
  }

  /** Matching files the last scan could not open for want of a handle. */
  get waitingFiles(): number {
    return this.waiting;
  }

  /** Records put and not yet durably committed. */
  get uncommittedRecords(): number {
    return this.window.count;
  }

  /** One scan and one read turn over every file; true when there may be more to read now. */
  async turn(first: boolean): Promise<boolean> {
    await this.scan(first);
    let more = false;
    const now = Date.now();
    for (const t of [...this.trackers]) {
      if (this.stopping) break;
      if (t.handle !== undefined && !t.released) {
        if (await this.readTurn(t)) more = true;
      }
      if (t.multilineDue(now)) this.shipAll(t, t.drain(false));
      this.maybeRelease(t, now);
    }
    this.pump();
    // Files wait for a handle: the next scan parks the files just read to their end.
    if (this.waiting > 0 && !this.stopping && this.parkable() !== undefined) more = true;
    if (this.queued > 0 && !this.stopping) {
      // Nothing else to read: wait for the commit that makes room rather than spin.
      if (!more) await this.waitForRoom();
      this.pump();
      more = true;
    }
    return more;
  }

  /**
   * Whether something here is due by time rather than by a file change (an open multi-line
   * entry, a file to let go): the daemon must not sleep past a poll interval then.
   */
  timedWorkPending(): boolean {
    if (this.queued > 0 || this.waiting > 0) return true;
    for (const t of this.trackers) {
      if (t.released) continue;
      if (t.multilinePending || t.detachedAtMs !== undefined || t.orphaned) return true;
    }
    return false;
  }

  /**
   * At shutdown: ship open multi-line entries (unended lines stay for the next run), as far as
   * the commit window allows; what is left is not put, so it is read again on the next run.
   */
  drainForShutdown(): void {
    for (const t of this.trackers) if (!t.released) this.shipAll(t, t.drain(false));
    this.pump();
    this.queue = [];
    this.queueHead = 0;
  }

  /**
   * `--once` at the end of its files: a last line without its "\n" is the end of the file, so
   * it is shipped too. True when that queued records.
   */
  finishLines(): boolean {
    const before = this.queued + this.counters.recordsShipped;
    for (const t of this.trackers) {
      if (!t.released && t.handle !== undefined) this.shipAll(t, t.drain(true));
    }
    this.pump();
    return this.queued + this.counters.recordsShipped > before;
  }

  /** Closes every handle. */
  async close(): Promise<void> {
    for (const t of this.trackers) {
      const h = t.handle;
      t.handle = undefined;
      if (h !== undefined) await this.closeHandle(h);
    }
  }

  /**
   * Committed positions to write, and let go of trackers that are done. Call `durable()` once
   * the state is on disk: the records it covers then leave the commit window.
   */
  commitPoint(): CommitPoint {
    const out: FileState[] = [];
    const marks: { t: TrackedFile; records: number }[] = [];
    for (const t of this.trackers) {
      if (t.released && t.offsets.pending === 0) {
        this.trackers.delete(t);
        marks.push({ t, records: t.putRecords });
        continue;
      }
      marks.push({ t, records: t.offsets.committedRecords });
      out.push({
        flow: this.flow.name,
        path: t.path,
        dev: t.dev,
        ino: t.ino,
        fingerprint: t.fingerprint.toString('base64'),
        offset: t.offsets.committed,
      });
    }
    // Saved entries not matched yet (before the start-up scans end) are kept as they were.
    return {
      files: out.concat(this.saved),
      durable: () => {
        for (const { t, records } of marks) {
          if (records <= t.durableRecords) continue;
          this.window.release(records - t.durableRecords);
          t.durableRecords = records;
        }
      },
    };
  }

  /** Per-file view for stats: path, size, committed offset. */
  files(): { path: string; size: number; committed: number; readPos: number }[] {
    const out = [];
    for (const t of this.trackers) {
      if (t.released) continue;
      out.push({ path: t.path, size: t.size, committed: t.offsets.committed, readPos: t.readPos });
    }
    return out;
  }

  /**
   * Re-reads the size of every open file: "behind" keeps growing while reading waits for
   * Kinesis (an outage), instead of freezing at the size of the last read turn.
   */
  async refreshSizes(): Promise<void> {
    // Only while reading waits: otherwise each read turn learns the sizes anyway, and an idle
    // daemon should not stat every file every second.
    if (this.queued === 0 && !this.window.full) return;
    for (const t of [...this.trackers]) {
      const h = t.handle;
      if (h === undefined || t.released) continue;
      try {
        const { size } = await h.stat();
        if (size >= t.readPos) t.size = size;
      } catch {
        // The next read turn says why, once.
      }
    }
  }

  /** Per file with something read and not acknowledged: records and bytes left (for `--once`). */
  unacknowledged(): { path: string; records: number; bytes: number }[] {
    const out = [];
    for (const t of this.trackers) {
      const bytes = t.readPos - t.offsets.committed;
      if (t.offsets.pending > 0 || bytes > 0)
        out.push({ path: t.path, records: t.offsets.pending, bytes });
    }
    return out;
  }

  /** Records put and not yet settled, over all files. */
  get pendingRecords(): number {
    let n = 0;
    for (const t of this.trackers) n += t.offsets.pending;
    return n;
  }

  // ---- scanning ---------------------------------------------------------------------------

  private async scan(first: boolean): Promise<void> {
    const paths = await glob(this.flow.paths, {
      absolute: true,
      onlyFiles: true,
      ignore: this.flow.exclude,
      expandDirectories: false,
      dot: true,
    });
    paths.sort();
    const seen = new Set<string>();
    const fresh: Candidate[] = [];
    const wake: TrackedFile[] = [];
    let waiting = 0;
    const anyDetached = [...this.trackers].some((t) => t.detachedAtMs !== undefined);
    for (const path of paths) {
      let st;
      try {
        st = await stat(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
          this.warnOnce(path, describe(path, err));
        continue;
      }
      const key = `${st.dev}:${st.ino}`;
      const known = this.byKey.get(key);
      if (known !== undefined) {
        seen.add(key);
        known.path = path;
        if (known.parked) {
          known.size = st.size;
          if (st.size !== known.readPos) wake.push(known);
        }
        continue;
      }
      if (this.skipped.has(key) || (this.copies.has(key) && !anyDetached)) continue;
      if (fresh.some((c) => c.key === key)) continue;
      if (!(await this.takeHandle())) {
        waiting++;
        continue;
      }
      let handle: FileHandle;
      try {
        handle = await open(path, 'r');
      } catch (err) {
        this.budget.give();
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          this.unreadable.set(path, describe(path, err));
          if (this.warnOnce(path, describe(path, err))) this.counters.unreadableFiles++;
        }
        continue;
      }
      this.warned.delete(path);
      this.unreadable.delete(path);
      // The path may have been rotated between stat() and open(): the handle is the truth.
      const hst = await handle.stat();
      const hkey = `${hst.dev}:${hst.ino}`;
      if (hkey !== key) {
        const other = this.byKey.get(hkey);
        if (other !== undefined || this.skipped.has(hkey) || fresh.some((c) => c.key === hkey)) {
          if (other !== undefined) seen.add(hkey);
          await this.closeHandle(handle);
          continue;
        }
      }
      const head = await readFingerprint(handle);
      if (looksBinary(head)) {
        this.warnOnce(
          path,
          `skipping ${path}: it looks binary (NUL bytes in its first ${head.length} bytes)`,
        );
        this.counters.binaryFilesSkipped++;
        this.skipped.add(hkey);
        await this.closeHandle(handle);
        continue;
      }
      fresh.push({ path, key: hkey, dev: hst.dev, ino: hst.ino, size: hst.size, handle, head });
    }
    for (const t of this.byKey.values()) t.orphaned = !seen.has(t.key);
    for (const t of wake) if (!(await this.unpark(t))) waiting++;
    if (waiting > 0) this.fileWaits(waiting);
    this.waiting = waiting;
    // Until every matching file got a handle once, the start-up scan goes on: saved offsets
    // wait for their files, and `startAt` still applies to the files seen late.
    const startUp = first || this.startUp;
    this.startUp = startUp && waiting > 0;
    if (fresh.length > 0) await this.adopt(fresh, startUp);
    if (startUp && !this.startUp) this.saved = [];
  }

  private async adopt(fresh: Candidate[], first: boolean): Promise<void> {
    let rest: Candidate[] = [];
    // 1. The same file as in the saved state.
    for (const c of fresh) {
      const i = this.saved.findIndex(
        (s) =>
          s.dev === c.dev &&
          s.ino === c.ino &&
          s.offset <= c.size &&
          sameContent(Buffer.from(s.fingerprint, 'base64'), c.head),
      );
      if (i === -1) rest.push(c);
      else this.track(c, this.saved.splice(i, 1)[0]!.offset);
    }
    // 2. A copy of content truncated away: continue it.
    fresh = rest;
    rest = [];
    for (const c of fresh) {
      const d = [...this.trackers].find(
        (t) => t.detachedAtMs !== undefined && !t.released && isCopyOf(t.fingerprint, c.head),
      );
      if (d === undefined || d.readPos > c.size) {
        rest.push(c);
        continue;
      }
      d.handle = c.handle;
      d.path = c.path;
      d.dev = c.dev;
      d.ino = c.ino;
      d.detachedAtMs = undefined;
      d.lastGrowthAtMs = Date.now();
      this.byKey.set(c.key, d);
      this.copies.delete(c.key);
      this.counters.copiesFollowed++;
    }
    // 3. A copy of a file being read (copytruncate before its truncate, or a plain cp): ignore.
    fresh = rest;
    rest = [];
    for (const c of fresh) {
      const live = [...this.trackers].some(
        (t) => t.handle !== undefined && !t.released && isCopyOf(t.fingerprint, c.head),
      );
      if (live) {
        this.copies.add(c.key);
        await this.closeHandle(c.handle);
      } else rest.push(c);
    }
    // 4. Saved content that moved while the daemon was down; 5. new files.
    for (const c of rest) {
      const i = this.saved.findIndex(
        (s) => s.offset <= c.size && isCopyOf(Buffer.from(s.fingerprint, 'base64'), c.head),
      );
      if (i !== -1) {
        this.track(c, this.saved.splice(i, 1)[0]!.offset);
        continue;
      }
      this.track(c, first && this.flow.startAt === StartAt.TAIL ? c.size : 0);
    }
  }

  private track(c: Candidate, offset: number): void {
    const t = new TrackedFile(this.flow, {
      path: c.path,
      dev: c.dev,
      ino: c.ino,
      fingerprint: c.head,
      handle: c.handle,
      offset,
      size: c.size,
    });
    this.byKey.set(c.key, t);
    this.trackers.add(t);
    this.counters.filesOpened++;
  }

  // ---- reading ----------------------------------------------------------------------------

  /** Reads what is there; true when the turn budget ran out with more to read. */
  private async readTurn(t: TrackedFile): Promise<boolean> {
    const handle = t.handle!;
    let size: number;
    let head: Buffer;
    try {
      size = (await handle.stat()).size;
      head = await readFingerprint(handle);
    } catch (err) {
      this.warnOnce(t.path, describe(t.path, err));
      return false;
    }
    if (size < t.readPos || !sameContent(t.fingerprint, head)) {
      this.replaced(t, handle, head, size);
      return true;
    }
    if (t.fingerprintShort && head.length > t.fingerprint.length) t.fingerprint = head;
    t.size = size;
    let budget = MAX_BYTES_PER_TURN;
    while (t.readPos < size && budget > 0 && !this.stopping) {
      if (!(await this.roomToRead())) break;
      const want = Math.min(this.buf.length, size - t.readPos);
      const { bytesRead } = await handle.read(this.buf, 0, want, t.readPos);
      if (bytesRead === 0) break;
      // The file may have been truncated and rewritten (copytruncate) between the check above
      // and this read: then the bytes are the new content's, not the continuation of ours.
      // Checked after the read, so nothing read from new content is ever shipped as old.
      const after = await readFingerprint(handle);
      if (!sameContent(t.fingerprint, after)) {
        this.replaced(t, handle, after, (await handle.stat()).size);
        return true;
      }
      budget -= bytesRead;
      this.counters.bytesRead += bytesRead;
      this.shipAll(t, t.take(this.buf.subarray(0, bytesRead)));
      this.pump();
    }
    return t.readPos < size && !this.stopping;
  }

  /** The file under `t` was truncated or refilled: `t` lives on only if a copy turns up. */
  private replaced(t: TrackedFile, handle: FileHandle, head: Buffer, size: number): void {
    this.counters.truncations++;
    t.handle = undefined;
    t.detachedAtMs = Date.now();
    this.byKey.delete(t.key);
    const next = new TrackedFile(this.flow, {
      path: t.path,
      dev: t.dev,
      ino: t.ino,
      fingerprint: head,
      handle,
      offset: 0,
      size,
    });
    this.byKey.set(next.key, next);
    this.trackers.add(next);
    this.counters.filesOpened++;
  }

  private maybeRelease(t: TrackedFile, now: number): void {
    if (t.released) return;
    const idle = now - t.lastGrowthAtMs >= this.hooks.releaseIdleMs;
    const detachedDone =
      t.detachedAtMs !== undefined && now - t.detachedAtMs >= this.hooks.releaseIdleMs;
    const orphanDone =
      (t.handle !== undefined || t.parked) && t.orphaned && t.readPos >= t.size && idle;
    if (!detachedDone && !orphanDone) return;
    // Read to its end: ship the open entry and a last line that never got its "\n".
    this.shipAll(t, t.drain(true));
    t.released = true;
    if (this.byKey.get(t.key) === t) this.byKey.delete(t.key);
    const h = t.handle;
    t.handle = undefined;
    if (h !== undefined) void this.closeHandle(h);
    this.counters.filesReleased++;
    // A file with nothing outstanding commits its end now.
    t.offsets.advanceIdle(t.readPos);
    this.hooks.onProgress(false);
  }

  // ---- open-file budget --------------------------------------------------------------------

  /** A handle for one more open file: free, or freed by parking the idlest file at its end. */
  private async takeHandle(): Promise<boolean> {
    if (this.budget.take()) return true;
    const idle = this.parkable();
    if (idle === undefined) return false;
    const h = idle.handle!;
    idle.handle = undefined;
    idle.parked = true;
    this.counters.filesParked++;
    await this.closeHandle(h);
    return this.budget.take();
  }

  /** The file open longest without growth that sits at its end and has a path to reopen by. */
  private parkable(): TrackedFile | undefined {
    let best: TrackedFile | undefined;
    for (const t of this.trackers) {
      if (t.handle === undefined || t.released || t.orphaned || t.detachedAtMs !== undefined)
        continue;
      if (t.readPos < t.size) continue;
      if (best === undefined || t.lastGrowthAtMs < best.lastGrowthAtMs) best = t;
    }
    return best;
  }

  /** Reopens a parked file by its path, if a handle is free and the path still leads to it. */
  private async unpark(t: TrackedFile): Promise<boolean> {
    if (!(await this.takeHandle())) return false;
    let handle: FileHandle;
    try {
      handle = await open(t.path, 'r');
    } catch {
      this.budget.give();
      return true; // gone or unreadable: the next scan says so (it no longer matches dev:ino)
    }
    const st = await handle.stat().catch(() => undefined);
    if (st === undefined || st.dev !== t.dev || st.ino !== t.ino) {
      await this.closeHandle(handle);
      return true;
    }
    // Same file: the read turn checks its first bytes (a refill) and its size (a truncation).
    t.handle = handle;
    t.parked = false;
    return true;
  }

  private async closeHandle(handle: FileHandle): Promise<void> {
    this.budget.give();
    await handle.close().catch(() => undefined);
  }

  private fileWaits(n: number): void {
    this.counters.openFileWaits += n;
    if (this.budget.waits++ === 0) this.hooks.warn(this.budget.why);
  }

  // ---- shipping ---------------------------------------------------------------------------

  private get queued(): number {
    return this.queue.length - this.queueHead;
  }

  /** Waits until another chunk may be read: read-ahead below its bound, sink not blocked. */
  private async roomToRead(): Promise<boolean> {
    while (!this.stopping) {
      if (this.sinkSlow) {
        this.sinkSlow = false;
        await this.hooks.sink?.ready();
        this.pump();
        continue;
      }
      if (this.queued < READ_AHEAD_RECORDS) return true;
      await this.waitForRoom();
      this.pump();
    }
    return false;
  }

  /** Waits for the sink's room, or for a commit to free the window (bounded by a poll). */
  private async waitForRoom(): Promise<void> {
    const sink = this.hooks.sink;
    if (sink === undefined) return;
    if (this.sinkSlow) {
      this.sinkSlow = false;
      await sink.ready();
      return;
    }
    // Nothing more joins the records the sink holds until a commit: send them now, and commit
    // what is acknowledged now rather than after commitIntervalMs.
    void sink.flush();
    this.hooks.onProgress(true);
    const before = this.window.count;
    await this.window.wait(this.hooks.pollIntervalMs);
    // No commit came (a failed write, or acks before the last one): ask for one again.
    if (this.window.count === before && !this.stopping) this.hooks.onProgress(true);
  }

  /** Puts queued records while the commit window has room. */
  private pump(): void {
    const sink = this.hooks.sink;
    if (sink === undefined) return;
    const q = this.queue;
    while (this.queueHead < q.length && !this.window.full) {
      const p = q[this.queueHead]!;
      q[this.queueHead++] = undefined;
      p.t.putRecords++;
      this.window.put();
      if (!sink.putEncoded(p.data, p.key, (res) => this.settled(p.t, p.ticket, res))) {
        this.sinkSlow = true;
      }
    }
    if (this.queueHead === q.length) {
      this.queue = [];
      this.queueHead = 0;
    } else if (this.queueHead > READ_AHEAD_RECORDS && this.queueHead * 2 > q.length) {
      this.queue = q.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  /** Prepares records for the queue (dry run: prints them). */
  private shipAll(t: TrackedFile, records: FileRecord[]): void {
    for (const r of records) this.ship(t, r);
  }

  private ship(t: TrackedFile, r: FileRecord): void {
    const line = r.line;
    if (line !== undefined) {
      this.counters.linesRead++;
      if (line.invalidUtf8) this.counters.invalidUtf8Lines++;
      if (line.cut === 'split') this.counters.linesSplit++;
      else if (line.cut === 'truncated') this.counters.linesTruncated++;
    }
    if (r.text.length === 0) {
      t.offsets.advanceIdle(r.end);
      return;
    }
    // A record over the Kinesis limit is cut by the sink (longest fields, marked), as in the
    // transports; the whole line was parsed first, so its other fields are kept.
    if (this.flow.output === ShipOutputs.LINE) {
      this.enqueue(t, r, r.text, this.lineKey(t, r.text));
      return;
    }
    const { event, key, data } = this.encode(t, r.text, () => this.parse(r.text), line);
    if (event.parseError) this.counters.parseErrors++;
    this.enqueue(t, r, data, key);
  }

  /** Takes a ticket for a record and queues it (dry run: prints it, one record a line). */
  private enqueue(t: TrackedFile, r: FileRecord, body: string, key: string | undefined): void {
    const ticket = t.offsets.add(r.end);
    this.counters.recordsShipped++;
    const sink = this.hooks.sink;
    if (sink === undefined) {
      this.hooks.stdout.write(body + '\n');
      t.offsets.ack(ticket);
      this.counters.recordsAcked++;
      return;
    }
    this.queue.push({ t, ticket, data: body + this.flow.recordDelimiter, key });
  }

  /** Line output: the line is sent as read; it is parsed only when a field is the key. */
  private lineKey(t: TrackedFile, text: string): string | undefined {
    if (typeof this.flow.partitionKey !== 'object') return this.partitionKey(t, undefined);
    try {
      return this.partitionKey(t, this.parse(text));
    } catch {
      return undefined; // a line its parser cannot read gets a random key
    }
  }

  /**
   * The event of one line, decorated and encoded, with its partition key. Whatever a parser or
   * the encoder throws on a hostile line (a stack overflow on deep nesting), the line still
   * becomes a record, a parse error, and the file moves on.
   */
  private encode(
    t: TrackedFile,
    text: string,
    parsed: () => LogEvent,
    line: FileRecord['line'],
  ): { event: LogEvent; data: string; key: string | undefined } {
    try {
      const event = parsed();
      this.decorate(t, event, line);
      return { event, data: encodeEvent(event), key: this.partitionKey(t, event) };
    } catch (err) {
      this.counters.parserFailures++;
      const event: LogEvent = unparsedEvent(text);
      event.kinlogParseFailure = err instanceof Error ? err.message : String(err);
      this.decorate(t, event, line);
      return { event, data: encodeEvent(event), key: this.partitionKey(t, event) };
    }
  }

  private decorate(t: TrackedFile, event: LogEvent, line: FileRecord['line']): void {
    event.source = t.path;
    if (event.host === undefined) event.host = this.host;
    for (const [k, v] of Object.entries(this.flow.fields)) if (event[k] === undefined) event[k] = v;
    if (line?.cut !== undefined) event.kinlogLineCut = line.cut;
    if (line?.invalidUtf8) event.kinlogInvalidUtf8 = true;
  }

  private settled(t: TrackedFile, ticket: number, res: SettleResult): void {
    if (res.ok) {
      this.counters.recordsAcked++;
      t.offsets.ack(ticket);
    } else {
      const d = this.counters.recordsDropped;
      d[res.reason] = (d[res.reason] ?? 0) + 1;
      // Drops the operator chose (oversize: drop, finite retries/TTL) move on; the others are
      // read again on the next run.
      if (!RETRY_NEXT_RUN.has(res.reason)) t.offsets.ack(ticket);
    }
    this.hooks.onProgress(this.window.full);
  }

  private partitionKey(t: TrackedFile, event: LogEvent | undefined): string | undefined {
    const p = this.flow.partitionKey;
    if (p === 'random') return undefined;
    if (p === 'file') return t.path;
    return fieldPartitionKey(event, p.field);
  }

  private warnOnce(path: string, message: string): boolean {
    if (this.warned.has(path)) return false;
    this.warned.add(path);
    this.hooks.warn(message);
    return true;
  }
}

function describe(path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return `cannot read ${path}: permission denied (other files continue; retried on later scans)`;
  }
  return `cannot read ${path}: ${(err as Error).message}`;
}
