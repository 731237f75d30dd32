import type { LineParser, LogEvent } from './log-event.js';

/**
 * Keeps each line as it is, once, in `msg`: for files with no structure worth parsing.
 *
 * @example
 * ```ts
 * createRawParser()('disk full'); // { msg: 'disk full' }
 * ```
 */
export function createRawParser(): LineParser {
  return parseRawLine;
}

function parseRawLine(line: string): LogEvent {
  return { msg: line };
}
