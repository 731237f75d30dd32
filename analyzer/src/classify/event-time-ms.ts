/** `YYYY-MM-DDTHH:MM:SS.sssZ`: what the JSON parser normalizes a readable time to. */
const CANONICAL_ISO_CHARS = 24;
const CHAR_0 = 0x30;
const CHAR_MINUS = 0x2d;
const CHAR_T = 0x54;
const CHAR_COLON = 0x3a;
const CHAR_DOT = 0x2e;
const CHAR_Z = 0x5a;
/** Date.UTC reads years 0–99 as 1900–1999: those are left to Date.parse. */
const MIN_FAST_YEAR = 100;

/**
 * Epoch milliseconds of an event's `time`, as `Date.parse` reads it (`NaN` when it cannot).
 * A time in the parser's canonical form naming a real calendar time is read from its digits,
 * several times faster than `Date.parse`; anything else is given to `Date.parse`.
 *
 * @example
 * ```ts
 * eventTimeMs('2024-05-01T00:00:00.250Z'); // 1714521600250
 * eventTimeMs('yesterday'); // NaN
 * ```
 */
export function eventTimeMs(time: string): number {
  const ms = canonicalIsoTimeMs(time);
  return Number.isNaN(ms) ? Date.parse(time) : ms;
}

/**
 * Epoch milliseconds of a time in the parser's canonical form (`toISOString`'s, naming a real
 * calendar time: what the parser keeps as it is), read from its digits; `NaN` for anything
 * else, even a time `Date.parse` would read.
 *
 * @example
 * ```ts
 * canonicalIsoTimeMs('2024-05-01T00:00:00.250Z'); // 1714521600250
 * canonicalIsoTimeMs('2024-05-01T00:00:00Z'); // NaN
 * ```
 */
export function canonicalIsoTimeMs(time: string): number {
  if (
    time.length !== CANONICAL_ISO_CHARS ||
    time.charCodeAt(4) !== CHAR_MINUS ||
    time.charCodeAt(7) !== CHAR_MINUS ||
    time.charCodeAt(10) !== CHAR_T ||
    time.charCodeAt(13) !== CHAR_COLON ||
    time.charCodeAt(16) !== CHAR_COLON ||
    time.charCodeAt(19) !== CHAR_DOT ||
    time.charCodeAt(23) !== CHAR_Z
  ) {
    return Number.NaN;
  }
  const year = digitsAt(time, 0, 4);
  const month = digitsAt(time, 5, 2);
  const day = digitsAt(time, 8, 2);
  const hour = digitsAt(time, 11, 2);
  const minute = digitsAt(time, 14, 2);
  const second = digitsAt(time, 17, 2);
  const ms = digitsAt(time, 20, 3);
  // A non-digit makes its field negative (see digitsAt), so it fails these checks too.
  if (
    !(year >= MIN_FAST_YEAR) ||
    !(month >= 1 && month <= 12) ||
    !(day >= 1 && day <= daysInMonth(year, month)) ||
    !(hour >= 0 && hour < 24) ||
    !(minute >= 0 && minute < 60) ||
    !(second >= 0 && second < 60) ||
    !(ms >= 0)
  ) {
    return Number.NaN;
  }
  // Date.UTC is a call into the runtime; the same sum in integers (all far below 2^53) is exact.
  return (((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60 + second) * 1000 + ms;
}

const DAYS_PER_ERA = 146_097;
/** Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar. */
const EPOCH_DAYS_FROM_ERA_START = 719_468;

/** Days since 1970-01-01 of a valid date of a year ≥ 1 (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const shiftedMonth = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * shiftedMonth + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * DAYS_PER_ERA + dayOfEra - EPOCH_DAYS_FROM_ERA_START;
}

/** The number written by `count` digits from `start`, or -1 if one of them is not a digit. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - CHAR_0;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
