import { unparsedEvent, type LineParser, type LogEvent, type LogLevel } from './log-event.js';
import { resolveParserOptions, type ParserOptions } from './parser-options.js';
import { splitFirstLine, stripLineEnd } from './strip-line-end.js';
import { levelInText } from './text-level.js';
import { isoFromIsoLike, isoFromParts, monthFromName } from './timestamp.js';

// RFC 5424:  <PRI>1 TIMESTAMP HOST APP PROCID MSGID STRUCTURED-DATA [MSG]   (`-` = absent)
//   <165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3"] msg
// RFC 3164 (and syslog files, which drop the PRI; rsyslog may write an ISO time instead):
//   <34>Oct 11 22:14:15 mymachine su[123]: 'su root' failed for lonvick on /dev/pts/8
//   Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0
//   2024-05-01T12:00:00.123456+02:00 web-1 nginx[77]: msg
// Structured data elements repeat over disjoint alternatives (plain, escape, quoted value), so
// a hostile line is matched in linear time.
const RFC5424 =
  /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|(?:\[(?:[^\]"\\]|\\.|"(?:[^"\\]|\\.)*")*\])+)(?: ([\s\S]*))?$/;
const BSD_TIME = String.raw`([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d)`;
const ISO_TIME = String.raw`(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?)`;
const RFC3164 = new RegExp(
  String.raw`^(?:<(\d{1,3})>)?(?:${BSD_TIME}|${ISO_TIME}) (\S+)(?: ([^\s\[:]+)(?:\[([^\]\s]*)\])?:(?= |$))? ?([\s\S]*)$`,
);
const ABSENT = '-';
const MAX_PRI = 191;
const SEVERITY_LEVELS: readonly LogLevel[] = [
  'fatal', // 0 emerg
  'fatal', // 1 alert
  'fatal', // 2 crit
  'error', // 3 err
  'warn', // 4 warning
  'info', // 5 notice
  'info', // 6 info
  'debug', // 7 debug
];
const CHAR_BOM = 0xfeff;
/** A BSD time has no year: one more than this many months ahead of now means last year's. */
const MONTHS_AHEAD_ALLOWED = 1;

/** {@link ParserOptions} plus the clock that dates BSD timestamps (they carry no year). */
export interface SyslogParserOptions extends ParserOptions {
  /** Now, in epoch ms; default `Date.now`. */
  readonly nowMs?: () => number;
}

/**
 * Parses syslog lines: RFC 5424, RFC 3164 (with or without the `<PRI>` prefix, as syslog files
 * hold them, with a BSD or an ISO time). Fields: `time` (ISO UTC; a BSD time is read at
 * `assumedUtcOffsetMinutes` in the year that puts it closest before now), `host`, `app?`,
 * `pid?` (the PROCID or `[pid]` as written), `msgId?`, `structuredData?`, `facility?`,
 * `severity?` (0–7), `level` (from the severity: 0–2 fatal, 3 error, 4 warn, 5–6 info,
 * 7 debug; without a PRI, the message's first upper-case level word, if any), `msg`.
 *
 * @example
 * ```ts
 * createSyslogParser()('<11>1 2024-05-01T12:00:00Z web-1 api 77 - - disk full');
 * // { time: '2024-05-01T12:00:00.000Z', host: 'web-1', app: 'api', pid: '77', facility: 1,
 * //   severity: 3, level: 'error', msg: 'disk full' }
 * ```
 */
export function createSyslogParser(options?: SyslogParserOptions): LineParser {
  const { assumedUtcOffsetMinutes } = resolveParserOptions(options);
  const nowMs = options?.nowMs ?? Date.now;

  return function parseSyslogLine(input: string): LogEvent {
    const line = stripLineEnd(input);
    if (line.startsWith('<')) {
      const m = RFC5424.exec(line);
      if (m !== null) return fromRfc5424(m, assumedUtcOffsetMinutes);
    }
    const m = RFC3164.exec(line);
    if (m === null) return unparsedEvent(input);
    const event: LogEvent = {};
    const time =
      m[2] === undefined
        ? isoFromIsoLike(m[7] ?? '', assumedUtcOffsetMinutes)
        : bsdTime(m, nowMs(), assumedUtcOffsetMinutes);
    if (time !== undefined) event.time = time;
    event.host = m[8];
    if (m[9] !== undefined) event['app'] = m[9];
    if (m[10] !== undefined && m[10] !== '') event['pid'] = m[10];
    const [msg, stack] = splitFirstLine(m[11] ?? '');
    if (!addPriority(event, m[1])) {
      const level = levelInText(msg);
      if (level !== undefined) event.level = level;
    }
    event.msg = msg;
    if (stack !== undefined) event['stack'] = stack;
    return event;
  };
}

function fromRfc5424(m: RegExpExecArray, assumedOffset: number): LogEvent {
  const event: LogEvent = {};
  const time = m[2] === ABSENT ? undefined : isoFromIsoLike(m[2] ?? '', assumedOffset);
  if (time !== undefined) event.time = time;
  if (m[3] !== ABSENT) event.host = m[3];
  if (m[4] !== ABSENT) event['app'] = m[4];
  if (m[5] !== ABSENT) event['pid'] = m[5];
  if (m[6] !== ABSENT) event['msgId'] = m[6];
  if (m[7] !== ABSENT) event['structuredData'] = m[7];
  addPriority(event, m[1]);
  let text = m[8] ?? '';
  if (text.charCodeAt(0) === CHAR_BOM) text = text.slice(1);
  const [msg, stack] = splitFirstLine(text);
  event.msg = msg;
  if (stack !== undefined) event['stack'] = stack;
  return event;
}

/** Sets facility, severity and level from a PRI; whether there was a valid one. */
function addPriority(event: LogEvent, pri: string | undefined): boolean {
  if (pri === undefined) return false;
  const value = Number(pri);
  if (!(value <= MAX_PRI)) return false;
  const severity = value % 8;
  event['facility'] = (value - severity) / 8;
  event['severity'] = severity;
  event.level = SEVERITY_LEVELS[severity];
  return true;
}

function bsdTime(m: RegExpExecArray, nowMs: number, offsetMinutes: number): string | undefined {
  const month = monthFromName(m[2] ?? '');
  const now = new Date(nowMs);
  const thisMonth = now.getUTCMonth() + 1;
  const year =
    month > thisMonth + MONTHS_AHEAD_ALLOWED ? now.getUTCFullYear() - 1 : now.getUTCFullYear();
  return isoFromParts(
    year,
    month,
    Number((m[3] ?? '').trim()),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
    0,
    offsetMinutes,
  );
}
