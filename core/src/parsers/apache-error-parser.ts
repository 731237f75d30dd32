import { unparsedEvent, type LineParser, type LogEvent } from './log-event.js';
import { resolveParserOptions, type ParserOptions } from './parser-options.js';
import { splitFirstLine, stripLineEnd } from './strip-line-end.js';
import { fractionToMs, isoFromParts, monthFromName } from './timestamp.js';

// Apache httpd error log, 2.2 and 2.4:
//   [Sun Dec 04 04:47:44 2005] [error] [client 1.2.3.4] msg
//   [Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 123:tid 456] [client 1.2.3.4:5678] msg
// groups: 1 month, 2 day, 3-5 h:m:s, 6 fraction, 7 year, 8 module, 9 level, 10 pid, 11 tid,
// 12 client, 13 message
const ERROR_LINE =
  /^\[[A-Za-z]{3} ([A-Za-z]{3}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))? (\d{4})\] \[(?:([\w.-]+):)?([a-z]+\d?)\](?: \[pid (\d+)(?::tid (\d+))?\])?(?: \[client ([^\]\s]+)\])?(?: ([\s\S]*))?$/;
const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d+)$/;
const PORT_SUFFIX = /^(.+):(\d+)$/;

const APACHE_LEVELS: Readonly<Record<string, string>> = Object.assign(
  Object.create(null) as Record<string, string>,
  {
    emerg: 'fatal',
    alert: 'fatal',
    crit: 'fatal',
    error: 'error',
    warn: 'warn',
    notice: 'info',
    info: 'info',
    debug: 'debug',
  },
);
const APACHE_TRACE_PREFIX = 'trace'; // trace1 .. trace8

/**
 * Parses Apache httpd error logs (2.2 `[date] [level] msg` and 2.4 `[date] [module:level]
 * [pid N:tid M] [client ip:port] msg`). Fields: `time` (ISO UTC, the zone-less date read at
 * `assumedUtcOffsetMinutes`), `level` (emerg/alert/crit → fatal, notice → info, traceN →
 * trace), `apacheLevel` (as written), `module?`, `pid?`, `tid?`, `clientIp?`, `clientPort?`,
 * `msg`. Anything else becomes `{ msg, parseError: true }`.
 *
 * @example
 * ```ts
 * createApacheErrorParser()('[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6');
 * // { time: '2005-12-04T04:47:44.000Z', level: 'error', apacheLevel: 'error',
 * //   msg: 'mod_jk child workerEnv in error state 6' }
 * ```
 */
export function createApacheErrorParser(options?: ParserOptions): LineParser {
  const { assumedUtcOffsetMinutes } = resolveParserOptions(options);

  return function parseApacheErrorLine(input: string): LogEvent {
    const m = ERROR_LINE.exec(stripLineEnd(input));
    if (m === null) return unparsedEvent(input);
    const apacheLevel = m[9] ?? '';
    const event: LogEvent = {};
    const time = isoFromParts(
      Number(m[7]),
      monthFromName(m[1] ?? ''),
      Number(m[2]),
      Number(m[3]),
      Number(m[4]),
      Number(m[5]),
      fractionToMs(m[6]),
      assumedUtcOffsetMinutes,
    );
    if (time !== undefined) event.time = time;
    event.level =
      APACHE_LEVELS[apacheLevel] ??
      (apacheLevel.startsWith(APACHE_TRACE_PREFIX) ? 'trace' : apacheLevel);
    event['apacheLevel'] = apacheLevel;
    if (m[8] !== undefined) event['module'] = m[8];
    if (m[10] !== undefined) event['pid'] = Number(m[10]);
    if (m[11] !== undefined) event['tid'] = Number(m[11]);
    const client = m[12];
    if (client !== undefined) {
      // 2.4 always appends the port (`[client ::1:51234]`); 2.2 never does.
      const is24 = m[8] !== undefined || m[10] !== undefined;
      const port = is24 ? PORT_SUFFIX.exec(client) : IPV4_WITH_PORT.exec(client);
      if (port === null) event['clientIp'] = client;
      else {
        event['clientIp'] = port[1];
        event['clientPort'] = Number(port[2]);
      }
    }
    const [msg, stack] = splitFirstLine(m[13] ?? '');
    event.msg = msg;
    if (stack !== undefined) event['stack'] = stack;
    return event;
  };
}
