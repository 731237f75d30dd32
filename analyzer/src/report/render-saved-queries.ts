/*
 *   stored saved-query results (plain JSON, no SQL engine here) ─┬─ text: one aligned table each
 *                                                                ├─ html: a section to append
 *                                                                └─ json: plain objects
 * Cells are untrusted (they come from log records): control characters are made visible and
 * long cells cut, as in the top-N renderers.
 */
import type { StoredQueryResult } from '../checkpoint/stored-items.js';
import { displayText } from './display-text.js';
import { displayWidth, fitWidth, padWidth } from './display-width.js';
import { escapeHtml } from './escape-html.js';

/** Bounds of rendered saved-query results. */
export const SavedQueryRenderLimits = {
  /** A cell is cut to this many terminal cells (text) or characters (HTML). */
  MAX_CELL_CHARS: 60,
  /** Rows shown per result in text and HTML (JSON has them all). */
  MAX_SHOWN_ROWS: 100,
  SEPARATOR: ' │ ',
} as const;

const NUMERIC_TYPE =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;

/**
 * A query result row as an object keyed by column name; a later column of a name already taken
 * keeps its own key (`n_1`, `n_2`), and a missing value is `null`. Shared by every JSON output of
 * query results (saved queries here, `kinlog query` in `@kinlog/query`).
 *
 * @example
 * ```ts
 * rowAsObject([{ name: 'n' }, { name: 'n' }], [1, 2]); // { n: 1, n_1: 2 }
 * ```
 */
export function rowAsObject(
  columns: readonly { readonly name: string }[],
  row: readonly unknown[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  columns.forEach((c, i) => {
    let key = c.name;
    for (let n = 1; key in out; n++) key = `${c.name}_${n}`;
    out[key] = row[i] ?? null;
  });
  return out;
}

/**
 * Whether a SQL result column of this DuckDB type holds numbers: tables align it right. Shared
 * by every renderer of query results (saved queries here, `kinlog query` in `@kinlog/query`).
 *
 * @example
 * ```ts
 * isNumericColumnType('DECIMAL(18,3)'); // true
 * isNumericColumnType('VARCHAR'); // false
 * ```
 */
export function isNumericColumnType(type: string): boolean {
  return NUMERIC_TYPE.test(type);
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return displayText(text, SavedQueryRenderLimits.MAX_CELL_CHARS);
}

function shownRows(result: StoredQueryResult): {
  rows: readonly (readonly unknown[])[];
  more: number;
} {
  const max = SavedQueryRenderLimits.MAX_SHOWN_ROWS;
  return { rows: result.rows.slice(0, max), more: Math.max(0, result.rows.length - max) };
}

function rowCount(result: StoredQueryResult): string {
  return `${result.rows.length} row${result.rows.length === 1 ? '' : 's'}`;
}

/**
 * The saved-query results as text: a titled, aligned table each; empty without results.
 *
 * @example
 * ```ts
 * renderSavedQueriesText(await store.getSavedQueryResults('web', 7));
 * ```
 */
export function renderSavedQueriesText(results: readonly StoredQueryResult[]): string {
  return results
    .map((result) => {
      const header = result.columns.map((c) => cellText(c.name));
      const { rows, more } = shownRows(result);
      const body = rows.map((row) => result.columns.map((_, i) => cellText(row[i])));
      const right = result.columns.map((c) => isNumericColumnType(c.type));
      const widths = header.map((h, i) =>
        Math.max(displayWidth(h), ...body.map((cells) => displayWidth(cells[i] ?? ''))),
      );
      const line = (cells: readonly string[]) =>
        cells
          .map((cell, i) =>
            padWidth(fitWidth(cell, widths[i]!), widths[i]!, right[i] === true ? 'right' : 'left'),
          )
          .join(SavedQueryRenderLimits.SEPARATOR)
          .trimEnd() + '\n';
      const rule = widths.map((w) => '─'.repeat(w)).join('─┼─') + '\n';
      const tail = more > 0 ? `… ${more} more rows (all in --format json)\n` : '';
      return (
        `\nSaved query ${cellText(result.query)} (${rowCount(result)})\n` +
        line(header) +
        rule +
        body.map(line).join('') +
        tail
      );
    })
    .join('');
}

/**
 * The saved-query results as an HTML section (inline styles, for email); empty without results.
 *
 * @example
 * ```ts
 * html.replace('</body>', renderSavedQueriesHtml(results) + '</body>');
 * ```
 */
export function renderSavedQueriesHtml(results: readonly StoredQueryResult[]): string {
  return results
    .map((result) => {
      const { rows, more } = shownRows(result);
      const cell = (text: string, tag: 'th' | 'td', right: boolean) =>
        `<${tag} style="padding:4px 8px;border-bottom:1px solid #e3e8ee;text-align:${right ? 'right' : 'left'};">${escapeHtml(text)}</${tag}>`;
      const right = result.columns.map((c) => isNumericColumnType(c.type));
      const head = result.columns.map((c, i) => cell(cellText(c.name), 'th', right[i]!)).join('');
      const body = rows
        .map(
          (row) =>
            '<tr>' +
            result.columns.map((_, i) => cell(cellText(row[i]), 'td', right[i]!)).join('') +
            '</tr>',
        )
        .join('\n');
      return [
        `<h2 style="font-size:16px;margin:24px 0 8px 0;">Saved query ${escapeHtml(cellText(result.query))} (${rowCount(result)})</h2>`,
        '<table cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;font-size:13px;">',
        `<tr>${head}</tr>`,
        body,
        '</table>',
        more > 0 ? `<p style="font-size:12px;">… ${more} more rows</p>` : '',
      ]
        .filter((part) => part !== '')
        .join('\n');
    })
    .join('\n');
}

/**
 * The saved-query results as plain JSON objects, rows keyed by column name.
 *
 * @example
 * ```ts
 * JSON.stringify({ ...report, savedQueries: savedQueriesJson(results) });
 * ```
 */
export function savedQueriesJson(results: readonly StoredQueryResult[]): object[] {
  return results.map((result) => ({
    query: result.query,
    sql: result.sql,
    columns: result.columns,
    rows: result.rows.map((row) => rowAsObject(result.columns, row)),
    ranAt: result.ranAt,
  }));
}

/** `html` with the saved-query section placed before its closing body tag (appended without one). */
export function withSavedQueriesHtml(html: string, results: readonly StoredQueryResult[]): string {
  if (results.length === 0) return html;
  const section = renderSavedQueriesHtml(results) + '\n';
  const at = html.lastIndexOf('</body>');
  return at < 0 ? html + section : html.slice(0, at) + section + html.slice(at);
}

/** A report's JSON (from `renderJson`) with a `savedQueries` array added; unchanged without results. */
export function withSavedQueriesJson(json: string, results: readonly StoredQueryResult[]): string {
  if (results.length === 0) return json;
  const report = JSON.parse(json) as Record<string, unknown>;
  return JSON.stringify({ ...report, savedQueries: savedQueriesJson(results) }, null, 2) + '\n';
}
