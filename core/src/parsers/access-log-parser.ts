import { readAccessLine, type AccessLine } from './access-line-reader.js';
import { unparsedEvent, type LineParser, type LogEvent } from './log-event.js';
import { resolveParserOptions, type ParserOptions } from './parser-options.js';

/**
 * Every field an access event can hold, in the order it holds them (`-` fields are left out).
 *
 * @example
 * ```ts
 * const clash = Object.keys(flow.fields).some((k) => AccessEventFields.includes(k));
 * ```
 */
export const AccessEventFields: readonly string[] = Object.freeze([
  'level',
  'msg',
  'clientIp',
  'status',
  'bytes',
  'time',
  'ident',
  'user',
  'method',
  'path',
  'protocol',
  'referrer',
  'agent',
  'extra',
]);

const STATUS_SERVER_ERROR = 500;
const STATUS_CLIENT_ERROR = 400;

/**
 * Parses Apache httpd / nginx access logs in the common and combined formats (the `apache` and
 * `nginx` parsers). Fields: `clientIp`, `ident?`, `user?`, `time` (ISO UTC), `method`, `path`
 * (with query), `protocol`, `status`, `bytes` (`-` → 0), `referrer?`, `agent?`, `extra?` (text
 * after the combined fields, e.g. `$request_time $upstream_response_time $request_id`); `msg` is the
 * request line; `level` is `error` for 5xx, `warn` for 4xx, else `info`. `-` fields are left out.
 * Scanners and TLS handshakes sent to port 80 write request lines that are not requests: they
 * still parse as access events, just without method and path.
 *
 * @example
 * ```ts
 * createAccessLogParser()('10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 503 12');
 * // { clientIp: '10.0.0.1', time: '2000-10-10T20:55:36.000Z', method: 'GET', path: '/a',
 * //   protocol: 'HTTP/1.0', status: 503, bytes: 12, level: 'error', msg: 'GET /a HTTP/1.0' }
 * ```
 */
export function createAccessLogParser(options?: ParserOptions): LineParser {
  resolveParserOptions(options); // access-log times carry their own zone

  return function parseAccessLine(input: string): LogEvent {
    const a = readAccessLine(input);
    return a === undefined ? unparsedEvent(input) : accessEvent(a);
  };
}

/**
 * The level of an access line: `error` for 5xx, `warn` for 4xx, else `info`.
 *
 * @example
 * ```ts
 * accessLevel(503); // 'error'
 * ```
 */
export function accessLevel(status: number): 'error' | 'warn' | 'info' {
  return status >= STATUS_SERVER_ERROR ? 'error' : status >= STATUS_CLIENT_ERROR ? 'warn' : 'info';
}

/**
 * The event of an access line read by `readAccessLine`. Its fields, in this order, are what
 * `accessEventJson` writes: change both together.
 *
 * @example
 * ```ts
 * const a = readAccessLine(line);
 * const event = a === undefined ? unparsedEvent(line) : accessEvent(a);
 * ```
 */
export function accessEvent(a: AccessLine): LogEvent {
  const event: LogEvent = {
    level: accessLevel(a.status),
    msg: a.request,
    clientIp: a.clientIp,
    status: a.status,
    bytes: a.bytes,
  };
  if (a.time !== undefined) event.time = a.time;
  if (a.ident !== undefined) event['ident'] = a.ident;
  if (a.user !== undefined) event['user'] = a.user;
  if (a.method !== undefined) {
    event['method'] = a.method;
    event['path'] = a.path;
    if (a.protocol !== undefined) event['protocol'] = a.protocol;
  }
  if (a.referrer !== undefined) event['referrer'] = a.referrer;
  if (a.agent !== undefined) event['agent'] = a.agent;
  if (a.extra !== undefined) event['extra'] = a.extra;
  return event;
}
