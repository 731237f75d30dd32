import { detachString } from './detach-string.js';
import { FNV_OFFSET, FNV_PRIME, InternedUnits } from './interned-units.js';

/**
 * Bounds of a folded page. Together with the region they bound the size of a top-N key, so a
 * hostile path cannot make a report row (or the key table) large.
 */
export const PageLimits = {
  /** Input beyond this is ignored before any work is done. */
  MAX_INPUT_CHARS: 2048,
  /** A folded page longer than this is cut and ends in `…`. */
  MAX_PAGE_CHARS: 200,
  /** Segments after this many are replaced by a single `…`. */
  MAX_SEGMENTS: 16,
  /** A segment longer than this is a token (JWT, base64 blob), folded to `:id`. */
  MAX_SEGMENT_CHARS: 64,
} as const;

/** The page of a record that has neither `page` nor `path`. */
export const NO_PAGE = '(none)';
/** What an id-like path segment is replaced with. */
export const ID_SEGMENT = ':id';
const ELLIPSIS = '…';

const SCHEME_AND_AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;
const DIGITS = /^\d+$/;
const DIGIT_GROUPS = /^\d+(?:[-_.,:]\d+)+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^(?:0x)?[0-9a-f]{8,}$/i;
const EMAIL = /^[^@]+(?:@|%40)[^@]+\.[a-z]{2,}$/i;
const ALNUM_ID = /^[a-z0-9]{6,}$/i;
const TOKEN = /^[A-Za-z0-9_-]{16,}$/;
const EXTENSION = /^(.+)\.([A-Za-z0-9]{1,8})$/;
const DIGIT = /\d/;
const DIGIT_RUNS = /\d/g;
const LETTER = /[a-z]/i;
const UPPER = /[A-Z]/;
const LOWER = /[a-z]/;

/**
 * Folds a URL path into the page it belongs to, so `/users/42/orders?x=1` and
 * `/users/7/orders#top` count as one page, `/users/:id/orders`.
 *
 * - An absolute URL loses its scheme and host; the query string and fragment are dropped.
 * - Case is kept: paths are case-sensitive (RFC 3986), and lower-casing would merge pages that
 *   a server may treat as different. Percent-escapes are kept as they are.
 * - Empty segments go (`//a/` is `/a`); the root stays `/`.
 * - A segment becomes `:id` when it is all digits or digit groups (`2024-01-31`), a UUID, hex of
 *   8+ digits with at least one decimal digit, an email address, 6+ letters and digits with at
 *   least two digits (`a1b2c3`), a 16+ character token of mixed case and digits (nanoid,
 *   base64url), or longer than {@link PageLimits.MAX_SEGMENT_CHARS}. An id with a short file
 *   extension keeps it: `/img/123.png` is `/img/:id.png`.
 * - Anything that is not a string, or is blank, is {@link NO_PAGE}.
 *
 * The result is plain text; nothing in it is decoded or interpreted.
 *
 * @example
 * ```ts
 * foldPage('https://shop.example/users/42/orders/550e8400-e29b-41d4-a716-446655440000?x=1');
 * // '/users/:id/orders/:id'
 * ```
 */
export function foldPage(raw: unknown): string {
  if (typeof raw !== 'string') return NO_PAGE;
  return foldPlainPath(raw) ?? foldAnyPage(raw);
}

/**
 * {@link foldPage} of a path as most are written (see foldPlainPath below), else `undefined`:
 * then {@link foldOtherPage} gives it. A page folded this way is made once and given back as
 * the same string while it is among the last few thousand folded (no string is made per call),
 * so it needs no memo; the others are worth one.
 *
 * @example
 * ```ts
 * foldPlainPage('/users/42/orders'); // '/users/:id/orders'
 * foldPlainPage('/users/42?x=1'); // undefined
 * ```
 */
export function foldPlainPage(raw: string): string | undefined {
  return foldPlainPath(raw);
}

/**
 * {@link foldPage} of a string that {@link foldPlainPage} gave `undefined` for.
 *
 * @example
 * ```ts
 * const page = foldPlainPage(raw) ?? foldOtherPage(raw);
 * ```
 */
export function foldOtherPage(raw: string): string {
  return foldAnyPage(raw);
}

const CHAR_SLASH = 0x2f;
const CHAR_QUESTION = 0x3f;
const CHAR_HASH = 0x23;
/** Last code unit `trim` never removes below this (space and the ASCII controls are below). */
const FIRST_UNTRIMMED = 0x21;

/*
 * Most pages are a path as written: `/` first, segments of one or more characters, no query,
 * fragment, trailing `/` or space at either end. Such a path is folded in one scan, segment by
 * segment, into code units (no array, no string per segment that stays as it is, no string for
 * a page made lately); anything else (and a path over the bounds) is left to foldAnyPage, which
 * this must agree with (a unit test compares them on random paths):
 *
 *   "/api/orders/42/items"  ─▶ plain, plain, ":id" (all digits), plain ─▶ units ─▶ interned
 *   "/a//b", "/a/", "/a?x", " /a", "/a ", "https://h/a", > 16 segments, > 200 chars ─▶ undefined
 */
function foldPlainPath(raw: string): string | undefined {
  const length = raw.length;
  if (length < 2 || length > PageLimits.MAX_PAGE_CHARS || raw.charCodeAt(0) !== CHAR_SLASH) {
    return undefined;
  }
  const last = raw.charCodeAt(length - 1);
  if (last === CHAR_SLASH || last < FIRST_UNTRIMMED || last >= FIRST_NON_ASCII) return undefined;
  // The page is written as code units, hashed as it is written, and made a string only when
  // the same page was not made lately (see InternedUnits). Each segment is written as it is
  // scanned, and written again when it folds to something else (ids are the rarer segments).
  const out = plainPages.units;
  let written = 0;
  let hash = FNV_OFFSET;
  let segments = 0;
  let start = 1;
  while (start < length) {
    if (++segments > PageLimits.MAX_SEGMENTS) return undefined;
    out[written++] = CHAR_SLASH;
    hash = Math.imul(hash ^ CHAR_SLASH, FNV_PRIME);
    const segmentAt = written;
    const segmentHash = hash;
    let plain = true;
    let digits = 0;
    let end = start;
    for (; end < length; end++) {
      const code = raw.charCodeAt(end);
      if (code === CHAR_SLASH) break;
      if (code === CHAR_QUESTION || code === CHAR_HASH) return undefined;
      if (code >= CHAR_0 && code <= CHAR_9) digits++;
      else if (code === CHAR_AT || code === CHAR_PERCENT) plain = false;
      out[written++] = code;
      hash = Math.imul(hash ^ code, FNV_PRIME);
    }
    // An empty segment (`//`) is dropped by the careful way; a long one is a token there.
    if (end === start || end - start > PageLimits.MAX_SEGMENT_CHARS) return undefined;
    // All digits, the commonest id (DIGITS), needs no second look; a segment with no digit,
    // '@' or '%' stays as it is (foldSegment's plain word).
    const folded =
      digits === end - start
        ? ID_SEGMENT
        : !plain || digits > 0
          ? foldSegment(raw.slice(start, end))
          : undefined;
    if (folded !== undefined) {
      written = segmentAt;
      hash = segmentHash;
      for (let i = 0; i < folded.length; i++) {
        const unit = folded.charCodeAt(i);
        out[written++] = unit;
        hash = Math.imul(hash ^ unit, FNV_PRIME);
      }
    }
    // Longer than a page may be: the careful way cuts it.
    if (written > PageLimits.MAX_PAGE_CHARS) return undefined;
    start = end + 1;
  }
  return plainPages.text(written, hash);
}

/** Pages folded lately from paths as written, by their hash: about 0.8 MB with their units. */
const PLAIN_PAGE_SLOTS = 2048;
/**
 * Room to write a page in: a path of at most MAX_PAGE_CHARS units grows by at most 2 units a
 * segment as it folds (`/1` is `/:id`, `/1.png` is `/:id.png`), and a segment is written as it
 * is before it is folded; the page is given up past MAX_PAGE_CHARS after each segment.
 */
const PLAIN_PAGE_BUFFER_UNITS = 2 * PageLimits.MAX_PAGE_CHARS;
const plainPages = new InternedUnits(
  PLAIN_PAGE_SLOTS,
  PageLimits.MAX_PAGE_CHARS,
  PLAIN_PAGE_BUFFER_UNITS,
);

/** {@link foldPage} of a string by the general rules. */
function foldAnyPage(raw: string): string {
  let path =
    raw.length > PageLimits.MAX_INPUT_CHARS ? raw.slice(0, PageLimits.MAX_INPUT_CHARS) : raw;
  path = path.trim();
  if (path === '') return NO_PAGE;
  let start = 0;
  // Only a letter can start a scheme: most paths start with `/` and skip the regex.
  if (isAsciiLetter(path.charCodeAt(0))) {
    const authority = SCHEME_AND_AUTHORITY.exec(path);
    if (authority !== null) start = authority[0].length;
  }
  let end = path.indexOf('?', start);
  const hash = path.indexOf('#', start);
  if (end < 0 || (hash >= 0 && hash < end)) end = hash;
  if (end < 0) end = path.length;

  // Segments found with indexOf rather than split: no array of pieces, no empty ones made.
  const folded: string[] = [];
  let segmentCount = 0;
  while (start < end) {
    let slash = path.indexOf('/', start);
    if (slash < 0 || slash > end) slash = end;
    if (slash > start) {
      if (++segmentCount > PageLimits.MAX_SEGMENTS) {
        folded.push(ELLIPSIS);
        break;
      }
      folded.push(foldSegment(path.slice(start, slash)));
    }
    start = slash + 1;
  }
  // Joined, so the page is a fresh string and keeps no view of the record it came from.
  const page = '/' + folded.join('/');
  if (page.length <= PageLimits.MAX_PAGE_CHARS) return page;
  return detachString(page.slice(0, PageLimits.MAX_PAGE_CHARS - ELLIPSIS.length) + ELLIPSIS);
}

function foldSegment(segment: string): string {
  if (segment.length > PageLimits.MAX_SEGMENT_CHARS) return ID_SEGMENT;
  // Every id rule needs a digit or an email's `@` (or `%40`): a plain word is kept at once.
  if (isPlainWord(segment)) return segment;
  if (isIdLike(segment)) return ID_SEGMENT;
  const withExtension = EXTENSION.exec(segment);
  if (withExtension !== null && isIdLike(withExtension[1] ?? '')) {
    return `${ID_SEGMENT}.${withExtension[2] ?? ''}`;
  }
  // Segments are re-joined, so a kept segment never needs its own copy.
  return segment;
}

const CHAR_0 = 0x30;
const CHAR_9 = 0x39;
const CHAR_AT = 0x40;
const CHAR_LOWER_X = 0x78;
const CHAR_PERCENT = 0x25;
const FIRST_NON_ASCII = 0x80;

function isPlainWord(segment: string): boolean {
  for (let i = 0; i < segment.length; i++) {
    const code = segment.charCodeAt(i);
    if ((code >= CHAR_0 && code <= CHAR_9) || code === CHAR_AT || code === CHAR_PERCENT) {
      return false;
    }
  }
  return true;
}

function isAsciiLetter(code: number): boolean {
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x7a;
}

function isIdLike(s: string): boolean {
  const alnum = alnumIdLike(s);
  if (alnum !== UNSURE) return alnum === ID_LIKE;
  if (!DIGIT.test(s)) return s.includes('@') || s.includes('%40') ? EMAIL.test(s) : false;
  return (
    DIGITS.test(s) ||
    DIGIT_GROUPS.test(s) ||
    UUID.test(s) ||
    HEX.test(s) ||
    EMAIL.test(s) ||
    (ALNUM_ID.test(s) && LETTER.test(s) && countDigits(s) >= 2) ||
    (TOKEN.test(s) && UPPER.test(s) && LOWER.test(s))
  );
}

const ID_LIKE = 1;
const NOT_ID_LIKE = 0;
const UNSURE = -1;
/** Length from which a run of hex digits is an id (HEX), letters and digits are (ALNUM_ID), … */
const MIN_HEX_ID_CHARS = 8;
const MIN_ALNUM_ID_CHARS = 6;
const MIN_ALNUM_ID_DIGITS = 2;
const MIN_TOKEN_CHARS = 16;

/*
 * The rules of isIdLike for a segment of ASCII letters and digits only (most ids: 42, a1b2c3,
 * 5f3e9a01), from one pass over its characters instead of up to eight regular expressions.
 * Such a segment has no '-', '.', ':', '@' or '%', so DIGIT_GROUPS, UUID and EMAIL cannot match
 * it and TOKEN is only its length and cases; anything else is UNSURE and goes the regex way.
 */
function alnumIdLike(s: string): number {
  // HEX allows a 0x prefix: such segments go the regex way.
  if (s.charCodeAt(0) === CHAR_0 && (s.charCodeAt(1) | 0x20) === CHAR_LOWER_X) return UNSURE;
  let digits = 0;
  let hexLetters = 0;
  let upper = false;
  let lower = false;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code >= CHAR_0 && code <= CHAR_9) {
      digits++;
      continue;
    }
    const folded = code | 0x20;
    if (folded < 0x61 || folded > 0x7a) return UNSURE;
    if (code === folded) lower = true;
    else upper = true;
    if (folded <= 0x66) hexLetters++;
  }
  const length = s.length;
  if (digits === 0) return UNSURE;
  if (digits === length) return ID_LIKE; // DIGITS
  if (digits + hexLetters === length && length >= MIN_HEX_ID_CHARS) return ID_LIKE; // HEX
  if (length >= MIN_ALNUM_ID_CHARS && digits >= MIN_ALNUM_ID_DIGITS) return ID_LIKE; // ALNUM_ID
  return length >= MIN_TOKEN_CHARS && upper && lower ? ID_LIKE : NOT_ID_LIKE; // TOKEN
}

function countDigits(s: string): number {
  return s.match(DIGIT_RUNS)?.length ?? 0;
}
