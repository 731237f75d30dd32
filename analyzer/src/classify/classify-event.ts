/*
 *   parseError ─────────────────────────────────────────────▶ unparsed
 *   status 500–599 ─────────────────────────────────────────▶ error5xx
 *   status 400–499 and count4xx ────────────────────────────▶ error4xx
 *   level ≥ error (names, pino ≥ 50) ───────────────────────▶ errorLevel
 *   otherwise ──────────────────────────────────────────────▶ ok
 *
 * Only errors get a region, page and signature: most records are not errors, and skipping the
 * masking and lookups for them is most of the analyzer's speed.
 */
import { ConfigError } from '@kinlog/core';
import type { AnalyzerEvent } from './analyzer-event.js';
import { BoundedCache } from './bounded-cache.js';
import { foldOtherPage, foldPage, foldPlainPage } from './fold-page.js';
import { httpReasonPhrase } from './http-reason-phrase.js';
import { httpStatus } from './http-status.js';
import { isErrorLevel } from './is-error-level.js';
import { messageSignature } from './message-signature.js';
import { normalizeRegion } from './normalize-region.js';
import { rawPageOf } from './raw-page-of.js';

/** What a record is, for counting. */
export const EventKinds = {
  error5xx: 'error5xx',
  error4xx: 'error4xx',
  errorLevel: 'errorLevel',
  ok: 'ok',
  unparsed: 'unparsed',
} as const;
export type EventKind = (typeof EventKinds)[keyof typeof EventKinds];

/** The region of an error whose record has no `region` and no locatable client IP. */
export const UNKNOWN_REGION = 'unknown';
/** Region, page and signature of a record that is not an error (they are not computed). */
export const NOT_CLASSIFIED = '';

/** A record reduced to what top-N counting needs. Plain data. */
export interface ClassifiedEvent {
  readonly kind: EventKind;
  /** Normalized `region`, else `regionOf(clientIp)`, else `unknown`; `''` unless an error. */
  readonly region: string;
  /** Folded page (from the first of `PAGE_FIELDS` present), `(none)` without any; `''` unless an error. */
  readonly page: string;
  /** `503 Service Unavailable` for HTTP errors, the masked message otherwise; `''` unless an error. */
  readonly signature: string;
}

export interface ClassifyOptions {
  /** Count 4xx statuses as (client) errors. Default `true`. */
  readonly count4xx?: boolean;
  /** Maps a client IP to a region when the record has none, e.g. `geoipRegionOf`. */
  readonly regionOf?: (clientIp: string) => string | undefined;
}

/**
 * Bounds of the memos of page folding and message masking (pure functions of their input):
 * real logs repeat the same paths and messages, and masking is the costliest step of
 * classifying an error. At most 2 × entries × key chars are held: about 2 MB each.
 */
export const ClassifyCacheLimits = {
  ENTRIES: 2048,
  MAX_KEY_CHARS: 256,
} as const;
/** Only pages that are not a plain path: a plain one is folded faster than looked up. */
const pageCache = new BoundedCache(
  ClassifyCacheLimits.ENTRIES,
  ClassifyCacheLimits.MAX_KEY_CHARS,
  foldOtherPage,
);
const signatureCache = new BoundedCache(
  ClassifyCacheLimits.ENTRIES,
  ClassifyCacheLimits.MAX_KEY_CHARS,
  messageSignature,
);

/** Defaults of {@link ClassifyOptions}. */
export const ClassifyDefaults = { count4xx: true } as const;

const NO_OPTIONS: ClassifyOptions = {};
/**
 * Options objects already checked: the analyzer passes the same one for every record, and
 * checking it each time was a measurable share of classifying. Options are read-only, so an
 * object that was valid stays valid.
 */
const validated = new WeakSet<ClassifyOptions>();
/** The options of the last call, valid: a caller passes the same object for every record. */
let lastValidated: ClassifyOptions = NO_OPTIONS;

const NOT_AN_ERROR: ClassifiedEvent = Object.freeze({
  kind: EventKinds.ok,
  region: NOT_CLASSIFIED,
  page: NOT_CLASSIFIED,
  signature: NOT_CLASSIFIED,
});
const UNPARSED: ClassifiedEvent = Object.freeze({ ...NOT_AN_ERROR, kind: EventKinds.unparsed });

/**
 * Classifies one decoded record. An error is an HTTP status of 500–599, a 4xx status (unless
 * `count4xx` is false), or a level of error or worse (see `isErrorLevel`); an HTTP status wins
 * over the level, so a 404 logged at `error` is a 4xx. Records marked `parseError` are
 * `unparsed`. Never throws on record content: every field is type-checked before use and a
 * throwing `regionOf` counts as no answer.
 *
 * The signature of an HTTP error is `"<status> <reason>"`; of a level error, its masked `msg`
 * (or, without a message but with a status, the status and reason).
 *
 * @example
 * ```ts
 * classifyEvent({ status: 503, path: '/api/orders/42?x=1', clientIp: '8.8.8.8' },
 *   { regionOf: geoipRegionOf });
 * // { kind: 'error5xx', region: 'NA', page: '/api/orders/:id', signature: '503 Service Unavailable' }
 * ```
 */
export function classifyEvent(
  event: AnalyzerEvent,
  options: ClassifyOptions = NO_OPTIONS,
): ClassifiedEvent {
  if (options !== NO_OPTIONS && options !== lastValidated) {
    if (!validated.has(options)) {
      validateClassifyOptions(options);
      validated.add(options);
    }
    lastValidated = options;
  }
  if (event === null || typeof event !== 'object' || event.parseError === true) return UNPARSED;

  const status = httpStatus(event.status);
  let kind: EventKind;
  if (status !== undefined && status >= 500) kind = EventKinds.error5xx;
  else if (status !== undefined && status >= 400 && (options.count4xx ?? ClassifyDefaults.count4xx))
    kind = EventKinds.error4xx;
  else if (isErrorLevel(event.level)) kind = EventKinds.errorLevel;
  else return NOT_AN_ERROR;

  const rawPage = rawPageOf(event);
  const page =
    typeof rawPage === 'string'
      ? (foldPlainPage(rawPage) ?? pageCache.get(rawPage))
      : foldPage(rawPage);
  const signature =
    kind !== EventKinds.errorLevel || (status !== undefined && typeof event.msg !== 'string')
      ? httpReasonPhrase(status ?? 0)
      : typeof event.msg === 'string'
        ? signatureCache.get(event.msg)
        : messageSignature(event.msg);
  return { kind, region: regionOfEvent(event, options.regionOf), page, signature };
}

function regionOfEvent(
  event: AnalyzerEvent,
  regionOf: ((clientIp: string) => string | undefined) | undefined,
): string {
  const own = normalizeRegion(event.region);
  if (own !== undefined) return own;
  if (regionOf === undefined || typeof event.clientIp !== 'string') return UNKNOWN_REGION;
  let located: string | undefined;
  try {
    located = regionOf(event.clientIp);
  } catch {
    // A lookup that chokes on one hostile address must not stop the analysis.
    return UNKNOWN_REGION;
  }
  return normalizeRegion(located) ?? UNKNOWN_REGION;
}

function validateClassifyOptions(options: ClassifyOptions): void {
  const problems = [];
  if (options.count4xx !== undefined && typeof options.count4xx !== 'boolean') {
    problems.push({ path: 'count4xx', message: 'must be a boolean' });
  }
  if (options.regionOf !== undefined && typeof options.regionOf !== 'function') {
    problems.push({ path: 'regionOf', message: 'must be a function (clientIp) => region' });
  }
  if (problems.length > 0) throw new ConfigError(problems, 'invalid classify options');
}
