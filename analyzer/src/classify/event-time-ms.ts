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
  const year = twoDigitsAt(time, 0) * 100 + twoDigitsAt(time, 2);
  const month = twoDigitsAt(time, 5);
  const day = twoDigitsAt(time, 8);
  const hour = twoDigitsAt(time, 11);
  const minute = twoDigitsAt(time, 14);
  const second = twoDigitsAt(time, 17);
  const ms = twoDigitsAt(time, 20) * 10 + digitAt(time, 22);
  // A non-digit makes its field negative (see NOT_DIGITS), so it fails these checks too.
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
  // Times of a stream come in order: the day number of the last date is kept.
  if (year !== lastYear || month !== lastMonth || day !== lastDay) {
    lastDays = daysFromCivil(year, month, day);
    lastYear = year;
    lastMonth = month;
    lastDay = day;
  }
  // Date.UTC is a call into the runtime; the same sum in integers (all far below 2^53) is exact.
  return (((lastDays * 24 + hour) * 60 + minute) * 60 + second) * 1000 + ms;
}

/** The last valid date read, and its day number (see daysFromCivil). */
let lastYear = -1;
let lastMonth = -1;
let lastDay = -1;
let lastDays = 0;

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

/**
 * What a field with a non-digit in it reads as: negative however it is combined with the
 * others (a year is two pairs, milliseconds a pair and a digit), so every range check fails.
 */
const NOT_DIGITS = -100_000;

/** The digit at `at`, or {@link NOT_DIGITS}. */
function digitAt(text: string, at: number): number {
  const digit = text.charCodeAt(at) - CHAR_0;
  return digit >= 0 && digit <= 9 ? digit : NOT_DIGITS;
}

/** The number the two digits at `at` write, or {@link NOT_DIGITS}; unrolled: no loop per field. */
function twoDigitsAt(text: string, at: number): number {
  const tens = text.charCodeAt(at) - CHAR_0;
  const ones = text.charCodeAt(at + 1) - CHAR_0;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : NOT_DIGITS;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
