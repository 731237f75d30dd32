/**
 * Finds the files of one flow and keeps track of who they are.
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
 *   A file truncated or refilled under its handle is detached (its content lives on only in a
 *   copy, if any) and a new tracker starts at 0 on the handle. A tracker whose path left the
 *   globs (rotated away, deleted) is let go after releaseIdleMs at its end without growth.
 *   Over the open-file budget, the file open longest without growth is closed at its end
 *   (parked) and reopened by path when a scan sees it change.
 */
import { Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { glob } from 'tinyglobby';
import type { FileBudget } from './file-budget.js';
import { isCopyOf, looksBinary, readFingerprint, sameContent } from './file-identity.js';
import { globRoots, type GlobRoot } from './glob-roots.js';
import { StartAt, type ShipFlow } from './ship-config.js';
import type { ShipCounters } from './ship-counters.js';
import type { FileState } from './state-store.js';
import { TrackedFile } from './tracked-file.js';

/**
 * Paths stat'ed at once by a scan: an idle poll of many files costs one wake-up per group, not
 * one per file (a round trip each through the thread pool), and the pool is not flooded.
 */
const STAT_GROUP = 64;

/** Stats of `paths` (or why each failed), in order, a group at a time. */
async function statAll(paths: readonly string[]): Promise<(Stats | NodeJS.ErrnoException)[]> {
  const out: (Stats | NodeJS.ErrnoException)[] = [];
  for (let i = 0; i < paths.length; i += STAT_GROUP) {
    const group = paths.slice(i, i + STAT_GROUP);
    out.push(
      ...(await Promise.all(group.map((p) => stat(p).catch((err: NodeJS.ErrnoException) => err)))),
    );
  }
  return out;
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

/** How a {@link FileDiscovery} reaches the rest of the daemon. */
export interface FileDiscoveryHooks {
  warn(message: string): void;
  /** Open file handles, shared by every flow. */
  budget: FileBudget;
  releaseIdleMs: number;
}

/**
 * One flow's files: globs, file identity (dev:ino and first bytes), rotation, truncation and
 * the open handles within the shared budget. It never reads past a file's first bytes: the
 * trackers it keeps are read by {@link FileReader}.
 *
 * @example
 * ```ts
 * const files = new FileDiscovery(flow, saved, counters, { warn, budget, releaseIdleMs: 2000 });
 * await files.scan(true);
 * for (const t of files.trackers) if (t.handle !== undefined) await reader.readTurn(t);
 * ```
 */
export class FileDiscovery {
  /** Every tracker with state worth keeping: live, detached, released but unsettled. */
  readonly trackers = new Set<TrackedFile>();
  /** Paths that matched and could not be opened, with why (until an open succeeds). */
  readonly unreadable = new Map<string, string>();
  private readonly byKey = new Map<string, TrackedFile>();
  private readonly copies = new Set<string>();
  private readonly skipped = new Set<string>();
  private readonly warned = new Set<string>();
  private saved: FileState[];
  /** The flow's patterns by the directory they are globbed from; excludes made absolute. */
  private readonly roots: GlobRoot[];
  private readonly exclude: string[];
  /** Files the last scan could not open for want of a handle (they wait their turn). */
  private waiting = 0;
  /** The first scan left files waiting for a handle: later scans still count as start-up. */
  private startUp = false;

  constructor(
    private readonly flow: ShipFlow,
    saved: FileState[],
    private readonly counters: ShipCounters,
    private readonly hooks: FileDiscoveryHooks,
  ) {
    this.saved = saved.filter((s) => s.flow === flow.name);
    this.roots = globRoots(flow.paths, process.cwd());
    this.exclude = flow.exclude.map((e) => resolve(e));
  }

  /** Matching files the last scan could not open for want of a handle. */
  get waitingFiles(): number {
    return this.waiting;
  }

  /** Saved entries not matched yet (kept in the state as they were). */
  get unmatchedSaved(): readonly FileState[] {
    return this.saved;
  }

  /** Whether some file waits for a handle that parking an idle file could free. */
  get handleWaitEnds(): boolean {
    return this.waiting > 0 && this.parkable() !== undefined;
  }

  /** Globs, stats and opens: follows new files, notices renames and files that left. */
  async scan(first: boolean): Promise<void> {
    const paths: string[] = [];
    for (const { root, patterns } of this.roots) {
      const found = await glob(patterns, {
        cwd: root,
        absolute: true,
        onlyFiles: true,
        ignore: this.exclude,
        expandDirectories: false,
        dot: true,
      });
      for (const p of found) paths.push(p);
    }
    paths.sort();
    const seen = new Set<string>();
    const fresh: Candidate[] = [];
    const wake: TrackedFile[] = [];
    let waiting = 0;
    const anyDetached = [...this.trackers].some((t) => t.detachedAtMs !== undefined);
    const stats = await statAll(paths);
    for (let i = 0; i < paths.length; i++) {
      const path = paths[i]!;
      const st = stats[i]!;
      if (!(st instanceof Stats)) {
        if (st.code !== 'ENOENT') this.warnOnce(path, describe(path, st));
        continue;
      }
      const key = `${st.dev}:${st.ino}`;
      const known = this.byKey.get(key);
      if (known !== undefined) {
        seen.add(key);
        known.path = path;
        known.observe(st.size, st.mtimeMs);
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
      const c = await this.openCandidate(path, key, fresh, seen);
      if (c !== undefined) fresh.push(c);
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

  /** Opens a matching path (a handle was taken for it); undefined when it is not followed. */
  private async openCandidate(
    path: string,
    key: string,
    fresh: Candidate[],
    seen: Set<string>,
  ): Promise<Candidate | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      this.hooks.budget.give();
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.unreadable.set(path, describe(path, err));
        if (this.warnOnce(path, describe(path, err))) this.counters.unreadableFiles++;
      }
      return undefined;
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
        return undefined;
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
      return undefined;
    }
    return { path, key: hkey, dev: hst.dev, ino: hst.ino, size: hst.size, handle, head };
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
      d.forgetLooked();
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

  /** The file under `t` was truncated or refilled: `t` lives on only if a copy turns up. */
  replaced(t: TrackedFile, handle: FileHandle, head: Buffer, size: number): void {
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

  /** Whether `t` is done: detached long enough, or left the globs and sat at its end idle. */
  releaseDue(t: TrackedFile, now: number): boolean {
    if (t.released) return false;
    const idleMs = this.hooks.releaseIdleMs;
    const idle = now - t.lastGrowthAtMs >= idleMs;
    const detachedDone = t.detachedAtMs !== undefined && now - t.detachedAtMs >= idleMs;
    const orphanDone =
      (t.handle !== undefined || t.parked) && t.orphaned && t.readPos >= t.size && idle;
    return detachedDone || orphanDone;
  }

  /** Lets `t` go (its last records were shipped): no more reading, handle closed. */
  release(t: TrackedFile): void {
    t.released = true;
    if (this.byKey.get(t.key) === t) this.byKey.delete(t.key);
    const h = t.handle;
    t.handle = undefined;
    if (h !== undefined) void this.closeHandle(h);
    this.counters.filesReleased++;
  }

  /** Forgets a released tracker whose records all settled. */
  forget(t: TrackedFile): void {
    this.trackers.delete(t);
  }

  /** Closes every handle. */
  async close(): Promise<void> {
    for (const t of this.trackers) {
      const h = t.handle;
      t.handle = undefined;
      if (h !== undefined) await this.closeHandle(h);
    }
  }

  /** Warns about `path` once (until it can be opened again); true when it warned. */
  warnOnce(path: string, message: string): boolean {
    if (this.warned.has(path)) return false;
    this.warned.add(path);
    this.hooks.warn(message);
    return true;
  }

  // ---- open-file budget --------------------------------------------------------------------

  /** A handle for one more open file: free, or freed by parking the idlest file at its end. */
  private async takeHandle(): Promise<boolean> {
    const budget = this.hooks.budget;
    if (budget.take()) return true;
    const idle = this.parkable();
    if (idle === undefined) return false;
    const h = idle.handle!;
    idle.handle = undefined;
    idle.parked = true;
    this.counters.filesParked++;
    await this.closeHandle(h);
    return budget.take();
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
      this.hooks.budget.give();
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
    t.forgetLooked();
    return true;
  }

  private async closeHandle(handle: FileHandle): Promise<void> {
    this.hooks.budget.give();
    await handle.close().catch(() => undefined);
  }

  private fileWaits(n: number): void {
    this.counters.openFileWaits += n;
    const budget = this.hooks.budget;
    if (budget.waits++ === 0) this.hooks.warn(budget.why);
  }
}

/** A warning for a path that cannot be read. */
export function describe(path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return `cannot read ${path}: permission denied (other files continue; retried on later scans)`;
  }
  return `cannot read ${path}: ${(err as Error).message}`;
}
