import {
  unparsedEvent,
  type LineParser,
  type LogEvent,
} from '../../../../src/parsers/log-event.js';
import {
  resolveParserOptions,
  type ParserOptions,
} from '../../../../src/parsers/parser-options.js';
import { stripLineEnd } from '../../../../src/parsers/strip-line-end.js';
import {
  isoFromParts,
  monthFromName,
  zoneOffsetMinutes,
} from '../../../../src/parsers/timestamp.js';

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
 * The access-log parser as it was written first, with regular expressions: the reference the
 * one-pass reader is held to (same lines accepted, same events).
 */
export function createRegexAccessLogParser(options?: ParserOptions): LineParser {
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
