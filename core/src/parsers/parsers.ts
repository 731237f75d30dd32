import { ConfigError } from '../errors.js';
import { AccessJsonWasm } from './access-json-wasm.js';
import { writeAccessJson } from './access-json-writer.js';
import { readAccessLine, type AccessLine } from './access-line-reader.js';
import { createAccessLogParser } from './access-log-parser.js';
import { createApacheErrorParser } from './apache-error-parser.js';
import { autoAccessLine, createAutoParser } from './format-detector.js';
import { createJsonParser } from './json-parser.js';
import { createLog4jParser } from './log4j-parser.js';
import type { LineParser, LogEvent } from './log-event.js';
import type { ParserOptions } from './parser-options.js';
import { createRawParser } from './raw-parser.js';
import { createSyslogParser } from './syslog-parser.js';

/**
 * Every line parser by the name config files use, as a factory taking {@link ParserOptions}.
 * `auto` detects each line's format (see `FormatDetector`); `apache` and `nginx` are the same
 * access-log parser.
 *
 * @example
 * ```ts
 * const parse = Parsers.log4j({ assumedUtcOffsetMinutes: 60 });
 * ```
 */
export const Parsers = {
  auto: createAutoParser,
  json: createJsonParser,
  apache: createAccessLogParser,
  nginx: createAccessLogParser,
  log4j: createLog4jParser,
  apacheError: createApacheErrorParser,
  syslog: createSyslogParser,
  raw: createRawParser,
} as const satisfies Record<string, (options?: ParserOptions) => LineParser>;

/** A key of {@link Parsers}: `auto | json | apache | nginx | log4j | apacheError | syslog | raw`. */
export type ParserName = keyof typeof Parsers;

/**
 * The parser names, ready for `z.enum(ParserNames)`.
 *
 * @example
 * ```ts
 * const flow = z.object({ parser: z.enum(ParserNames) });
 * ```
 */
export const ParserNames = Object.freeze(Object.keys(Parsers)) as readonly [
  ParserName,
  ...ParserName[],
];

/**
 * Whether a value names a parser.
 *
 * @example
 * ```ts
 * if (!isParserName(flow.parser)) problems.push({ path: 'parser', message: 'unknown parser' });
 * ```
 */
export function isParserName(value: unknown): value is ParserName {
  return typeof value === 'string' && Object.hasOwn(Parsers, value);
}

const defaultParsers = new Map<ParserName, LineParser>();

/**
 * The parser for `name`. Without options, one shared instance per name; with options, a new
 * one. Throws {@link ConfigError} for an unknown name or invalid options, never for a line.
 *
 * @example
 * ```ts
 * const parse = getParser('nginx');
 * for (const line of lines) sink.put(parse(line));
 * ```
 */
export function getParser(name: ParserName, options?: ParserOptions): LineParser {
  if (!isParserName(name)) {
    throw new ConfigError([
      {
        path: 'parser',
        message: `must be one of ${ParserNames.join(', ')}, got ${JSON.stringify(String(name))}`,
      },
    ]);
  }
  if (options !== undefined) return Parsers[name](options);
  let parser = defaultParsers.get(name);
  if (parser === undefined) {
    parser = Parsers[name]();
    defaultParsers.set(name, parser);
  }
  return parser;
}

/**
 * Parses one line with the default parser of that name: for one-off use (the analyzer reading
 * a raw text record). Loops should hold on to {@link getParser}'s function instead.
 *
 * @example
 * ```ts
 * parseLine('apacheError', '[Sun Dec 04 04:47:44 2005] [error] oops').level; // 'error'
 * ```
 */
export function parseLine(name: ParserName, line: string): LogEvent {
  return getParser(name)(line);
}

/**
 * For a parser that reads access lines (`auto`, `apache`, `nginx`), the function that gives the
 * fields it reads a line as when it reads it as an access line (`undefined` for other lines): a
 * caller writes those events' JSON straight from the fields (`accessEventJson`) and leaves
 * the other lines to the parser. `undefined` for the other parsers.
 *
 * @example
 * ```ts
 * const read = accessLineReaderOf('auto');
 * const a = read?.(line);
 * const json = a === undefined ? encode(parse(line)) : accessEventJson(a);
 * ```
 */
export function accessLineReaderOf(
  name: ParserName,
): ((line: string) => AccessLine | undefined) | undefined {
  if (name === 'auto') return autoAccessLine;
  if (name === 'apache' || name === 'nginx') return readAccessLine;
  return undefined;
}

/** Writes an access line's JSON record from its bytes (see {@link writeAccessJson}). */
export type AccessJsonWriter = (
  src: Uint8Array,
  from: number,
  to: number,
  out: Uint8Array,
  at: number,
  more: Uint8Array,
) => number;

/**
 * For a parser that reads access lines (`auto`, `apache`, `nginx`), the function that writes
 * the JSON record of a plain access line from its bytes exactly as `accessEventJson` of what
 * {@link accessLineReaderOf} reads would be (-1 for any other line, which the caller then reads
 * as a string). `undefined` for the other parsers.
 *
 * @example
 * ```ts
 * const write = accessJsonWriterOf('auto');
 * const end = write?.(line, 0, line.length, out, 0, Buffer.from(',"host":"web-1"')) ?? -1;
 * ```
 */
export function accessJsonWriterOf(name: ParserName): AccessJsonWriter | undefined {
  if (name === 'auto')
    return (src, from, to, out, at, more) => writeAccessJson(src, from, to, out, at, more, true);
  if (name === 'apache' || name === 'nginx') {
    return (src, from, to, out, at, more) => writeAccessJson(src, from, to, out, at, more, false);
  }
  return undefined;
}

/**
 * Set to `js` in the environment, {@link accessJsonWasmOf} answers undefined: the JS writer
 * writes (to compare the two, or where the WebAssembly one should not run).
 *
 * @example
 * ```ts
 * accessJsonWasmOf('auto', { [ACCESS_JSON_WRITER_ENV]: 'js' }); // undefined
 * ```
 */
export const ACCESS_JSON_WRITER_ENV = 'KINLOG_ACCESS_JSON';

/**
 * For a parser that reads access lines, a WebAssembly writer of the same records as
 * {@link accessJsonWriterOf}'s (with the buffers it writes into fastest); undefined for the
 * other parsers, where WebAssembly SIMD is not available, or with `KINLOG_ACCESS_JSON=js`.
 *
 * @example
 * ```ts
 * const wasm = accessJsonWasmOf('auto');
 * const write = wasm?.write ?? accessJsonWriterOf('auto');
 * ```
 */
export function accessJsonWasmOf(
  name: ParserName,
  env: Readonly<Record<string, string | undefined>> = process.env,
): AccessJsonWasm | undefined {
  if (env[ACCESS_JSON_WRITER_ENV] === 'js') return undefined;
  if (name === 'auto') return AccessJsonWasm.create(true);
  if (name === 'apache' || name === 'nginx') return AccessJsonWasm.create(false);
  return undefined;
}
