import { SqlError } from '../errors.js';

const LINE_PREFIX = /^LINE (\d+): /;

/**
 * DuckDB's error as one line, with the position its caret points at.
 *
 * @example
 * ```ts
 * sqlErrorOf(new Error('Parser Error: syntax error at or near "selec"\n\nLINE 1: selec 1\n        ^'));
 * // SqlError 'Parser Error: syntax error at or near "selec" (line 1, column 1)'
 * ```
 */
export function sqlErrorOf(err: unknown): SqlError {
  const text = err instanceof Error ? err.message : String(err);
  const lines = text.split('\n');
  // Statement splitting wraps parser errors of scripts; the parser's words are what matter.
  const message = (lines[0] ?? '').trim().replace(/^Failed to extract statements: /, '');
  let position: { line: number; column: number } | undefined;
  for (let i = 0; i < lines.length - 1; i++) {
    const match = LINE_PREFIX.exec(lines[i]!);
    if (match === null) continue;
    const caret = lines[i + 1]!.indexOf('^');
    if (caret < 0) continue;
    // DuckDB elides the start of a long line with "...": the column is then only approximate.
    position = { line: Number(match[1]), column: Math.max(1, caret - match[0].length + 1) };
    break;
  }
  return new SqlError(message, position, err);
}
