import { unparsedEvent, type LineParser, type LogEvent } from './log-event.js';
import { resolveParserOptions, type ParserOptions } from './parser-options.js';
import { stripLineEnd } from './strip-line-end.js';
import { isoFromParts, monthFromName, zoneOffsetMinutes } from './timestamp.js';

// NCSA common and combined, as Apache httpd and nginx write them:
//   host ident user [10/Oct/2000:13:55:36 -0700] "GET /a?b=1 HTTP/1.1" 200 2326 "referrer" "agent"
// Quoted fields use the unrolled-loop form ([^"\\]*(?:\\.[^"\\]*)*) so huge or hostile lines
// are matched in linear time; anything after the combined fields (custom fields such as
// $request_time, upstream timings, a request id) is kept, as written, in `extra`.
const QUOTED = String.raw`"([^"\\]*(?:\\.[^"\\]*)*)"`;
const ACCESS_LINE = new RegExp(
  String.raw`^(\S+) (\S+) (\S+) \[(\d{1,2})/([A-Za-z]{3})/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d\d:?\d\d)\] ` +
    QUOTED +
    String.raw` (\d{3}) (\d+|-)(?: ${QUOTED} ${QUOTED})?(?:\s(.*))?$`,
);
// Scanners and TLS handshakes sent to port 80 produce request lines that are not requests;
// they still parse as access events, just without method and path.
const REQUEST_LINE = /^([A-Za-z][A-Za-z-]*) (\S+)(?: (\S+))?$/;
const ABSENT = '-';
const STATUS_SERVER_ERROR = 500;
const STATUS_CLIENT_ERROR = 400;

/**
 * Parses Apache httpd / nginx access logs in the common and combined formats (the `apache` and
 * `nginx` parsers). Fields: `clientIp`, `ident?`, `user?`, `time` (ISO UTC), `method`, `path`
 * (with query), `protocol`, `status`, `bytes` (`-` → 0), `referrer?`, `agent?`, `extra?` (text
 * after the combined fields, e.g. `$request_time $upstream_response_time $request_id`); `msg` is the
 * request line; `level` is `error` for 5xx, `warn` for 4xx, else `info`. `-` fields are left out.
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
    const line = stripLineEnd(input);
    const m = ACCESS_LINE.exec(line);
    if (m === null) return unparsedEvent(input);
    const [, clientIp, ident, user, day, monthName, year, hour, minute, second, zone] = m;
    const request = m[11] ?? '';
    const status = Number(m[12]);
    const bytesText = m[13];
    const referrer = m[14];
    const agent = m[15];

    const offset = zoneOffsetMinutes(zone);
    const time =
      offset === undefined
        ? undefined
        : isoFromParts(
            Number(year),
            monthFromName(monthName ?? ''),
            Number(day),
            Number(hour),
            Number(minute),
            Number(second),
            0,
            offset,
          );
    const event: LogEvent = {
      level:
        status >= STATUS_SERVER_ERROR ? 'error' : status >= STATUS_CLIENT_ERROR ? 'warn' : 'info',
      msg: request,
      clientIp,
      status,
      bytes: bytesText === ABSENT || bytesText === undefined ? 0 : Number(bytesText),
    };
    if (time !== undefined) event.time = time;
    if (ident !== ABSENT) event['ident'] = ident;
    if (user !== ABSENT) event['user'] = user;
    const r = REQUEST_LINE.exec(request);
    if (r !== null) {
      event['method'] = r[1];
      event['path'] = r[2];
      if (r[3] !== undefined) event['protocol'] = r[3];
    }
    if (referrer !== undefined && referrer !== ABSENT && referrer !== '') {
      event['referrer'] = referrer;
    }
    if (agent !== undefined && agent !== ABSENT && agent !== '') event['agent'] = agent;
    const extra = m[16]?.trim();
    if (extra !== undefined && extra !== '') event['extra'] = extra;
    return event;
  };
}
