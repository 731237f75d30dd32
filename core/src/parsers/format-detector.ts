/*
 *   line ─▶ first character ─┬─ `{` (after spaces/BOM) ─ a JSON object? ──────────────▶ json
 *                            ├─ `[` ─ [Sun Dec 04 04:47:44 2005] [level] ... ─────────▶ apacheError
 *                            ├─ `<` ─ <PRI>... ───────────────────────────────────────▶ syslog
 *                            └─ any ─ host ident user [dd/Mon/yyyy:... ───────────────▶ access
 *                                     ─ a log4j start (ISO, yy/MM/dd, yyMMdd HHmmss) ─▶ log4j
 *                                     ─ Mmm dd hh:mm:ss host / ISO-T time host ───────▶ syslog
 *   whatever no parser read ─────────────────────────────────────────────────────────▶ raw
 *                                                     (level: first upper-case level word)
 *
 * Each line is judged on its own (a stream may mix producers). A parser runs only when the
 * line's first characters already look like its format, so detection costs a few character
 * tests on top of the one parser that reads the line.
 */
import { readAccessLine, type AccessLine } from './access-line-reader.js';
import { accessEvent } from './access-log-parser.js';
import { createApacheErrorParser } from './apache-error-parser.js';
import { normalizeParsed, parseJsonObject } from './json-parser.js';
import { createLog4jParser } from './log4j-parser.js';
import type { LineParser, LogEvent } from './log-event.js';
import { resolveParserOptions, type ParserOptions } from './parser-options.js';
import { createSyslogParser, type SyslogParserOptions } from './syslog-parser.js';
import { levelInText } from './text-level.js';

/**
 * Version of the detection rules: bumped whenever a line may be classified or read differently,
 * so stored results say which rules counted them.
 *
 * @example
 * ```ts
 * report.formats.detectorVersion === FORMAT_DETECTOR_VERSION; // counted by these rules
 * ```
 */
export const FORMAT_DETECTOR_VERSION = 1;

/**
 * The formats the detector tells apart. `access` is Apache httpd / nginx access logs (common
 * and combined), `apacheError` Apache's error log, `log4j` the layouts of the log4j parser,
 * `syslog` RFC 5424 and 3164, `raw` anything else (kept as text, level read from its words).
 *
 * @example
 * ```ts
 * const counts = Object.fromEntries(LogFormatNames.map((f) => [f, 0]));
 * ```
 */
export const LogFormats = {
  json: 'json',
  access: 'access',
  apacheError: 'apacheError',
  log4j: 'log4j',
  syslog: 'syslog',
  raw: 'raw',
} as const;

/** One of {@link LogFormats}. */
export type LogFormat = (typeof LogFormats)[keyof typeof LogFormats];

/** Every {@link LogFormat}, in a fixed order (reports list them in it). */
export const LogFormatNames: readonly LogFormat[] = Object.freeze(Object.values(LogFormats));

const CHAR_OPEN_BRACE = 0x7b;
const CHAR_OPEN_BRACKET = 0x5b;
const CHAR_LESS = 0x3c;
const CHAR_SPACE = 0x20;
const CHAR_TAB = 0x09;
const CHAR_BOM = 0xfeff;
const CHAR_0 = 0x30;
const CHAR_A = 0x41;
const CHAR_Z = 0x5a;

// What opens a line of each format, tested (sticky, anchored) before its parser runs.
const ISO_T_START = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;
const BSD_SYSLOG_START = /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S/;

/**
 * Reads each line in whatever format it is in (see {@link LogFormats}) and remembers which:
 * {@link format} is the format of the line {@link parse} read last. One detector per reader
 * (the log4j parser inside learns the layout a file uses).
 *
 * @example
 * ```ts
 * const detector = new FormatDetector();
 * const event = detector.parse('10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 503 12');
 * detector.format; // 'access'
 * event.level; // 'error'
 * ```
 */
export class FormatDetector {
  /** Format of the line {@link parse} read last (`raw` before any). */
  format: LogFormat = LogFormats.raw;
  /** {@link parse} as a plain function, for APIs that take a {@link LineParser}. */
  readonly parseLine: LineParser;
  readonly #offset: number;
  readonly #apacheError: LineParser;
  readonly #log4j: LineParser;
  readonly #syslog: LineParser;

  constructor(options?: SyslogParserOptions) {
    this.#offset = resolveParserOptions(options).assumedUtcOffsetMinutes;
    this.#apacheError = createApacheErrorParser(options);
    this.#log4j = createLog4jParser(options);
    this.#syslog = createSyslogParser(options);
    this.parseLine = (line) => this.parse(line);
  }

  /** The event a line holds, in the first format that reads it; never throws. */
  parse(line: string): LogEvent {
    const first = line.charCodeAt(0);
    if (
      first === CHAR_OPEN_BRACE ||
      first === CHAR_SPACE ||
      first === CHAR_TAB ||
      first === CHAR_BOM
    ) {
      const parsed = parseJsonObject(line);
      if (parsed !== undefined) {
        this.format = LogFormats.json;
        return normalizeParsed(parsed, this.#offset);
      }
    } else if (first === CHAR_OPEN_BRACKET) {
      const event = this.#apacheError(line);
      if (event.parseError !== true) {
        this.format = LogFormats.apacheError;
        return event;
      }
    } else if (first === CHAR_LESS) {
      const event = this.#syslog(line);
      if (event.parseError !== true) {
        this.format = LogFormats.syslog;
        return event;
      }
    } else {
      const access = looksLikeAccessLine(line) ? readAccessLine(line) : undefined;
      if (access !== undefined) {
        this.format = LogFormats.access;
        return accessEvent(access);
      }
      if (first >= CHAR_0 && first <= CHAR_0 + 9) {
        // The log4j parser turns down what does not open with one of its dates by itself.
        const event = this.#log4j(line);
        if (event.parseError !== true) {
          this.format = LogFormats.log4j;
          return event;
        }
        if (ISO_T_START.test(line)) {
          const syslog = this.#syslog(line);
          if (syslog.parseError !== true) {
            this.format = LogFormats.syslog;
            return syslog;
          }
        }
      } else if (first >= CHAR_A && first <= CHAR_Z && BSD_SYSLOG_START.test(line)) {
        const event = this.#syslog(line);
        if (event.parseError !== true) {
          this.format = LogFormats.syslog;
          return event;
        }
      }
    }
    this.format = LogFormats.raw;
    return rawEvent(line);
  }
}

/**
 * The fields of `line` when the `auto` parser reads it as an access line (the event it makes
 * of it is `accessEvent` of them), else `undefined`: a caller can then write the event's JSON
 * straight from the fields (`accessEventJson`) and leave other lines to the parser.
 *
 * @example
 * ```ts
 * const a = autoAccessLine(line);
 * const json = a === undefined ? JSON.stringify(parse(line)) : accessEventJson(a);
 * ```
 */
export function autoAccessLine(line: string): AccessLine | undefined {
  const first = line.charCodeAt(0);
  // Lines opening like the other formats are never read as access lines (see parse).
  if (
    first === CHAR_OPEN_BRACE ||
    first === CHAR_SPACE ||
    first === CHAR_TAB ||
    first === CHAR_BOM ||
    first === CHAR_OPEN_BRACKET ||
    first === CHAR_LESS
  ) {
    return undefined;
  }
  // readAccessLine checks the shape looksLikeAccessLine does first, as cheaply.
  return readAccessLine(line);
}

/** `host ident user [d`: the fourth space-separated field opens with `[` and a digit. */
function looksLikeAccessLine(line: string): boolean {
  const s1 = line.indexOf(' ');
  if (s1 <= 0) return false;
  const s2 = line.indexOf(' ', s1 + 1);
  if (s2 < 0) return false;
  const s3 = line.indexOf(' ', s2 + 1);
  if (s3 < 0 || line.charCodeAt(s3 + 1) !== CHAR_OPEN_BRACKET) return false;
  const digit = line.charCodeAt(s3 + 2);
  return digit >= CHAR_0 && digit <= CHAR_0 + 9;
}

/** A line no parser read: its text once, and the level its words state, if any. */
function rawEvent(line: string): LogEvent {
  const level = levelInText(line);
  return level === undefined ? { msg: line } : { level, msg: line };
}

/**
 * The `auto` parser: a {@link FormatDetector}'s `parse` as a {@link LineParser}, for callers
 * that need the event only.
 *
 * @example
 * ```ts
 * const parse = createAutoParser();
 * parse('2024-05-01 12:00:00 ERROR [main] o.x.Y - boom').level; // 'error'
 * ```
 */
export function createAutoParser(options?: ParserOptions): LineParser {
  return new FormatDetector(options).parseLine;
}

/**
 * The format of one line and its event: for one-off use; loops should hold a
 * {@link FormatDetector}.
 *
 * @example
 * ```ts
 * detectFormat('<11>1 2024-05-01T12:00:00Z web-1 api - - - disk full').format; // 'syslog'
 * ```
 */
export function detectFormat(line: string): { format: LogFormat; event: LogEvent } {
  const detector = new FormatDetector();
  const event = detector.parse(line);
  return { format: detector.format, event };
}
