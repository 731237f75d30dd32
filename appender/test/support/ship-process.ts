import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../fixtures/ship-process.js', import.meta.url));

/** A spawned `kinlog ship`, with its output collected. */
export interface ShipProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Another user's ids, to run the process as (only root may). */
export interface RunAs {
  uid: number;
  gid: number;
}

/**
 * Spawns the `kinlog ship` fixture; with `KINLOG_FIXTURE_ULIMIT_N` in `env`, under that
 * `ulimit -n` (set by a shell that then execs node).
 */
export function spawnShip(args: string[], env: NodeJS.ProcessEnv = {}, runAs?: RunAs): ShipProcess {
  const limit = env.KINLOG_FIXTURE_ULIMIT_N;
  const [command, argv] =
    limit === undefined
      ? [process.execPath, [FIXTURE, 'ship', ...args]]
      : [
          '/bin/sh',
          [
            '-c',
            `ulimit -n ${Number(limit)} && exec "$0" "$@"`,
            process.execPath,
            FIXTURE,
            'ship',
            ...args,
          ],
        ];
  const child = spawn(command, argv, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...runAs,
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return { child, output: () => out, exited };
}
