const CHAR_CR = 0x0d;

/** The line without a trailing `\r` (files written with CRLF line ends). */
export function stripLineEnd(line: string): string {
  return line.charCodeAt(line.length - 1) === CHAR_CR ? line.slice(0, -1) : line;
}

/**
 * Splits a (possibly multi-line) message into its first line and the rest, so a joined Java
 * stack trace lands in `stack` and `msg` stays one line.
 */
export function splitFirstLine(text: string): [first: string, rest: string | undefined] {
  const newline = text.indexOf('\n');
  if (newline === -1) return [text, undefined];
  return [stripLineEnd(text.slice(0, newline)), text.slice(newline + 1)];
}
