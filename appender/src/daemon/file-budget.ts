import { readFileSync } from 'node:fs';

/** Descriptors left to the process besides followed files: Node itself, the state file, logs. */
export const FD_RESERVE = 64;
/** Descriptors left per flow for its Kinesis connections. */
export const FD_RESERVE_PER_FLOW = 16;
/** The fewest files a daemon keeps open, whatever the limit says. */
export const MIN_OPEN_FILES = 4;

/**
 * The soft limit on open files of this process (`ulimit -n`, systemd `LimitNOFILE`), from
 * /proc/self/limits; `Infinity` where that cannot be read.
 *
 * @example
 * ```ts
 * softOpenFileLimit(); // 1024
 * ```
 */
export function softOpenFileLimit(limitsText?: string): number {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return Infinity;
    }
  }
  const m = /^Max open files\s+(\S+)/m.exec(text);
  if (m === null || m[1] === 'unlimited') return Infinity;
  const n = Number(m[1]);
  return Number.isFinite(n) && n > 0 ? n : Infinity;
}

/**
 * How many followed files may be open at once: the configured `maxOpenFiles`, and never more
 * than the process limit leaves after the reserve for Node, the state file and every flow's
 * Kinesis connections.
 *
 * @example
 * ```ts
 * openFilesAllowed(512, 256, 1); // 176
 * ```
 */
export function openFilesAllowed(configured: number, softLimit: number, flows: number): number {
  const room = softLimit - FD_RESERVE - FD_RESERVE_PER_FLOW * flows;
  return Math.max(MIN_OPEN_FILES, Math.min(configured, room));
}

/**
 * Open file handles shared by every flow of a daemon: a handle is taken before a file is opened
 * and given back when it is closed. Pure bookkeeping.
 *
 * @example
 * ```ts
 * const budget = new FileBudget(176);
 * if (budget.take()) { await open(path); } // else: close an idle file first, or wait a turn
 * budget.give();
 * ```
 */
export class FileBudget {
  /** Handles held now. */
  open = 0;
  /** Times a file had to wait for a handle. */
  waits = 0;

  /**
   * @param max handles allowed at once.
   * @param why what limits it and how to raise it, for the one warning when a file first waits.
   */
  constructor(
    readonly max: number,
    readonly why: string = `at most ${max} files are kept open`,
  ) {}

  /** Takes a handle if one is free. */
  take(): boolean {
    if (this.open >= this.max) return false;
    this.open++;
    return true;
  }

  /** Gives back a handle taken by {@link take}. */
  give(): void {
    if (this.open > 0) this.open--;
  }

  get full(): boolean {
    return this.open >= this.max;
  }
}
