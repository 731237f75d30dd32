/**
 * Linux process checks for tests that must prove no process is left behind: liveness that
 * treats an unreaped zombie as gone, and the descendants of a process from /proc.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * True while `pid` runs; an exited but unreaped (zombie) process counts as gone.
 *
 * @example
 * ```ts
 * expect(isProcessAlive(child.pid!)).to.equal(false);
 * ```
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Field 3 of /proc/<pid>/stat is the state; the name in field 2 may contain spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Pids among `pids` still alive after waiting up to `timeoutMs` for all of them to end.
 *
 * @example
 * ```ts
 * expect(await survivorsAfter(pids, 2_000)).to.deep.equal([]);
 * ```
 */
export async function survivorsAfter(
  pids: readonly number[],
  timeoutMs: number,
): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter(isProcessAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await delay(50);
    alive = alive.filter(isProcessAlive);
  }
  return alive;
}

/**
 * Every process below `root` (children, grandchildren, ...) right now.
 *
 * @example
 * ```ts
 * const servers = descendantPids(child.pid!);
 * ```
 */
export function descendantPids(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next = [...parents].filter(([, ppid]) => frontier.includes(ppid)).map(([pid]) => pid);
    found.push(...next);
    frontier = next;
  }
  return found;
}
