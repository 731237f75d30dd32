import { readFileSync } from 'node:fs';

/**
 * The version of the installed `@kinlog/cli` package, read from its package.json, so
 * `kinlog --version` can never disagree with what npm installed. The path is relative to the
 * compiled file (dist/src/), which is where this always runs from.
 *
 * @example
 * ```ts
 * process.stdout.write(`${cliVersion()}\n`); // 0.1.0
 * ```
 */
export function cliVersion(): string {
  const packageJson: unknown = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  );
  const version = (packageJson as { version?: unknown }).version;
  if (typeof version !== 'string') throw new Error('@kinlog/cli package.json has no version');
  return version;
}
