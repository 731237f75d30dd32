/*
 *   kinlog-query-<host>-<pid>-<random>   one per loading process, removed by its close()
 *        │ a process killed (SIGKILL, out of memory) never closes: its directory stays,
 *        ▼ up to a window's rows on disk
 *   the next spool made on the same host removes those whose process is gone
 *
 * Only directories named for this host are judged: a process of another host or container
 * sharing the temp directory has its own process numbers, which say nothing here.
 */
import { readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** What every spool directory's name starts with. */
export const SPOOL_PREFIX = 'kinlog-query-';

/**
 * The name prefix of this process's spool directories (`mkdtemp` adds six random characters):
 * the host (letters, digits and `-` only) and the process id, so a later process can tell
 * whether the owner is still running.
 *
 * @example
 * ```ts
 * await mkdtemp(join(tmpdir(), spoolNamePrefix())); // …/kinlog-query-web-1-4242-a1B2c3
 * ```
 */
export function spoolNamePrefix(host: string = hostname(), pid: number = process.pid): string {
  return `${SPOOL_PREFIX}${hostTag(host)}-${pid}-`;
}

/**
 * Whether process `pid` is running (or exists under another user, which is not ours to judge).
 *
 * @example
 * ```ts
 * processIsAlive(process.pid); // true
 * ```
 */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes spool directories in `parent` left by processes of this host that are no longer
 * running, and answers their names. Best effort: a directory that cannot be read or removed
 * is left as it is (the load that calls this must not fail for another process's leftovers).
 *
 * @example
 * ```ts
 * await removeStaleSpools(tmpdir()); // ['kinlog-query-web-1-4242-a1B2c3']
 * ```
 */
export async function removeStaleSpools(
  parent: string,
  host: string = hostname(),
  isAlive: (pid: number) => boolean = processIsAlive,
): Promise<string[]> {
  const ours = `${SPOOL_PREFIX}${hostTag(host)}-`;
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(ours)) continue;
    const match = OWNER_PID.exec(name.slice(ours.length));
    const pid = Number(match?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || isAlive(pid)) continue;
    try {
      await rm(join(parent, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Not ours to remove after all (another user's, a read-only mount): left alone.
    }
  }
  return removed;
}

/** `<pid>-<random>` after the host part of a spool directory's name. */
const OWNER_PID = /^(\d+)-[^-]+$/;

/** A host name as it goes into a directory name: letters, digits and `-`, at most 64. */
function hostTag(host: string): string {
  return (host.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 64) || 'host').toLowerCase();
}
