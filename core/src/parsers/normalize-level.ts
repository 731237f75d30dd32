import type { LogLevel } from './log-event.js';

// Synonyms seen in the wild (log4j, JUL, syslog, winston's npm levels, Python, zap) folded into
// the six kinlog levels, so "level >= error" means the same thing whatever wrote the line.
const LEVEL_SYNONYMS: Readonly<Record<string, LogLevel>> = Object.assign(
  Object.create(null) as Record<string, LogLevel>,
  {
    trace: 'trace',
    silly: 'trace',
    finest: 'trace',
    finer: 'trace',
    debug: 'debug',
    verbose: 'debug',
    fine: 'debug',
    info: 'info',
    information: 'info',
    notice: 'info',
    http: 'info',
    config: 'info',
    warn: 'warn',
    warning: 'warn',
    error: 'error',
    err: 'error',
    severe: 'error',
    fatal: 'fatal',
    critical: 'fatal',
    crit: 'fatal',
    alert: 'fatal',
    emerg: 'fatal',
    emergency: 'fatal',
    panic: 'fatal',
    dpanic: 'fatal',
  },
);

/**
 * Maps a level name from any common logging library to a kinlog level; unknown names come back
 * lowercased so nothing the producer meant is lost.
 *
 * @example
 * ```ts
 * normalizeLevel('WARNING'); // 'warn'
 * normalizeLevel('Audit'); // 'audit'
 * ```
 */
export function normalizeLevel(name: string): string {
  const direct = LEVEL_SYNONYMS[name];
  if (direct !== undefined) return direct;
  const lower = name.toLowerCase();
  return LEVEL_SYNONYMS[lower] ?? lower;
}

// pino/bunyan numbers: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal; custom
// levels in between fall to the level below them.
const PINO_LEVEL_MIN = 10;

/**
 * Maps a numeric pino/bunyan level to a kinlog level, or `undefined` below 10 (those numbers
 * mean other things elsewhere, e.g. syslog severities, and are left as they were).
 *
 * @example
 * ```ts
 * levelFromNumber(50); // 'error'
 * levelFromNumber(35); // 'info'
 * ```
 */
export function levelFromNumber(value: number): LogLevel | undefined {
  if (!Number.isFinite(value) || value < PINO_LEVEL_MIN) return undefined;
  if (value < 20) return 'trace';
  if (value < 30) return 'debug';
  if (value < 40) return 'info';
  if (value < 50) return 'warn';
  if (value < 60) return 'error';
  return 'fatal';
}
