/**
 * Levels every parser maps its input to, with pino's numbers so events can be compared
 * (`LogLevels[a] >= LogLevels.error`).
 *
 * @example
 * ```ts
 * const isError = event.level !== undefined && isLogLevel(event.level) &&
 *   LogLevels[event.level] >= LogLevels.error;
 * ```
 */
export const LogLevels = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
} as const;

/** One of {@link LogLevels}. */
export type LogLevel = keyof typeof LogLevels;

/**
 * Whether a string is one of the normalized {@link LogLevels}.
 *
 * @example
 * ```ts
 * isLogLevel('warn'); // true
 * isLogLevel('WARNING'); // false: parsers normalize before emitting
 * ```
 */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(LogLevels, value);
}

/**
 * One log event as it travels through the stream: the shape transports write and the shared
 * parsers produce. Known fields are typed; parsers add their own (`method`, `path`, `bytes`,
 * `referrer`, `agent`, `clientIp`, `thread`, `logger`, `pid`, ...), and JSON input keeps every
 * field the producer wrote.
 *
 * @example
 * ```ts
 * const event: LogEvent = { time: new Date().toISOString(), level: 'error', msg: 'boom', status: 503 };
 * ```
 */
export interface LogEvent {
  /** ISO-8601 in UTC (`2015-10-18T18:01:47.978Z`) when the parser recognized the time. */
  time?: string;
  /** Lowercased; one of {@link LogLevels} whenever the input's level is a known name. */
  level?: string;
  msg?: string;
  service?: string;
  host?: string;
  region?: string;
  page?: string;
  /** HTTP status, a number whenever the input had a numeric one. */
  status?: number;
  /** Where the line came from, e.g. the file path the daemon read. */
  source?: string;
  /** Set only when the parser could not read the line; `msg` then holds it verbatim, once. */
  parseError?: true;
  [field: string]: unknown;
}

/**
 * A parser turns one line (or one joined multi-line entry) into an event. It never throws and
 * never drops a line: what it cannot read comes back as {@link unparsedEvent}.
 */
export type LineParser = (line: string) => LogEvent;

/**
 * The event for a line a parser could not read: kept verbatim (once, in `msg`, where every
 * consumer reads an event's text), flagged, never dropped.
 *
 * @example
 * ```ts
 * unparsedEvent('garbage'); // { msg: 'garbage', parseError: true }
 * ```
 */
export function unparsedEvent(line: string): LogEvent {
  return { msg: line, parseError: true };
}
