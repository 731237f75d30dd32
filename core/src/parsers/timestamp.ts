// Timestamp assembly shared by the parsers. Everything works on the digits a regex captured:
// no Date.parse (slow, and zone-less strings would depend on the host's TZ).

const MS_PER_MINUTE = 60_000;
const MS_DIGITS = 3;
const TWO_DIGIT_YEAR_BASE = 2000;
/** Date.UTC accepts a leap second (60) and rolls it into the next minute, like the logs mean. */
const MAX_SECOND = 60;

const MONTH_BY_NAME: Readonly<Record<string, number>> = Object.assign(
  Object.create(null) as Record<string, number>,
  {
    Jan: 1,
    Feb: 2,
    Mar: 3,
    Apr: 4,
    May: 5,
    Jun: 6,
    Jul: 7,
    Aug: 8,
    Sep: 9,
    Oct: 10,
    Nov: 11,
    Dec: 12,
  },
);

/** Month number (1–12) of an English three-letter abbreviation, or 0. */
export function monthFromName(name: string): number {
  return MONTH_BY_NAME[name] ?? 0;
}

/** A two-digit year as written by Spark and HDFS (`17/06/09`, `081109`): always 20xx. */
export function yearFromTwoDigits(digits: string): number {
  return TWO_DIGIT_YEAR_BASE + Number(digits);
}

/** Milliseconds of a decimal fraction of a second: `'9'` → 900, `'978123'` → 978. */
export function fractionToMs(fraction: string | undefined): number {
  if (fraction === undefined || fraction.length === 0) return 0;
  if (fraction.length === MS_DIGITS) return Number(fraction);
  if (fraction.length > MS_DIGITS) return Number(fraction.slice(0, MS_DIGITS));
  return Number(fraction) * (fraction.length === 1 ? 100 : 10);
}

/** Minutes east of UTC of `Z`, `+0200`, `-07:00`; `undefined` when absent or malformed. */
export function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone.length === 0) return undefined;
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone.charCodeAt(0) === 45 /* - */ ? -1 : 1;
  const digits = zone.length === 6 ? zone.slice(1, 3) + zone.slice(4) : zone.slice(1);
  if (digits.length !== 4) return undefined;
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (!(hours <= 14 && minutes < 60)) return undefined;
  return sign * (hours * 60 + minutes);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * ISO-8601 UTC string of a wall-clock time at `offsetMinutes` east of UTC, or `undefined` when
 * the parts are not a real calendar time (month 13, Feb 30, hour 24).
 */
export function isoFromParts(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
  offsetMinutes: number,
): string | undefined {
  if (
    !(month >= 1 && month <= 12) ||
    !(day >= 1 && day <= daysInMonth(year, month)) ||
    !(hour < 24 && minute < 60 && second <= MAX_SECOND)
  ) {
    return undefined;
  }
  const epochMs =
    Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * MS_PER_MINUTE;
  return isoFromEpochMs(epochMs);
}

const MS_PER_SECOND = 1000;
const SECONDS_PER_MINUTE = 60;
const SECONDS_PER_HOUR = 3600;
const MS_PER_DAY = 86_400_000;
/** `YYYY-MM-DDTHH:MM:SS.sssZ`: the form whose first 11 characters name the day. */
const ISO_CHARS = 24;
const ISO_DAY_PREFIX_CHARS = 11;
/** The last day written, and its ISO text up to the hour (one entry: logs are in order). */
let cachedDay = Number.NaN;
let cachedPrefix = '';
/** `'00'` … `'59'`: two-digit parts of a time of day. */
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

/**
 * `new Date(epochMs).toISOString()` for an integer `epochMs`, without a Date when the day is
 * the one written last: consecutive log lines mostly share it, and building the string through
 * Date cost more than parsing the rest of an access log line. The time of day is plain
 * arithmetic (UTC has no leap seconds in epoch time).
 *
 * @example
 * ```ts
 * isoFromEpochMs(1714521600250); // '2024-05-01T00:00:00.250Z'
 * ```
 */
export function isoFromEpochMs(epochMs: number): string {
  const day = Math.floor(epochMs / MS_PER_DAY);
  if (day !== cachedDay || !Number.isInteger(epochMs)) {
    const iso = new Date(epochMs).toISOString();
    // Years outside 0–9999 are written with six digits and a sign: not cached.
    if (iso.length !== ISO_CHARS || !Number.isInteger(epochMs)) return iso;
    cachedDay = day;
    cachedPrefix = iso.slice(0, ISO_DAY_PREFIX_CHARS);
  }
  const msOfDay = epochMs - day * MS_PER_DAY;
  const secondOfDay = Math.floor(msOfDay / MS_PER_SECOND);
  const ms = msOfDay - secondOfDay * MS_PER_SECOND;
  const hour = Math.floor(secondOfDay / SECONDS_PER_HOUR);
  const minute = Math.floor((secondOfDay - hour * SECONDS_PER_HOUR) / SECONDS_PER_MINUTE);
  const second = secondOfDay - hour * SECONDS_PER_HOUR - minute * SECONDS_PER_MINUTE;
  return `${cachedPrefix}${TWO_DIGITS[hour]!}:${TWO_DIGITS[minute]!}:${TWO_DIGITS[second]!}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}

// 2015-10-18 18:01:47,978 / 2015-10-18T18:01:47.978Z / 2015-10-18T18:01:47.978123+02:00
const ISO_LIKE =
  /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)? ?(Z|z|[+-]\d\d:?\d\d)?$/;

/**
 * Normalizes an ISO-8601-like string (`T` or space, `.` or `,` before the fraction, any zone
 * or none) to ISO UTC; `undefined` when it is something else.
 */
export function isoFromIsoLike(text: string, assumedOffsetMinutes: number): string | undefined {
  // Most producers already write what this returns; rebuilding it through Date cost more
  // than the rest of normalizing a JSON record.
  if (isCanonicalIsoUtc(text)) return text;
  const m = ISO_LIKE.exec(text);
  if (m === null) return undefined;
  return isoFromDateMatch(m, m[8], assumedOffsetMinutes);
}

const SECONDS_EPOCH_BELOW = 1e11; // 1e11 ms is 1973; 1e11 s is year 5138
const MAX_EPOCH_MS = 8.64e15; // the Date range

/**
 * ISO UTC string of an epoch number: milliseconds (pino, `Date.now()`), or seconds (zap,
 * Python) when small enough that milliseconds would fall before 1973.
 */
export function isoFromEpoch(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  const ms = Math.abs(value) < SECONDS_EPOCH_BELOW ? value * 1000 : value;
  if (Math.abs(ms) > MAX_EPOCH_MS) return undefined;
  return isoFromEpochMs(Math.trunc(ms));
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ`: the form `Date.prototype.toISOString` writes for years 0–9999. */
const CANONICAL_ISO_CHARS = 24;
const CHAR_MINUS = 0x2d;
const CHAR_T = 0x54;
const CHAR_COLON = 0x3a;
const CHAR_DOT = 0x2e;
const CHAR_Z = 0x5a;
/** Date.UTC reads years 0–99 as 1900–1999, so those are not kept as they are. */
const MIN_CANONICAL_YEAR = 100;
const CHAR_0 = 0x30;

/**
 * Whether `text` is exactly what {@link isoFromIsoLike} would make of it: `toISOString`'s own
 * form, naming a real calendar time (a leap second rolls over, so it is not one).
 */
export function isCanonicalIsoUtc(text: string): boolean {
  // Separators tested by position, digits in runs: a table looked up by position for each
  // character cost more than the rest of normalizing a JSON record's time.
  if (
    text.length !== CANONICAL_ISO_CHARS ||
    text.charCodeAt(4) !== CHAR_MINUS ||
    text.charCodeAt(7) !== CHAR_MINUS ||
    text.charCodeAt(10) !== CHAR_T ||
    text.charCodeAt(13) !== CHAR_COLON ||
    text.charCodeAt(16) !== CHAR_COLON ||
    text.charCodeAt(19) !== CHAR_DOT ||
    text.charCodeAt(23) !== CHAR_Z ||
    !allDigits(text, 0, 4) ||
    !allDigits(text, 5, 7) ||
    !allDigits(text, 8, 10) ||
    !allDigits(text, 11, 13) ||
    !allDigits(text, 14, 16) ||
    !allDigits(text, 17, 19) ||
    !allDigits(text, 20, 23)
  ) {
    return false;
  }
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  return (
    year >= MIN_CANONICAL_YEAR &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    digitsAt(text, 11, 2) < 24 &&
    digitsAt(text, 14, 2) < 60 &&
    digitsAt(text, 17, 2) < 60
  );
}

function allDigits(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if ((text.charCodeAt(i) - CHAR_0) >>> 0 > 9) return false;
  return true;
}

function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) value = value * 10 + text.charCodeAt(i) - CHAR_0;
  return value;
}

/**
 * ISO UTC from a date match whose groups 1 to 7 are year, month, day, hour, minute, second and
 * fraction, with `zone` the zone text if the line had one (else `assumedOffsetMinutes` applies).
 *
 * @example
 * ```ts
 * isoFromDateMatch(/(\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+)(?:,(\d+))?/.exec('2015-10-18 18:01:47,978')!, undefined, 0);
 * // '2015-10-18T18:01:47.978Z'
 * ```
 */
export function isoFromDateMatch(
  m: RegExpExecArray,
  zone: string | undefined,
  assumedOffsetMinutes: number,
): string | undefined {
  const offset = zone === undefined ? assumedOffsetMinutes : zoneOffsetMinutes(zone);
  if (offset === undefined) return undefined;
  return isoFromParts(
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? 0),
    fractionToMs(m[7]),
    offset,
  );
}
