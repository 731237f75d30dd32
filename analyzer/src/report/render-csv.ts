import { displayText } from './display-text.js';
import { countLabel, trendLabel } from './report-text-parts.js';
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
 * `status` is `top` for the report's rows; rows of the previous iteration that are gone follow
 * with `resolved`, `below-cut-off` or `unknown` (their `errors` is this iteration's count).
 * `errors_over_by_max` is the most `errors` can exceed the truth by (0 = exact); an estimated
 * signature count shows as the range `a–b` it lies in.
 * After the rows, an empty line and a second table, `format,records,detector_version`: records
 * per format read (they add up to the events; one `not recorded` line for older reports).
 *
 * @example
 * ```ts
 * await writeFile('top.csv', renderCsv(view));
 * ```
 */
export function renderCsv(view: ReportView): string {
  const header = [
    'status',
    'rank',
    'region',
    'page',
    'errors',
    'errors_over_by_max',
    'share',
    'errors_5xx',
    'errors_4xx',
    'errors_level',
    'previous_errors',
    'delta',
    'is_new',
    'trend',
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
      .map((s) => `${s.signature} (${countLabel(s.count, s.countError)})`)
      .join('; ');
    const cells = [
      csvCell('top'),
      csvCell(r.rank),
      csvCell(r.region),
      csvCell(r.page),
      csvCell(r.count),
      csvCell(r.countError),
      csvCell(r.share),
      csvCell(r.count5xx),
      csvCell(r.count4xx),
      csvCell(r.countLevel),
      csvCell(r.change?.previousCount ?? null),
      csvCell(r.change?.delta ?? null),
      csvCell(r.change === null ? null : String(r.change.isNew)),
      csvCell(trendLabel(r)),
      ...(view.withOwners ? [csvCell(r.owner?.owner ?? null), csvCell(r.owner?.team ?? null)] : []),
      csvCell(signatures),
      csvCell(r.example),
      csvCell(r.firstSeen),
      csvCell(r.lastSeen),
    ];
    lines.push(cells.join(','));
  }
  for (const g of view.gone) {
    const cells = header.map(() => '');
    const set = (column: string, value: string | number | null): void => {
      cells[header.indexOf(column)] = csvCell(value);
    };
    set('status', g.state);
    set('region', g.region);
    set('page', g.page);
    set('errors', g.count);
    set('previous_errors', g.previousCount);
    set('delta', g.count === null ? null : g.count - g.previousCount);
    set('is_new', 'false');
    lines.push(cells.join(','));
  }
  lines.push('', 'format,records,detector_version');
  if (view.formats === null) {
    lines.push(`not recorded,${view.totals.events},`);
  } else {
    const version = view.formats.detectorVersion;
    for (const c of view.formats.counts) {
      lines.push([csvCell(c.format), csvCell(c.records), csvCell(version)].join(','));
    }
  }
  return lines.join('\r\n') + '\r\n';
}
