import { watch, type FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isDynamicPattern } from 'tinyglobby';

/**
 * Watches the directories that hold a daemon's files (fs.watch: inotify on Linux), so an idle
 * daemon can sleep long and still wake at once when a file grows, appears or is rotated. A
 * pattern whose directory is itself a glob, or a directory that cannot be watched (missing,
 * unsupported), leaves {@link allWatched} false: the daemon then keeps its short poll. Events
 * are only a hint to look; the files are read as when polling, so a missed event costs latency,
 * never lines. Pure bookkeeping around the watchers, which are unref'd.
 *
 * @example
 * ```ts
 * const w = new DirWatch(['/var/log/nginx/access.log*'], () => wakeUp());
 * w.refresh();                  // (re)tries every directory not watched yet
 * if (w.allWatched && !w.takeChanged()) sleepLonger();
 * w.close();
 * ```
 */
export class DirWatch {
  private readonly dirs: string[];
  private readonly watchers = new Map<string, FSWatcher>();
  private changed = false;
  private globbedDirs = false;
  private closed = false;

  constructor(
    patterns: readonly string[],
    private readonly onChange: () => void,
  ) {
    const dirs = new Set<string>();
    for (const p of patterns) {
      const dir = dirname(resolve(p));
      if (isDynamicPattern(dir)) this.globbedDirs = true;
      else dirs.add(dir);
    }
    this.dirs = [...dirs];
  }

  /** True when every directory is watched, so events can stand in for polling. */
  get allWatched(): boolean {
    return !this.globbedDirs && this.watchers.size === this.dirs.length;
  }

  /** Starts watching directories not watched yet (one that appeared since, or failed). */
  refresh(): void {
    if (this.closed) return;
    for (const dir of this.dirs) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, () => {
          this.changed = true;
          this.onChange();
        });
        w.on('error', () => {
          // Removed or unmounted: back to polling until refresh() can watch it again.
          w.close();
          this.watchers.delete(dir);
        });
        this.watchers.set(dir, w);
      } catch {
        // Missing or not watchable: polled instead.
      }
    }
  }

  /** Whether an event came since the last call. */
  takeChanged(): boolean {
    const c = this.changed;
    this.changed = false;
    return c;
  }

  close(): void {
    this.closed = true;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}
