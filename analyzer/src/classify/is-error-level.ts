/** pino and bunyan number their levels; 50 is `error`, 60 `fatal`. */
export const PINO_ERROR_LEVEL = 50;

/** Longest level string worth looking at; anything longer is not a level name. */
const MAX_LEVEL_CHARS = 16;

/**
 * Known level names, lower case, mapped to whether they are an error. Names of every common
 * logger (pino, winston, bunyan, log4j, syslog, java.util.logging) are listed so that the usual
 * non-error names are answered from the table without further work.
 */
const LEVEL_NAMES: ReadonlyMap<string, boolean> = new Map([
  ['error', true],
  ['err', true],
  ['fatal', true],
  ['critical', true],
  ['crit', true],
  ['alert', true],
  ['emerg', true],
  ['emergency', true],
  ['panic', true],
  ['severe', true],
  ['warn', false],
  ['warning', false],
  ['notice', false],
  ['info', false],
  ['http', false],
  ['verbose', false],
  ['debug', false],
  ['silly', false],
  ['trace', false],
  ['fine', false],
  ['config', false],
]);

const NUMERIC_LEVEL = /^\d{1,3}$/;

/**
 * Whether a record's `level` is error or worse: one of error, err, fatal, critical, crit,
 * alert, emerg(ency), panic, severe (any case), or a pino/bunyan number ≥ 50 (as a number or a
 * numeric string). Anything else, including a missing level, is not an error.
 *
 * @example
 * ```ts
 * isErrorLevel('ERROR'); // true
 * isErrorLevel(60); // true (pino fatal)
 * isErrorLevel('warn'); // false
 * ```
 */
export function isErrorLevel(level: unknown): boolean {
  if (typeof level === 'number') return level >= PINO_ERROR_LEVEL;
  if (typeof level !== 'string' || level.length > MAX_LEVEL_CHARS) return false;
  // The six names the JSON parser folds every level to, answered before the look-up (about a
  // tenth of the instructions: most levels an analyzer sees are these).
  if (level === 'error' || level === 'fatal') return true;
  if (level === 'info' || level === 'warn' || level === 'debug' || level === 'trace') return false;
  const known = LEVEL_NAMES.get(level) ?? LEVEL_NAMES.get(level.trim().toLowerCase());
  if (known !== undefined) return known;
  return NUMERIC_LEVEL.test(level) && Number(level) >= PINO_ERROR_LEVEL;
}
