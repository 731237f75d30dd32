import type { Writable } from 'node:stream';

/**
 * What a `kinlog` subcommand gets from the `bin` entry: where to write, and a signal that aborts
 * when the process is asked to stop (SIGINT/SIGTERM). Commands never install signal handlers
 * themselves, so they stay testable in-process.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * process.once('SIGINT', () => controller.abort());
 * program.addCommand(localCommand({ signal: controller.signal, stdout: process.stdout, stderr: process.stderr }));
 * ```
 */
export interface CommandContext {
  readonly signal: AbortSignal;
  readonly stdout: Writable;
  readonly stderr: Writable;
}
