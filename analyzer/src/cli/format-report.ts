import type { TopNResult } from '../aggregate/top-n-result.js';
import type { StoredFormats } from '../checkpoint/stored-report.js';
import { displayText } from '../report/display-text.js';
import { displayWidth, padWidth } from '../report/display-width.js';
import { countLabel, formatsLabel } from '../report/report-text-parts.js';
import { reportFormatsOf } from '../report/report-view.js';

/** Output formats of `kinlog analyze`. */
export const AnalyzeFormats = { table: 'table', json: 'json' } as const;
export type AnalyzeFormat = (typeof AnalyzeFormats)[keyof typeof AnalyzeFormats];

const MAX_CELL_CHARS = 60;

/**
 * Renders a top-N result as a plain-text table. Log-derived text goes through the same
 * {@link displayText} escaping as `kinlog report` (control, bidi and zero-width characters shown
 * as escapes, cut to a bound), so it cannot move the cursor, forge lines or reorder the row.
 * The totals line says how many records each format matched (`formats` absent: a report
 * stored before they were recorded).
 *
 * @example
 * ```ts
 * stdout.write(formatTable('web #7', result));
 * ```
 */
export function formatTable(
  title: string,
  result: TopNResult,
  top?: number,
  formats?: StoredFormats,
): string {
  const t = result.totals;
  const byFormat = formatsLabel(reportFormatsOf(formats));
  const header = ['#', 'region', 'page', 'errors', 'share', 'change', 'top signature'];
  const rows = result.rows
    .slice(0, top)
    .map((r, i) => [
      String(i + 1),
      cell(r.region),
      cell(r.page),
      countLabel(r.count, r.countError),
      `${(r.share * 100).toFixed(1)}%`,
      r.change === null
        ? ''
        : r.change.previousCount === 0
          ? 'new'
          : r.change.delta === null
            ? '?'
            : signed(r.change.delta),
      cell(r.signatures[0]?.signature ?? ''),
    ]);
  const widths = header.map((h, c) =>
    Math.max(h.length, ...rows.map((row) => displayWidth(row[c]!))),
  );
  const line = (cells: string[]) =>
    cells
      .map((v, c) => padWidth(v, widths[c]!))
      .join('  ')
      .trimEnd();
  const estimated = result.rows.slice(0, top).some((r) => r.countError > 0);
  return [
    `${title}: ${t.events} records (${byFormat}), ${t.errors} errors (${t.errors5xx} 5xx, ${t.errors4xx} 4xx, ${t.errorsLevel} by level), ${t.unparsed} unparsed`,
    ...(estimated ? ['counts shown as a–b are estimates: the true count lies in that range'] : []),
    line(header),
    ...rows.map(line),
    '',
  ].join('\n');
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

function cell(text: string): string {
  return displayText(text, MAX_CELL_CHARS);
}
