/*
 *   "5m" / "30s" / "2h" ──▶ fixed interval
 *   "*\/15 8-18 * * 1-5" ─▶ five-field cron (minute hour day-of-month month day-of-week), local time
 */

/** When the next run is due after `from`. */
export type Schedule = (from: Date) => Date;

/** Bounds of schedules. */
export const ScheduleLimits = {
  MIN_INTERVAL_MS: 1_000,
  MAX_INTERVAL_MS: 31 * 24 * 3_600_000,
  /** A cron expression must match within this many minutes (a bit over four years, for Feb 29). */
  MAX_CRON_SEARCH_MINUTES: 4 * 366 * 24 * 60 + 1,
} as const;

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const CRON_FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

/**
 * Parses `--every`: a duration (`90s`, `5m`, `1h`) or a five-field cron expression. Returns a
 * message instead of a schedule when the text is neither.
 *
 * @example
 * ```ts
 * const next = parseSchedule('5m');
 * if (typeof next !== 'string') next(new Date()); // five minutes from now
 * ```
 */
export function parseSchedule(text: string): Schedule | string {
  const duration = /^(\d+)(ms|s|m|h)$/.exec(text.trim());
  if (duration !== null) {
    const ms = Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
    if (ms < ScheduleLimits.MIN_INTERVAL_MS || ms > ScheduleLimits.MAX_INTERVAL_MS) {
      return `interval must be from ${ScheduleLimits.MIN_INTERVAL_MS} ms to ${ScheduleLimits.MAX_INTERVAL_MS} ms`;
    }
    return (from) => new Date(from.getTime() + ms);
  }
  const parts = text.trim().split(/\s+/);
  if (parts.length !== CRON_FIELDS.length) {
    return 'must be a duration like 5m or a cron expression of 5 fields';
  }
  const sets: Set<number>[] = [];
  for (let i = 0; i < parts.length; i++) {
    const field = CRON_FIELDS[i]!;
    const set = parseCronField(parts[i]!, field.min, field.max);
    if (set === undefined) return `cron ${field.name} field ${JSON.stringify(parts[i])} is invalid`;
    sets.push(set);
  }
  const [minutes, hours, days, months, weekdays] = sets as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  if (weekdays.has(7)) weekdays.add(0);
  const anyDay = parts[2] === '*';
  const anyWeekday = parts[4] === '*';
  const matches = (d: Date): boolean => {
    if (!minutes.has(d.getMinutes()) || !hours.has(d.getHours()) || !months.has(d.getMonth() + 1))
      return false;
    const dom = days.has(d.getDate());
    const dow = weekdays.has(d.getDay());
    // Cron's rule: when both day fields are restricted, either may match.
    return anyDay || anyWeekday ? dom && dow : dom || dow;
  };
  return (from) => {
    const d = new Date(from.getTime());
    d.setSeconds(0, 0);
    for (let i = 0; i < ScheduleLimits.MAX_CRON_SEARCH_MINUTES; i++) {
      d.setMinutes(d.getMinutes() + 1);
      if (matches(d)) return new Date(d.getTime());
    }
    return new Date(Number.NaN);
  };
}

function parseCronField(text: string, min: number, max: number): Set<number> | undefined {
  const set = new Set<number>();
  for (const item of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (m === null) return undefined;
    const lo = m[1] === '*' ? min : Number(m[2]);
    const hi =
      m[1] === '*' ? max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? max : lo;
    const step = m[4] === undefined ? 1 : Number(m[4]);
    if (lo < min || hi > max || lo > hi || step < 1) return undefined;
    for (let v = lo; v <= hi; v += step) set.add(v);
  }
  return set;
}
