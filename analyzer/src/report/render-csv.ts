import { displayText } from './display-text.js';
import type { ReportView } from './report-view.js';

/** Bounds of {@link renderCsv}. */
export const CsvLimits = {
  /** Longest text cell (stored examples are ≤ 320 characters; escapes can lengthen them). */
  MAX_CELL_CHARS: 2_000,
  /** Signatures joined into the `top_signatures` cell. */
  SIGNATURES_PER_CELL: 5,
} as const;

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell per RFC 4180: quoted when it holds a comma, quote, CR or LF, quotes doubled. Text
 * from logs is made inert for spreadsheets: a cell starting with `= + - @` (or tab/CR) gets a
 * leading `'` so it is never evaluated as a formula.
 *
 * @example
 * ```ts
 * csvCell('=HYPERLINK("x")'); // '"\'=HYPERLINK(""x"")"'
 * ```
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  let text = displayText(value, CsvLimits.MAX_CELL_CHARS);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The report's rows as CSV (header line, CRLF line ends, RFC 4180 quoting). Log text has its
 * control and bidi characters escaped like everywhere else, so each row is one physical line.
 *
 * @example
 * ```ts
 * await writeFile('top.csv', renderCsv(view));
 * ```
 */
export function renderCsv(view: ReportView): string {
  const header = [
    'rank',
    'region',
    'page',
    'errors',
    'share',
    'errors_5xx',
    'errors_4xx',
    'errors_level',
    'previous_errors',
    'delta',
    'is_new',
    ...(view.withOwners ? ['owner', 'team'] : []),
    'top_signatures',
    'example',
    'first_seen',
    'last_seen',
  ];
  const lines = [header.join(',')];
  for (const r of view.rows) {
    const signatures = r.signatures
      .slice(0, CsvLimits.SIGNATURES_PER_CELL)
      .map((s) => `${s.signature} (${s.count})`)
      .join('; ');
    const cells = [
      csvCell(r.rank),
      csvCell(r.region),
      csvCell(r.page),
      csvCell(r.count),
      csvCell(r.share),
      csvCell(r.count5xx),
      csvCell(r.count4xx),
      csvCell(r.countLevel),
      csvCell(r.change?.previousCount ?? null),
      csvCell(r.change?.delta ?? null),
      csvCell(r.change === null ? null : String(r.change.isNew)),
      ...(view.withOwners ? [csvCell(r.owner?.owner ?? null), csvCell(r.owner?.team ?? null)] : []),
      csvCell(signatures),
      csvCell(r.example),
      csvCell(r.firstSeen),
      csvCell(r.lastSeen),
    ];
    lines.push(cells.join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
