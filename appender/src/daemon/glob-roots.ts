import { isAbsolute, resolve } from 'node:path';
import { isDynamicPattern } from 'tinyglobby';

//   /var/log/nginx/access.log*  ──► root /var/log/nginx, pattern access.log*
//   /srv/*/logs/app.log         ──► root /srv,           pattern */logs/app.log
//   logs/app.log (cwd /opt/x)   ──► root /opt/x/logs,    pattern app.log
//
// A glob given absolute paths outside its cwd crawls from their common ancestor, `/` for most
// (every entry of /tmp, say, on every poll); globbing each root from itself reads only the
// directories the patterns can match in.

/** Patterns that share a directory to glob from. */
export interface GlobRoot {
  /** Absolute directory the patterns are relative to. */
  root: string;
  patterns: string[];
}

/**
 * Groups patterns by the directory before their first glob segment. Pure (given `cwd`).
 *
 * @example
 * ```ts
 * globRoots(['/var/log/a/*.log', '/var/log/a/x.log'], '/');
 * // [{ root: '/var/log/a', patterns: ['*.log', 'x.log'] }]
 * ```
 */
export function globRoots(patterns: readonly string[], cwd: string): GlobRoot[] {
  const byRoot = new Map<string, string[]>();
  for (const p of patterns) {
    const abs = isAbsolute(p) ? p : resolve(cwd, p);
    const parts = abs.split('/');
    let i = 1;
    while (i < parts.length - 1 && !isDynamicPattern(parts[i]!)) i++;
    const root = parts.slice(0, i).join('/') || '/';
    const rest = parts.slice(i).join('/');
    let list = byRoot.get(root);
    if (list === undefined) byRoot.set(root, (list = []));
    list.push(rest);
  }
  return [...byRoot].map(([root, list]) => ({ root, patterns: list }));
}
