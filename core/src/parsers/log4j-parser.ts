import { unparsedEvent, type LineParser, type LogEvent } from './log-event.js';
import { normalizeLevel } from './normalize-level.js';
import { resolveParserOptions, type ParserOptions } from './parser-options.js';
import { splitFirstLine, stripLineEnd } from './strip-line-end.js';
import { isoFromDateMatch, isoFromParts, yearFromTwoDigits } from './timestamp.js';

// The layouts it reads, tried in order (the last specific one that matched goes first next
// time, since a file keeps one layout; only the catch-all dateLevel overlaps the others):
//
//   zookeeper   2015-07-29 17:41:44,747 - INFO  [thread:Class@774] - msg
//   levelFirst  2015-10-18 18:01:47,978 INFO [main] org.x.Y: msg      (Hadoop; [thread] optional,
//               2024-01-01 12:00:00,123 ERROR [main] org.x.Y - msg     `: ` or ` - `, `Class:12 - `)
//   threadFirst 2024-01-01 12:00:00,123 [main] ERROR org.x.Y - msg    (%d [%t] %-5p %c - %m)
//   spark       17/06/09 20:10:40 INFO executor.X: msg
//   hdfs        081109 203615 148 INFO dfs.DataNode$PacketResponder: msg
//   oslo        2017-05-16 00:00:00.008 25746 INFO nova.compute.manager [req-...] msg (OpenStack)
//   dateLevel   <ISO date> [-] LEVEL rest                            (any other ISO layout)
//
// Messages may span lines (a joined stack trace): `msg` is the first line, `stack` the rest.
// Thread names nest one level of brackets (`QuorumPeer[myid=1]/0:0:...:2181`). Every
// repetition below is over disjoint alternatives, so no layout backtracks badly on huge lines.
const ISO_DATE = String.raw`(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[,.](\d{1,9}))?(Z|[+-]\d\d:?\d\d)?`;
const LEVEL = String.raw`(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|SEVERE|NOTICE|CRITICAL|FINEST|FINER|FINE|CONFIG)`;
const THREAD = String.raw`((?:[^\[\]\n]|\[[^\[\]\n]*\])*)`;
const LOGGER_AND_MSG = String.raw`([^\s\[]\S*?)(?::(\d+))?(?: -|:)(?: ([\s\S]*))?$`;

const ISO_GROUPS = 8;

interface Layout {
  readonly regex: RegExp;
  readonly build: (m: RegExpExecArray, offsetMinutes: number) => LogEvent;
}

const LAYOUTS: readonly Layout[] = [
  {
    regex: new RegExp(
      String.raw`^${ISO_DATE} - ${LEVEL}\s*\[([^\n]*?):([\w$.]+)@(\d+)\] - ([\s\S]*)$`,
    ),
    build: (m, offset) =>
      event(isoTime(m, offset), m[9], m[13], { thread: m[10], logger: m[11], lineNumber: m[12] }),
  },
  {
    regex: new RegExp(String.raw`^${ISO_DATE} +${LEVEL} +(?:\[${THREAD}\] +)?${LOGGER_AND_MSG}`),
    build: (m, offset) =>
      event(isoTime(m, offset), m[9], m[13], { thread: m[10], logger: m[11], lineNumber: m[12] }),
  },
  {
    regex: new RegExp(String.raw`^${ISO_DATE} +\[${THREAD}\] +${LEVEL} +${LOGGER_AND_MSG}`),
    build: (m, offset) =>
      event(isoTime(m, offset), m[10], m[13], { thread: m[9], logger: m[11], lineNumber: m[12] }),
  },
  {
    regex: new RegExp(
      String.raw`^(\d\d)/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d) +${LEVEL} +${LOGGER_AND_MSG}`,
    ),
    build: (m, offset) =>
      event(shortTime(m, offset), m[7], m[10], { logger: m[8], lineNumber: m[9] }),
  },
  {
    regex: new RegExp(
      String.raw`^(\d\d)(\d\d)(\d\d) (\d\d)(\d\d)(\d\d) (\d+) +${LEVEL} +${LOGGER_AND_MSG}`,
    ),
    build: (m, offset) =>
      event(shortTime(m, offset), m[8], m[11], {
        pid: Number(m[7]),
        logger: m[9],
        lineNumber: m[10],
      }),
  },
  {
    regex: new RegExp(String.raw`^${ISO_DATE} +(\d+) +${LEVEL} +([\w.$-]+)(?: ([\s\S]*))?$`),
    build: (m, offset) =>
      event(isoTime(m, offset), m[10], m[12], { pid: Number(m[9]), logger: m[11] }),
  },
  {
    regex: new RegExp(String.raw`^${ISO_DATE}(?: +-)? +${LEVEL}(?: +([\s\S]*))?$`),
    build: (m, offset) => event(isoTime(m, offset), m[9], m[10], {}),
  },
];

const FALLBACK_LAYOUT = LAYOUTS.length - 1;

/**
 * Parses Java logging output: Hadoop, Zookeeper, Spark and HDFS layouts, the plain log4j
 * `%d [%t] %-5p %c - %m` / `%d %-5p [%t] %c - %m` styles, OpenStack's oslo.log layout, and any
 * line opening with an ISO date and a level. Fields: `time` (ISO UTC; zone-less
 * times are read at `assumedUtcOffsetMinutes`), `level`, `thread?`, `logger?`, `lineNumber?`,
 * `pid?` (HDFS, oslo), `msg` (first line), `stack?` (the following lines of a joined entry).
 * Anything else becomes `{ msg, parseError: true }`.
 *
 * @example
 * ```ts
 * createLog4jParser()('2015-10-18 18:01:47,978 WARN [main] org.x.Y: slow');
 * // { time: '2015-10-18T18:01:47.978Z', level: 'warn', thread: 'main', logger: 'org.x.Y', msg: 'slow' }
 * ```
 */
export function createLog4jParser(options?: ParserOptions): LineParser {
  const { assumedUtcOffsetMinutes } = resolveParserOptions(options);
  let preferred = 0;

  return function parseLog4jLine(input: string): LogEvent {
    // Every layout opens with a digit: rejecting the rest here keeps garbage cheap.
    const first = input.charCodeAt(0);
    if (!(first >= 0x30 && first <= 0x39)) return unparsedEvent(input);
    const line = stripLineEnd(input);
    const hit = LAYOUTS[preferred]!.regex.exec(line);
    if (hit !== null) return LAYOUTS[preferred]!.build(hit, assumedUtcOffsetMinutes);
    for (let i = 0; i < LAYOUTS.length; i++) {
      if (i === preferred) continue;
      const layout = LAYOUTS[i]!;
      const m = layout.regex.exec(line);
      if (m !== null) {
        // The last layout is a catch-all overlapping the others: never let it go first.
        if (i < FALLBACK_LAYOUT) preferred = i;
        return layout.build(m, assumedUtcOffsetMinutes);
      }
    }
    return unparsedEvent(input);
  };
}

interface Extras {
  thread?: string | undefined;
  logger?: string | undefined;
  lineNumber?: string | undefined;
  pid?: number;
}

function event(
  time: string | undefined,
  level: string | undefined,
  message: string | undefined,
  extras: Extras,
): LogEvent {
  const out: LogEvent = {};
  if (time !== undefined) out.time = time;
  if (level !== undefined) out.level = normalizeLevel(level);
  if (extras.thread !== undefined) out['thread'] = extras.thread;
  if (extras.logger !== undefined) out['logger'] = extras.logger;
  if (extras.lineNumber !== undefined) out['lineNumber'] = Number(extras.lineNumber);
  if (extras.pid !== undefined) out['pid'] = extras.pid;
  const [msg, stack] = splitFirstLine(message ?? '');
  out.msg = msg;
  if (stack !== undefined) out['stack'] = stack;
  return out;
}

function isoTime(m: RegExpExecArray, assumedOffset: number): string | undefined {
  return isoFromDateMatch(m, m[ISO_GROUPS], assumedOffset);
}

// Spark (yy/MM/dd) and HDFS (yyMMdd): the first six groups are y, M, d, H, m, s.
function shortTime(m: RegExpExecArray, assumedOffset: number): string | undefined {
  return isoFromParts(
    yearFromTwoDigits(m[1] ?? ''),
    Number(m[2]),
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
    0,
    assumedOffset,
  );
}
