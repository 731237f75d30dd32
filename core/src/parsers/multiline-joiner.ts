import { ConfigError, type ConfigProblem } from '../errors.js';
import type { ParserName } from './parsers.js';

//   push(line) ──► starts an entry? ──yes──► emit the open entry, open a new one with line
//                        │ no
//                        ▼
//               would it pass maxLines / maxBytes? ──yes──► emit (counted as a split), open new
//                        │ no
//                        ▼
//               append "\n" + line to the open entry
//
//   flush() ──► emit the open entry (end of file, idle timeout, shutdown)
//
// An entry is only known to be complete when the next one starts, so the caller flushes on
// idle; a continuation line with no open entry (start of a file) opens one of its own.

/**
 * Defaults and bounds of {@link MultilineJoinerOptions}.
 *
 * @example
 * ```ts
 * new MultilineJoiner({ startPattern: /^\d/, maxBytes: MultilineDefaults.MAX_BYTES / 2 });
 * ```
 */
export const MultilineDefaults = {
  MAX_LINES: 500,
  /** Half the default Kinesis record size, leaving room for JSON escaping and other fields. */
  MAX_BYTES: 512 * 1024,
  MAX_LINES_LIMIT: 1_000_000,
  /** The largest record size a Kinesis stream can be configured for. */
  MAX_BYTES_LIMIT: 10 * 1024 * 1024,
} as const;

/**
 * Options of {@link MultilineJoiner}.
 *
 * @example
 * ```ts
 * const options: MultilineJoinerOptions = { startPattern: /^\[/, maxLines: 200 };
 * ```
 */
export interface MultilineJoinerOptions {
  /** A line matching this starts a new entry; others continue the open one. */
  startPattern?: RegExp;
  /**
   * Instead of `startPattern`: a line matching this continues the open entry; others start a
   * new one (for input whose entries do not open alike, e.g. {@link STACK_TRACE_CONTINUATION}).
   */
  continuationPattern?: RegExp;
  /** Most lines in one entry; default {@link MultilineDefaults.MAX_LINES}. */
  maxLines?: number;
  /** Most UTF-8 bytes in one entry, counting the `\n` joins; default {@link MultilineDefaults.MAX_BYTES}. */
  maxBytes?: number;
}

/** Counters of a {@link MultilineJoiner}. */
export interface MultilineJoinerStats {
  /** Entries emitted, including splits. */
  entries: number;
  /** Lines pushed. */
  lines: number;
  /** Entries closed early because the next line would pass `maxLines`. */
  splitByLines: number;
  /** Entries closed early because the next line would pass `maxBytes`. */
  splitByBytes: number;
}

const NONE: readonly string[] = Object.freeze([]);
const NEWLINE_BYTES = 1;

/**
 * Joins continuation lines (Java stack traces' `\tat ...`, `Caused by: ...`, wrapped messages)
 * to the log line they belong to. Pure and incremental: feed lines in order, get back the
 * entries they complete.
 *
 * @example
 * ```ts
 * const joiner = new MultilineJoiner({ startPattern: defaultStartPattern('log4j')! });
 * for (const line of lines) for (const entry of joiner.push(line)) sink.put(parse(entry));
 * for (const entry of joiner.flush()) sink.put(parse(entry));
 * ```
 */
export class MultilineJoiner {
  readonly #pattern: RegExp;
  /** Whether a match of #pattern starts an entry (else it continues one). */
  readonly #matchStarts: boolean;
  readonly #maxLines: number;
  readonly #maxBytes: number;
  #entry: string | undefined;
  #entryLines = 0;
  #entryBytes = 0;
  readonly #stats: MultilineJoinerStats = {
    entries: 0,
    lines: 0,
    splitByLines: 0,
    splitByBytes: 0,
  };

  constructor(options: MultilineJoinerOptions) {
    const problems: ConfigProblem[] = [];
    const { startPattern, continuationPattern } = options;
    const given = startPattern ?? continuationPattern;
    if (
      !(given instanceof RegExp) ||
      (startPattern !== undefined) === (continuationPattern !== undefined)
    ) {
      problems.push({
        path: startPattern === undefined ? 'continuationPattern' : 'startPattern',
        message: 'exactly one of startPattern and continuationPattern must be given, as a RegExp',
      });
    }
    const maxLines = options.maxLines ?? MultilineDefaults.MAX_LINES;
    if (!isIntIn(maxLines, 1, MultilineDefaults.MAX_LINES_LIMIT)) {
      problems.push({
        path: 'maxLines',
        message: `must be an integer between 1 and ${MultilineDefaults.MAX_LINES_LIMIT}, got ${String(maxLines)}`,
      });
    }
    const maxBytes = options.maxBytes ?? MultilineDefaults.MAX_BYTES;
    if (!isIntIn(maxBytes, 1, MultilineDefaults.MAX_BYTES_LIMIT)) {
      problems.push({
        path: 'maxBytes',
        message: `must be an integer between 1 and ${MultilineDefaults.MAX_BYTES_LIMIT}, got ${String(maxBytes)}`,
      });
    }
    if (problems.length > 0) throw new ConfigError(problems, 'invalid multiline options');
    // `g` and `y` make test() stateful (lastIndex); a start check must not depend on history.
    const pattern = given as RegExp;
    this.#pattern = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
    this.#matchStarts = startPattern !== undefined;
    this.#maxLines = maxLines;
    this.#maxBytes = maxBytes;
  }

  /**
   * Adds the next line (without its line end); returns the entries it completed, usually none
   * or one.
   */
  push(line: string): readonly string[] {
    this.#stats.lines++;
    const lineBytes = Buffer.byteLength(line, 'utf8');
    if (this.#entry === undefined) {
      this.#open(line, lineBytes);
      return NONE;
    }
    if (this.#pattern.test(line) !== this.#matchStarts) {
      const fitsLines = this.#entryLines < this.#maxLines;
      const fitsBytes = this.#entryBytes + NEWLINE_BYTES + lineBytes <= this.#maxBytes;
      if (fitsLines && fitsBytes) {
        this.#entry += '\n' + line;
        this.#entryLines++;
        this.#entryBytes += NEWLINE_BYTES + lineBytes;
        return NONE;
      }
      if (!fitsLines) this.#stats.splitByLines++;
      else this.#stats.splitByBytes++;
    }
    const done = this.#entry;
    this.#open(line, lineBytes);
    this.#stats.entries++;
    return [done];
  }

  /** Emits the open entry, if any: at end of input, on an idle timeout, at shutdown. */
  flush(): readonly string[] {
    const done = this.#entry;
    if (done === undefined) return NONE;
    this.#entry = undefined;
    this.#entryLines = 0;
    this.#entryBytes = 0;
    this.#stats.entries++;
    return [done];
  }

  /** Whether an entry is open (waiting for its next line or a flush). */
  get pending(): boolean {
    return this.#entry !== undefined;
  }

  /** A snapshot of the counters. */
  get stats(): MultilineJoinerStats {
    return { ...this.#stats };
  }

  #open(line: string, lineBytes: number): void {
    this.#entry = line;
    this.#entryLines = 1;
    this.#entryBytes = lineBytes;
  }
}

function isIntIn(value: unknown, min: number, max: number): value is number {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}

// What opens a record in each format; the others are one record per line.
const START_PATTERNS: Readonly<Partial<Record<ParserName, RegExp>>> = {
  // ISO date (Hadoop, Zookeeper, log4j), yy/MM/dd (Spark), yyMMdd HHmmss (HDFS)
  log4j: /^(?:\d{4}-\d\d-\d\d[T ]\d\d:\d\d|\d\d\/\d\d\/\d\d \d\d:\d\d|\d{6} \d{6} )/,
  // [Sun Dec 04 04:47:44 2005]
  apacheError: /^\[[A-Za-z]{3} [A-Za-z]{3} /,
};

/**
 * A line that continues a Java stack trace: `\tat ...`, `Caused by: ...`, `Suppressed: ...`,
 * `... 12 more`, and an exception's own header line (`java.lang.IllegalStateException: boom`)
 * right after the log line that reported it. The `auto` format joins these to the line before.
 *
 * @example
 * ```ts
 * new MultilineJoiner({ continuationPattern: STACK_TRACE_CONTINUATION });
 * ```
 */
export const STACK_TRACE_CONTINUATION =
  /^(?:\s+at\s|\s*Caused by: |\s*Suppressed: |\s*\.\.\. \d+ (?:more|common frames omitted)\s*$|(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable)(?::|$))/;

/**
 * The pattern that starts a record in a parser's format, or `undefined` when every line is a
 * record of its own (json, access logs, raw) and no joining is needed.
 *
 * @example
 * ```ts
 * defaultStartPattern('log4j')?.test('\tat org.x.Y.run(Y.java:12)'); // false
 * defaultStartPattern('nginx'); // undefined
 * ```
 */
export function defaultStartPattern(parser: ParserName): RegExp | undefined {
  const pattern = START_PATTERNS[parser];
  return pattern === undefined ? undefined : new RegExp(pattern.source, pattern.flags);
}
