import {
  displayWidth,
  fitWidth,
  isNumericColumnType,
  padWidth,
  rowAsObject,
} from '@kinlog/analyzer';
import type { QueryResult } from '../session/query-session.js';

/** How a result is printed. */
export const ResultFormats = {
  table: 'table',
  json: 'json',
  ndjson: 'ndjson',
  csv: 'csv',
} as const;
export type ResultFormat = (typeof ResultFormats)[keyof typeof ResultFormats];

/** Bounds of the table format. */
export const ResultTableLimits = {
  DEFAULT_WIDTH: 120,
  /** A column is never squeezed below this many terminal cells. */
  MIN_COLUMN_WIDTH: 4,
  /** Cells joined by this separator. */
  SEPARATOR: ' │ ',
} as const;

function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return value.replace(/[\r\n\t]/g, ' ');
  return JSON.stringify(value);
}

/**
 * One result rendered for output, ending with a newline.
 *
 * @example
 * ```ts
 * renderResult({ columns: [{ name: 'n', type: 'BIGINT' }], rows: [['3']] }, 'csv'); // 'n\n3\n'
 * ```
 */
export function renderResult(
  result: QueryResult,
  format: ResultFormat,
  width: number = ResultTableLimits.DEFAULT_WIDTH,
): string {
  switch (format) {
    case ResultFormats.json:
      return (
        JSON.stringify(
          result.rows.map((row) => rowObject(result, row)),
          null,
          2,
        ) + '\n'
      );
    case ResultFormats.ndjson:
      return result.rows.map((row) => JSON.stringify(rowObject(result, row)) + '\n').join('');
    case ResultFormats.csv:
      return [
        result.columns.map((c) => csvField(c.name)),
        ...result.rows.map((row) =>
          row.map((v) =>
            csvField(
              v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v),
            ),
          ),
        ),
      ]
        .map((cells) => cells.join(',') + '\n')
        .join('');
    case ResultFormats.table:
      return renderTable(result, width);
  }
}

/** A row as an object keyed by column name (later duplicates keep their own key: `n_1`). */
export function rowObject(result: QueryResult, row: readonly unknown[]): Record<string, unknown> {
  return rowAsObject(result.columns, row);
}

/**
 * A CSV field (RFC 4180), with spreadsheet formulas defused by a leading quote.
 *
 * @example
 * ```ts
 * csvField('a,b'); // '"a,b"'
 * ```
 */
export function csvField(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-?\d/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function renderTable(result: QueryResult, width: number): string {
  const header = result.columns.map((c) => c.name);
  const body = result.rows.map((row) => result.columns.map((_, i) => cellText(row[i])));
  const right = result.columns.map((c) => isNumericColumnType(c.type));
  const widths = header.map((h, i) =>
    Math.max(displayWidth(h), ...body.map((cells) => displayWidth(cells[i] ?? ''))),
  );
  const separator = ResultTableLimits.SEPARATOR;
  const budget = Math.max(
    widths.length * ResultTableLimits.MIN_COLUMN_WIDTH,
    width - separator.length * Math.max(0, widths.length - 1),
  );
  // Squeeze the widest column one cell at a time until the row fits the terminal.
  let total = widths.reduce((a, b) => a + b, 0);
  while (total > budget) {
    let widest = 0;
    for (let i = 1; i < widths.length; i++) if (widths[i]! > widths[widest]!) widest = i;
    if (widths[widest]! <= ResultTableLimits.MIN_COLUMN_WIDTH) break;
    widths[widest]!--;
    total--;
  }
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) =>
        padWidth(fitWidth(cell, widths[i]!), widths[i]!, right[i] === true ? 'right' : 'left'),
      )
      .join(separator)
      .trimEnd() + '\n';
  const rule = widths.map((w) => '─'.repeat(w)).join('─┼─') + '\n';
  const count = `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})\n`;
  return line(header) + rule + body.map(line).join('') + count;
}
