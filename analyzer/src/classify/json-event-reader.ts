/*
 *   JSON.parse(line) ─▶ screen ─▶ JsonEventReader.read(parsed)
 *                                   │ no other alias of a normalized field, time canonical or epoch
 *                                   ├──▶ { time, level, msg, status, region, clientIp, page fields }
 *                                   │    normalized as core's JSON parser would, + timeMs
 *                                   └──▶ undefined: normalizeJsonEvent as before
 *
 * Normalizing a record in place (aliases looked up and moved, the time checked, then read
 * again for its epoch) cost about as much as classifying it, for the seven fields that
 * classification reads: those are copied into a small object of one shape instead.
 */
import { JsonFieldAliases, levelFromNumber, normalizeLevel } from '@kinlog/core';
import type { AnalyzerEvent } from './analyzer-event.js';
import { canonicalIsoTimeMs } from './event-time-ms.js';
import { PAGE_FIELDS } from './raw-page-of.js';

/**
 * Whether the parser's alias table and the page fields are the ones this reader was written
 * for (each key is matched by its literal name below). Were they to change, the reader gives up on every record until it follows, and
 * records go the long way, which stays right.
 */
const KEYS_ARE_KNOWN =
  JsonFieldAliases.time.join() === 'time,@timestamp,timestamp,ts' &&
  JsonFieldAliases.level.join() === 'level,severity,levelname' &&
  JsonFieldAliases.msg.join() === 'msg,message' &&
  JsonFieldAliases.status.join() === 'status,statusCode' &&
  JsonFieldAliases.nestedStatus.parent === 'res' &&
  PAGE_FIELDS.join() === 'page,path,url,uri,request,req.url';

/** Epoch seconds below this are read as seconds by the parser (as core's `isoFromEpoch`). */
const SECONDS_EPOCH_BELOW = 1e11;
/** The range of `Date`: an epoch beyond it is not made a time by the parser. */
const MAX_EPOCH_MS = 8.64e15;
const THREE_DIGITS = /^\d{3}$/;

/**
 * Reads the fields the analyzer classifies by from a record as `JSON.parse` made it, giving
 * what `normalizeJsonEvent(parsed, line)` would hold under them (level, msg, status, region,
 * clientIp, page, path, url, uri, request, req), without changing `parsed`; and in
 * {@link timeMs} the epoch milliseconds `eventTimeMs` reads from the normalized time (`time`
 * itself is set only when it is a string, which the parser keeps). Fields are found among the
 * keys `for…in` lists, which are all of them in what `JSON.parse` makes. `undefined` when
 * the parser would move values between keys (another alias of time, level, msg or status is
 * present, or `res`), when its time is a string not in the canonical form (the parser rebuilds
 * it), and for `parseError` records: those are normalized as before. The event returned is
 * the reader's own, filled in again by the next read: a consumer must not keep it.
 *
 * @example
 * ```ts
 * const reader = new JsonEventReader();
 * reader.read({ time: '2024-05-01T00:00:00.000Z', level: 50, msg: 'boom', page: '/cart' });
 * // { time: '2024-05-01T00:00:00.000Z', level: 'error', msg: 'boom', page: '/cart', … }
 * reader.timeMs; // 1714521600000
 * ```
 */
export class JsonEventReader {
  /** Epoch ms of the last event read, as `eventTimeMs` reads its normalized time (NaN: none). */
  timeMs = Number.NaN;
  /**
   * The one event every read fills in (one shape, so classification reads each field at the
   * same sites, and nothing allocated per record): valid until the next read.
   */
  private readonly event: ReadFields = {
    time: undefined,
    level: undefined,
    msg: undefined,
    status: undefined,
    region: undefined,
    clientIp: undefined,
    page: undefined,
    path: undefined,
    url: undefined,
    uri: undefined,
    request: undefined,
    req: undefined,
  };

  read(parsed: Readonly<Record<string, unknown>>): AnalyzerEvent | undefined {
    if (!KEYS_ARE_KNOWN) return undefined;
    // One pass over the record's own keys instead of a look-up per field: records of a stream
    // come in several shapes, so each look-up by name met many shapes and was a generic one
    // (most of them for keys the record does not have), which cost more than the pass.
    let time: unknown;
    let level: unknown;
    let msg: unknown;
    let status: unknown;
    let region: unknown;
    let clientIp: unknown;
    let page: unknown;
    let path: unknown;
    let url: unknown;
    let uri: unknown;
    let request: unknown;
    let req: unknown;
    for (const key in parsed) {
      const value = parsed[key];
      switch (key) {
        case 'time':
          time = value;
          break;
        case 'level':
          level = value;
          break;
        case 'msg':
          msg = value;
          break;
        case 'status':
          status = value;
          break;
        case 'region':
          region = value;
          break;
        case 'clientIp':
          clientIp = value;
          break;
        case 'page':
          page = value;
          break;
        case 'path':
          path = value;
          break;
        case 'url':
          url = value;
          break;
        case 'uri':
          uri = value;
          break;
        case 'request':
          request = value;
          break;
        case 'req':
          req = value;
          break;
        case '@timestamp':
        case 'timestamp':
        case 'ts':
        case 'severity':
        case 'levelname':
        case 'message':
        case 'statusCode':
        case 'res':
        case 'parseError':
          // The parser would move a value between keys, or mark the record: the long way.
          if (value !== undefined) return undefined;
          break;
      }
    }
    let timeMs = Number.NaN;
    if (typeof time === 'string') {
      // The canonical form is kept as it is by the parser; any other is rebuilt by it.
      timeMs = canonicalIsoTimeMs(time);
      if (Number.isNaN(timeMs)) return undefined;
    } else if (typeof time === 'number') {
      // The parser writes the ISO time of the truncated milliseconds, which reads back exactly.
      const ms = Math.abs(time) < SECONDS_EPOCH_BELOW ? time * 1000 : time;
      if (Number.isFinite(ms) && Math.abs(ms) <= MAX_EPOCH_MS) timeMs = Math.trunc(ms) + 0;
    }
    this.timeMs = timeMs;
    const event = this.event;
    event.time = typeof time === 'string' ? time : undefined;
    event.level = normalizedLevel(level);
    event.msg = msg;
    event.status = normalizedStatus(status);
    event.region = region;
    event.clientIp = clientIp;
    event.page = page;
    event.path = path;
    event.url = url;
    event.uri = uri;
    event.request = request;
    event.req = req;
    return event as unknown as AnalyzerEvent;
  }
}

/** The fields {@link JsonEventReader} sets, all of them on every read. */
interface ReadFields {
  time: string | undefined;
  level: unknown;
  msg: unknown;
  status: unknown;
  region: unknown;
  clientIp: unknown;
  page: unknown;
  path: unknown;
  url: unknown;
  uri: unknown;
  request: unknown;
  req: unknown;
}

/** The level names the parser folds every level to. */
const CANONICAL_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
/**
 * Whether the parser leaves each of those names as it is (checked once, so the shortcut below
 * follows the parser's table should it ever change).
 */
const CANONICAL_LEVELS_KEPT = CANONICAL_LEVELS.every((name) => normalizeLevel(name) === name);

/**
 * Whether `level` is one of the canonical names, which the parser keeps: most levels are, and
 * six comparisons cost about a tenth of the parser's table look-up.
 */
function isCanonicalLevel(level: string): boolean {
  return (
    level === 'error' ||
    level === 'info' ||
    level === 'warn' ||
    level === 'debug' ||
    level === 'fatal' ||
    level === 'trace'
  );
}

/** The level as the parser leaves it: names folded, pino numbers named, anything else as is. */
function normalizedLevel(level: unknown): unknown {
  if (typeof level === 'string') {
    if (CANONICAL_LEVELS_KEPT && isCanonicalLevel(level)) return level;
    return level.length > 0 ? normalizeLevel(level) : level;
  }
  if (typeof level === 'number') return levelFromNumber(level) ?? level;
  return level;
}

/** The status as the parser leaves it: three digits become a number, anything else as is. */
function normalizedStatus(status: unknown): unknown {
  return typeof status === 'string' && THREE_DIGITS.test(status) ? Number(status) : status;
}
