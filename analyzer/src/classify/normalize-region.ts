import { truncateString } from './truncate-string.js';

/** Longest region name kept; longer names are cut. */
export const MAX_REGION_CHARS = 64;

const SHORT_CODE = /^[a-z]{2,4}$/i;
const WHITESPACE_RUN = /\s+/g;

/**
 * A region name as it is keyed and reported: trimmed, inner whitespace collapsed, cut to
 * {@link MAX_REGION_CHARS}; a 2–4 letter code is upper-cased so `eu` from one producer and `EU`
 * from the GeoIP table count together. Longer names (`eu-west-1`, `Frankfurt`) keep their case.
 * Returns `undefined` for anything that is not a non-blank string.
 *
 * @example
 * ```ts
 * normalizeRegion(' eu '); // 'EU'
 * normalizeRegion('eu-west-1'); // 'eu-west-1'
 * normalizeRegion(42); // undefined
 * ```
 */
export function normalizeRegion(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const plain = plainRegion(value);
  if (plain !== undefined) return plain;
  let region = value.length > MAX_REGION_CHARS * 4 ? value.slice(0, MAX_REGION_CHARS * 4) : value;
  region = region.trim();
  if (region === '') return undefined;
  if (SHORT_CODE.test(region)) return region.toUpperCase();
  WHITESPACE_RUN.lastIndex = 0;
  if (WHITESPACE_RUN.test(region)) region = region.replace(WHITESPACE_RUN, ' ');
  return truncateString(region, MAX_REGION_CHARS);
}

const CHAR_0 = 0x30;
const CHAR_9 = 0x39;
const CHAR_UPPER_A = 0x41;
const CHAR_UPPER_Z = 0x5a;
const CHAR_LOWER_A = 0x61;
const CHAR_LOWER_Z = 0x7a;
const CHAR_MINUS = 0x2d;
const CHAR_DOT = 0x2e;
const CHAR_UNDERSCORE = 0x5f;
const SHORT_CODE_MIN_CHARS = 2;
const SHORT_CODE_MAX_CHARS = 4;

/**
 * {@link normalizeRegion} of a region written as most are (`EU`, `eu-west-1`): ASCII letters,
 * digits, `-`, `_` and `.` only, not longer than kept. Nothing to trim, collapse or cut, so
 * only a short code changes (upper-cased); `undefined` for anything else, which goes the long
 * way. Runs once per counted error, without a regular expression.
 */
function plainRegion(value: string): string | undefined {
  const length = value.length;
  if (length === 0 || length > MAX_REGION_CHARS) return undefined;
  let letters = 0;
  let lower = false;
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code >= CHAR_UPPER_A && code <= CHAR_UPPER_Z) letters++;
    else if (code >= CHAR_LOWER_A && code <= CHAR_LOWER_Z) {
      letters++;
      lower = true;
    } else if (
      !(code >= CHAR_0 && code <= CHAR_9) &&
      code !== CHAR_MINUS &&
      code !== CHAR_DOT &&
      code !== CHAR_UNDERSCORE
    ) {
      return undefined;
    }
  }
  const shortCode =
    letters === length && length >= SHORT_CODE_MIN_CHARS && length <= SHORT_CODE_MAX_CHARS;
  return shortCode && lower ? value.toUpperCase() : value;
}
