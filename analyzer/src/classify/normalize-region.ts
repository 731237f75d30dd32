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
  let region = value.length > MAX_REGION_CHARS * 4 ? value.slice(0, MAX_REGION_CHARS * 4) : value;
  region = region.trim();
  if (region === '') return undefined;
  if (SHORT_CODE.test(region)) return region.toUpperCase();
  WHITESPACE_RUN.lastIndex = 0;
  if (WHITESPACE_RUN.test(region)) region = region.replace(WHITESPACE_RUN, ' ');
  return truncateString(region, MAX_REGION_CHARS);
}
