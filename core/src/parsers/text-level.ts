import type { LogLevel } from './log-event.js';

// A level word stands alone: neither side touches a letter, digit or `_` (`[ERROR]`, `ERROR:`,
// ` FATAL ` qualify; `ERRORS`, `X_ERROR`, `error` do not). Only upper case: in prose, "parity
// error corrected" is a description, not a level.
const LEVEL_TOKEN =
  /(?<![A-Za-z0-9_])(TRACE|DEBUG|INFO|NOTICE|WARNING|WARN|ERROR|ERR|SEVERE|CRITICAL|CRIT|ALERT|EMERG|FATAL)(?![A-Za-z0-9_])/;

const TOKEN_LEVELS: Readonly<Record<string, LogLevel>> = Object.assign(
  Object.create(null) as Record<string, LogLevel>,
  {
    TRACE: 'trace',
    DEBUG: 'debug',
    INFO: 'info',
    NOTICE: 'info',
    WARN: 'warn',
    WARNING: 'warn',
    ERROR: 'error',
    ERR: 'error',
    SEVERE: 'error',
    CRITICAL: 'fatal',
    CRIT: 'fatal',
    ALERT: 'fatal',
    EMERG: 'fatal',
    FATAL: 'fatal',
  },
);

/**
 * The level a line of free text states: its first standalone upper-case level word (`TRACE
 * DEBUG INFO NOTICE WARN WARNING ERROR ERR SEVERE CRITICAL CRIT ALERT EMERG FATAL`, also as
 * `[ERROR]` or `ERROR:`), wherever it stands; `undefined` when there is none.
 *
 * @example
 * ```ts
 * levelInText('- 2005-06-03 R02-M1 RAS KERNEL FATAL data TLB error'); // 'fatal'
 * levelInText('instruction cache parity error corrected'); // undefined
 * ```
 */
export function levelInText(text: string): LogLevel | undefined {
  const m = LEVEL_TOKEN.exec(text);
  return m === null ? undefined : TOKEN_LEVELS[m[1]!];
}
