import { constants } from 'node:os';
import { CommanderError } from 'commander';
import { ConfigError } from '@kinlog/core';

/**
 * The exit statuses every `kinlog` command shares (signals end a command with 128 + n).
 *
 * @example
 * ```ts
 * process.exitCode = ExitCodes.USAGE;
 * ```
 */
export const ExitCodes = {
  OK: 0,
  FAILURE: 1,
  /** Invalid options, configuration file or state directory. */
  USAGE: 2,
  /** `ship --once` finished with lines it read and could not deliver. */
  PARTIAL_DELIVERY: 3,
} as const;
export type ExitCode = (typeof ExitCodes)[keyof typeof ExitCodes];

/** Codes of errors our commands raise through commander with their own exit status. */
const OWN_CODE_PREFIX = 'kinlog.';

/**
 * The exit status for an error that ended a command, and whether its message is still to be
 * printed (commander has printed its own already).
 *
 * @example
 * ```ts
 * exitOf(new ConfigError([{ path: '--every', message: 'expected a duration' }])); // { code: 2, print: true }
 * ```
 */
export function exitOf(err: unknown): { code: number; print: boolean } {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0 || err.code.startsWith(OWN_CODE_PREFIX))
      return { code: err.exitCode, print: false };
    // Unknown option, missing or invalid argument: a usage mistake, whatever commander's default.
    return { code: ExitCodes.USAGE, print: false };
  }
  if (err instanceof ConfigError) return { code: ExitCodes.USAGE, print: true };
  // An error may name its own status (bad SQL in `kinlog query`: 2).
  const own = (err as { exitCode?: unknown } | null)?.exitCode;
  if (typeof own === 'number' && Number.isInteger(own) && own > 0)
    return { code: own, print: true };
  return { code: ExitCodes.FAILURE, print: true };
}

/**
 * How long a command may take to stop after SIGTERM/SIGINT before its process is ended (`ship`
 * drains for at most 3 s of it).
 */
export const STOP_GRACE_MS = 4_500;

/**
 * The status of a command stopped by a signal: 128 + the signal's number, as shells report it.
 *
 * @example
 * ```ts
 * signalExitCode('SIGTERM'); // 143
 * ```
 */
export function signalExitCode(signal: NodeJS.Signals): number {
  return SIGNAL_BASE + constants.signals[signal];
}

/** Added to the signal number in the exit status of a stopped command. */
const SIGNAL_BASE = 128;
