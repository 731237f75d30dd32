/*
 *   "5m" / "30s" / "2h" ──────────────▶ fixed interval after each run's start
 *   "*\/15 8-18 * * MON-FRI", "@daily" ─▶ croner (five fields, names, macros), in --tz or local time
 */
import { Cron } from 'croner';

/** When the next run is due after `from`. */
export type Schedule = (from: Date) => Date;

/** Bounds of schedules. */
export const ScheduleLimits = {
  MIN_INTERVAL_MS: 1_000,
  MAX_INTERVAL_MS: 31 * 24 * 3_600_000,
} as const;

/** How a schedule is read. */
export interface ScheduleOptions {
  /** IANA time zone the cron fields are read in (e.g. `Europe/Berlin`); default: local time. */
  readonly timezone?: string;
}

const DURATION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/**
 * Whether `text` is a duration (`90s`, `5m`, `1h`) rather than a cron expression.
 *
 * @example
 * ```ts
 * isDuration('5m'); // true
 * isDuration('@hourly'); // false
 * ```
 */
export function isDuration(text: string): boolean {
  return DURATION.test(text.trim());
}

/**
 * Parses a schedule: a duration (`90s`, `5m`, `1h`) or a five-field cron expression (minute hour
 * day-of-month month day-of-week) with names (`MON-FRI`, `JAN`) and macros (`@hourly`, `@daily`,
 * `@weekly`, `@monthly`, `@yearly`), read in `options.timezone` or local time. Returns a message
 * naming the expression instead of a schedule when the text is neither, or never fires.
 *
 * @example
 * ```ts
 * const next = parseSchedule('0 8 * * MON-FRI', { timezone: 'Europe/Berlin' });
 * if (typeof next !== 'string') next(new Date()); // the next weekday, 08:00 in Berlin
 * ```
 */
export function parseSchedule(text: string, options: ScheduleOptions = {}): Schedule | string {
  const trimmed = text.trim();
  const duration = DURATION.exec(trimmed);
  if (duration !== null) {
    const ms = Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
    if (ms < ScheduleLimits.MIN_INTERVAL_MS || ms > ScheduleLimits.MAX_INTERVAL_MS) {
      return `${JSON.stringify(text)}: interval must be from ${ScheduleLimits.MIN_INTERVAL_MS} ms to ${ScheduleLimits.MAX_INTERVAL_MS} ms`;
    }
    return (from) => new Date(from.getTime() + ms);
  }
  if (options.timezone !== undefined && !isTimeZone(options.timezone)) {
    return `${JSON.stringify(options.timezone)} is not an IANA time zone (e.g. Europe/Berlin, UTC)`;
  }
  let cron: Cron;
  try {
    cron = new Cron(trimmed, {
      mode: '5-part',
      ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^CronPattern: /, '') : String(err);
    const what = /\s|^@/.test(trimmed)
      ? 'is not a valid cron expression'
      : 'is neither a duration like 5m nor a cron expression';
    return `${JSON.stringify(text)} ${what}: ${reason}`;
  }
  if (cron.nextRun() === null) return `${JSON.stringify(text)} never fires`;
  // A cron expression that matches no future date (none does with a wildcard year) stops the loop.
  return (from) => cron.nextRun(from) ?? new Date(Number.NaN);
}

/**
 * Whether `zone` is an IANA time zone this Node.js knows (`Europe/Berlin`, `UTC`).
 *
 * @example
 * ```ts
 * isTimeZone('America/New_York'); // true
 * ```
 */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
