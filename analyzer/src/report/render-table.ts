import { displayText } from './display-text.js';
import { displayWidth, fitWidth, padWidth } from './display-width.js';
import {
  countLabel,
  formatShare,
  goneLine,
  ownerLabel,
  reportNotes,
  ReportTextLimits,
  shardLines,
  formatsLabel,
  totalsLine,
  trendLabel,
  trendSpan,
  windowRangeLine,
} from './report-text-parts.js';
import {
  changeLabel,
  reportNumber,
  streamsLabel,
  type ReportRow,
  type ReportView,
} from './report-view.js';

/** Defaults of {@link renderTable}. */
export const TableDefaults = {
  /** Width when the output is not a terminal. */
  WIDTH_COLUMNS: 120,
  /** Narrowest the signature and example columns get, even if the line overflows. */
  MIN_TEXT_COLUMNS: 12,
  COLUMN_GAP: '  ',
} as const;

export interface TableOptions {
  /** Terminal width in columns; lines are fitted to it. Default 120. */
  readonly width?: number;
  /** ANSI colors (only for a TTY). Default false. */
  readonly color?: boolean;
}

const Ansi = {
  bold: '\u001b[1m',
  red: '\u001b[31m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  dim: '\u001b[2m',
  reset: '\u001b[0m',
} as const;

interface Column {
  readonly title: string;
  readonly align: 'left' | 'right';
  readonly cell: (row: ReportRow) => string;
  readonly color?: (row: ReportRow) => string | undefined;
  /** Shares the room left after the fixed columns, in this proportion. */
  readonly flex?: number;
}

/**
 * The report as an aligned terminal table: header lines (window, shards, totals), then one line
 * per row, fitted to `width` columns. Log text is escaped with {@link displayText} first, so
 * nothing from a log can move the cursor or change colors.
 *
 * @example
 * ```ts
 * process.stdout.write(renderTable(view, { width: process.stdout.columns, color: process.stdout.isTTY }));
 * ```
 */
export function renderTable(view: ReportView, options: TableOptions = {}): string {
  const width = options.width ?? TableDefaults.WIDTH_COLUMNS;
  const color = options.color ?? false;
  const paint = (code: string | undefined, text: string): string =>
    color && code !== undefined ? `${code}${text}${Ansi.reset}` : text;

  const lines: string[] = [];
  lines.push(
    paint(
      Ansi.bold,
      fitWidth(
        `kinlog report ${displayText(view.name, 128)} ${reportNumber(view)} · ${streamsLabel(view, (s) => displayText(s, 128))}`,
        width,
      ),
    ),
  );
  lines.push(fitWidth(`window  ${windowRangeLine(view)}`, width));
  for (const shard of shardLines(view)) lines.push(fitWidth(`shard   ${shard}`, width));
  // Records per format belong on the totals line; when that would be cut, on their own below.
  const totals = `totals  ${totalsLine(view)}`;
  if (displayWidth(totals) <= width) lines.push(totals);
  else {
    lines.push(fitWidth(`totals  ${totalsLine(view, false)}`, width));
    lines.push(fitWidth(`formats ${formatsLabel(view.formats, view.storedFormatVersion)}`, width));
  }
  for (const note of reportNotes(view)) lines.push(fitWidth(`note    ${note}`, width));
  lines.push('');
  if (view.rows.length === 0) {
    lines.push('no errors in this iteration');
    lines.push(...goneSection(view, width));
    return lines.join('\n') + '\n';
  }

  const columns = tableColumns(view);
  const cells = view.rows.map((row) => columns.map((c) => c.cell(row)));
  const widths = columns.map((c, i) =>
    Math.max(displayWidth(c.title), ...cells.map((r) => displayWidth(r[i] ?? ''))),
  );
  const gap = TableDefaults.COLUMN_GAP.length;
  const fixed = columns.reduce(
    (sum, c, i) => sum + (c.flex === undefined ? (widths[i] ?? 0) : 0) + gap,
    -gap,
  );
  const flexColumns = columns.filter((c) => c.flex !== undefined).length;
  if (fixed + flexColumns * (TableDefaults.MIN_TEXT_COLUMNS + gap) > width) {
    // Too narrow for one line per row: each row becomes a short block instead of overflowing.
    for (const row of view.rows) lines.push(...stackedRow(view, row, width, paint));
    lines.push(...goneSection(view, width));
    return lines.join('\n') + '\n';
  }
  const flexTotal = columns.reduce((sum, c) => sum + (c.flex ?? 0), 0);
  const room = Math.max(0, width - fixed);
  columns.forEach((c, i) => {
    if (c.flex === undefined) return;
    const share = Math.floor((room * c.flex) / flexTotal);
    widths[i] = Math.min(widths[i] ?? 0, Math.max(TableDefaults.MIN_TEXT_COLUMNS, share - gap));
  });

  const line = (texts: readonly string[], colors: readonly (string | undefined)[]): string =>
    columns
      .map((c, i) => {
        const w = widths[i] ?? 0;
        const text = padWidth(fitWidth(texts[i] ?? '', w), w, c.align);
        return paint(colors[i], text);
      })
      .join(TableDefaults.COLUMN_GAP)
      .trimEnd();

  lines.push(
    line(
      columns.map((c) => c.title),
      columns.map(() => Ansi.bold),
    ),
  );
  view.rows.forEach((row, r) => {
    lines.push(
      line(
        cells[r] ?? [],
        columns.map((c) => c.color?.(row)),
      ),
    );
  });
  lines.push(...goneSection(view, width));
  return lines.join('\n') + '\n';
}

/** Rows of the previous iteration not shown now, after the table; nothing without any. */
function goneSection(view: ReportView, width: number): string[] {
  if (view.gone.length === 0 || view.previousIteration === null) return [];
  return [
    '',
    fitWidth(`gone since #${view.previousIteration} (errors then → now):`, width),
    ...view.gone.map((g) => fitWidth(`  ${goneLine(g)}`, width)),
  ];
}

/**
 * One row as a block, for terminals too narrow for the table:
 *
 *    1  EU  /checkout
 *       120 errors · 12.0% · 5xx 96 · 4xx 16 · change +12
 *       500 upstream timeout after <n>ms
 *       2025-03-01T10:00:00Z ERROR GET /checkout -> 500 …
 */
function stackedRow(
  view: ReportView,
  row: ReportRow,
  width: number,
  paint: (code: string | undefined, text: string) => string,
): string[] {
  const rank = String(row.rank).padStart(String(view.rows.length).length);
  const indent = ' '.repeat(rank.length + TableDefaults.COLUMN_GAP.length);
  const region = displayText(row.region, ReportTextLimits.REGION_CHARS);
  const page = displayText(row.page, ReportTextLimits.PAGE_CHARS);
  const facts = [
    `${countLabel(row.count, row.countError)} errors`,
    formatShare(row.share),
    `5xx ${row.count5xx}`,
    `4xx ${row.count4xx}`,
    ...(view.withChange ? [`change ${changeLabel(row)}`] : []),
    ...(view.trendIterations.length > 0 ? [`before ${trendLabel(row)}`] : []),
    ...(view.withOwners ? [`owner ${ownerLabel(row.owner)}`] : []),
  ];
  const signature = topSignatureCell(row);
  const example = displayText(row.example, ReportTextLimits.EXAMPLE_CHARS);
  return [
    paint(Ansi.bold, fitWidth(`${rank}${TableDefaults.COLUMN_GAP}${region}  ${page}`, width)),
    fitWidth(indent + facts.join(' · '), width),
    fitWidth(indent + signature, width),
    paint(Ansi.dim, fitWidth(indent + example, width)),
  ];
}

function tableColumns(view: ReportView): Column[] {
  const columns: Column[] = [
    { title: '#', align: 'right', cell: (r) => String(r.rank) },
    {
      title: 'region',
      align: 'left',
      cell: (r) => displayText(r.region, ReportTextLimits.REGION_CHARS),
    },
    { title: 'page', align: 'left', cell: (r) => displayText(r.page, ReportTextLimits.PAGE_CHARS) },
    { title: 'errors', align: 'right', cell: (r) => countLabel(r.count, r.countError) },
    { title: 'share', align: 'right', cell: (r) => formatShare(r.share) },
    {
      title: '5xx',
      align: 'right',
      cell: (r) => String(r.count5xx),
      color: (r) => (r.count5xx > 0 ? Ansi.red : undefined),
    },
    { title: '4xx', align: 'right', cell: (r) => String(r.count4xx) },
  ];
  if (view.withChange) {
    columns.push({
      title: 'change',
      align: 'right',
      cell: (r) => changeLabel(r),
      color: (r) => {
        const label = changeLabel(r);
        if (label === 'new') return Ansi.yellow;
        if (label.startsWith('+')) return Ansi.red;
        if (label.startsWith('−')) return Ansi.green;
        return undefined;
      },
    });
  }
  if (view.trendIterations.length > 0)
    columns.push({ title: `before ${trendSpan(view)}`, align: 'right', cell: trendLabel });
  if (view.withOwners)
    columns.push({ title: 'owner', align: 'left', cell: (r) => ownerLabel(r.owner) });
  columns.push(
    {
      title: 'top signature',
      align: 'left',
      flex: 2,
      cell: (r) => topSignatureCell(r),
    },
    {
      title: 'example',
      align: 'left',
      flex: 3,
      cell: (r) => displayText(r.example, ReportTextLimits.EXAMPLE_CHARS),
      color: () => Ansi.dim,
    },
  );
  return columns;
}

/** The top signature with its count first (`117× upstream timeout…`), `''` without one. */
function topSignatureCell(row: ReportRow): string {
  const top = row.signatures[0];
  if (top === undefined) return '';
  const text = displayText(top.signature, ReportTextLimits.SIGNATURE_CHARS);
  return `${countLabel(top.count, top.countError)}× ${text}`;
}
