import { TopNDefaults } from '../aggregate/top-n-aggregator.js';
import { displayText } from './display-text.js';
import {
  GoneStates,
  severalStreams,
  type GoneRow,
  type ReportFormats,
  type ReportRow,
  type ReportView,
} from './report-view.js';

/** Character budgets of log-derived text in the human-readable formats. */
export const ReportTextLimits = {
  REGION_CHARS: 16,
  PAGE_CHARS: 60,
  OWNER_CHARS: 40,
  SIGNATURE_CHARS: 80,
  EXAMPLE_CHARS: 160,
  /** Signatures listed per row in HTML and text bodies. */
  SIGNATURES_SHOWN: 3,
} as const;

/**
 * `0.377` → `'37.7%'`.
 *
 * @example
 * ```ts
 * formatShare(0.377); // '37.7%'
 * ```
 */
export function formatShare(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/**
 * The owner cell: `owner (team)`, `owner`, or `—` without one.
 *
 * @example
 * ```ts
 * ownerLabel({ owner: 'ana', team: 'payments' }); // 'ana (payments)'
 * ```
 */
export function ownerLabel(owner: ReportRow['owner']): string {
  if (owner === undefined || owner === null) return '—';
  const text = owner.team === undefined ? owner.owner : `${owner.owner} (${owner.team})`;
  return displayText(text, ReportTextLimits.OWNER_CHARS);
}

/**
 * The run and event time range of the window on one line.
 *
 * @example
 * ```ts
 * windowRangeLine(view); // 'ran 2025-01-01T00:05:00.000Z → …; errors seen …'
 * ```
 */
export function windowRangeLine(view: ReportView): string {
  const ran = `ran ${view.startedAt} → ${view.finishedAt}`;
  if (view.firstSeen === null || view.lastSeen === null) return ran;
  return `${ran}; errors seen ${view.firstSeen} → ${view.lastSeen}`;
}

/**
 * Totals on one line: events (per format read, unless `withFormats` is false: for a renderer
 * that shows them on a line of their own), errors by kind, unparsed records, distinct keys.
 *
 * @example
 * ```ts
 * totalsLine(view);
 * // '5000 events (json 4900, access 97, raw 3; detector v1), 318 errors (5xx 200, 4xx 100,
 * //  by level 18), 3 unparsed, 12 keys'
 * ```
 */
export function totalsLine(view: ReportView, withFormats = true): string {
  const t = view.totals;
  const formats = withFormats ? ` (${formatsLabel(view.formats, view.storedFormatVersion)})` : '';
  return (
    `${t.events} events${formats}, ${t.errors} errors (5xx ${t.errors5xx}, 4xx ${t.errors4xx}, ` +
    `by level ${t.errorsLevel}), ${t.unparsed} unparsed, ${keysLabel(view)}`
  );
}

/** Relative standard error of the distinct-key estimate (HyperLogLog, 2^14 registers). */
export const DISTINCT_KEYS_STANDARD_ERROR = 0.008;

/**
 * The distinct-key count: exact, or `≈N keys (estimate ±0.8%)` once counting was bounded.
 *
 * @example
 * ```ts
 * keysLabel(view); // '12 keys'
 * ```
 */
export function keysLabel(view: Pick<ReportView, 'bounded' | 'totals'>): string {
  const n = view.totals.distinctKeys;
  return view.bounded
    ? `≈${n} keys (estimate ±${(DISTINCT_KEYS_STANDARD_ERROR * 100).toFixed(1)}%)`
    : `${n} keys`;
}

/**
 * A count as shown: exact (`120`), or the range the true count lies in when it is an estimate
 * (`117–120`: counts only ever overestimate, by at most `countError`).
 *
 * @example
 * ```ts
 * countLabel(5, 4); // '1–5'
 * ```
 */
export function countLabel(count: number, countError: number): string {
  return countError > 0 ? `${Math.max(0, count - countError)}–${count}` : String(count);
}

/**
 * A row's counts in the iterations before, oldest first: `12 0 ? 30` (`?` = below that
 * iteration's cut-off, unknown); `''` without history.
 *
 * @example
 * ```ts
 * trendLabel({ trend: [12, 0, null] }); // '12 0 ?'
 * ```
 */
export function trendLabel(row: Pick<ReportRow, 'trend'>): string {
  return row.trend.map((n) => (n === null ? '?' : String(n))).join(' ');
}

/**
 * The iterations a trend spans: `#34…#41`, `#41`, or `''` without history.
 *
 * @example
 * ```ts
 * trendSpan({ trendIterations: [40, 41] }); // '#40…#41'
 * ```
 */
export function trendSpan(view: Pick<ReportView, 'trendIterations'>): string {
  const list = view.trendIterations;
  if (list.length === 0) return '';
  return list.length === 1 ? `#${list[0]}` : `#${list[0]}…#${list[list.length - 1]}`;
}

/** Whether any count shown in the view is an estimate. */
export function hasEstimates(view: ReportView): boolean {
  return view.rows.some((r) => r.countError > 0 || r.signatures.some((s) => s.countError > 0));
}

/**
 * Notes a reader must see: estimated counts, fewer rows than asked for. One line each.
 *
 * @example
 * ```ts
 * reportNotes(view); // ['counts shown as a–b are estimates: the true count lies in that range']
 * ```
 */
export function reportNotes(view: ReportView): string[] {
  const notes: string[] = [];
  const bound = boundNote(view);
  if (bound !== '') notes.push(bound);
  if (hasEstimates(view)) {
    notes.push(
      'counts shown as a–b are estimates: the true count lies in that range ' +
        "(a signature that took a replaced one's slot, or a key counted after the summary was bounded)",
    );
  }
  if (view.requestedTop > view.storedRows && view.storedRows < view.totals.distinctKeys) {
    notes.push(
      `${view.requestedTop} rows asked for, ${view.storedRows} shown: iteration ${view.iteration} ` +
        `stored only ${view.storedRows} rows (kinlog analyze stores ${TopNDefaults.storedRows}; ` +
        `reports stored before format 2 only its --top)`,
    );
  }
  return notes;
}

/**
 * A gone row on one line: `EU /cart: 12 → 0, resolved`.
 *
 * @example
 * ```ts
 * goneLine({ region: 'EU', page: '/cart', previousCount: 12, count: 0, state: 'resolved' });
 * ```
 */
export function goneLine(row: GoneRow): string {
  const key = `${displayText(row.region, ReportTextLimits.REGION_CHARS)} ${displayText(row.page, ReportTextLimits.PAGE_CHARS)}`;
  return `${key}: ${row.previousCount} → ${goneLabel(row)}`;
}

/**
 * What became of a gone row: `0, resolved`, `4, below the cut-off`, `?, unknown …`.
 *
 * @example
 * ```ts
 * goneLabel({ count: 0, state: 'resolved' }); // '0, resolved'
 * ```
 */
export function goneLabel(row: Pick<GoneRow, 'count' | 'state'>): string {
  if (row.state === GoneStates.resolved) return '0, resolved';
  if (row.state === GoneStates.belowCutOff) return `${row.count ?? '?'}, below the cut-off`;
  return '?, not in the top rows (resolved or below the cut-off)';
}

/**
 * Records per format and the detector that counted them, for a totals line.
 *
 * @example
 * ```ts
 * formatsLabel(view.formats, 3); // 'json 4900, access 97, raw 3; detector v1'
 * formatsLabel(null, 2); // 'formats not recorded: stored format 2'
 * ```
 */
export function formatsLabel(formats: ReportFormats | null, storedFormatVersion?: number): string {
  if (formats === null) {
    return storedFormatVersion === undefined
      ? 'formats not recorded: stored by an older analyzer'
      : `formats not recorded: stored format ${storedFormatVersion}`;
  }
  const counts = formats.counts.map((c) => `${displayText(c.format, 32)} ${c.records}`);
  const parser = formats.parser === 'auto' ? '' : `, parser ${displayText(formats.parser, 32)}`;
  return `${counts.length === 0 ? 'no records' : counts.join(', ')}; detector v${formats.detectorVersion}${parser}`;
}

/**
 * One line per shard: records read, sequence range and why reading stopped; each shard named
 * `stream/shard` when the name analyzes several streams (stream names hold no `/`).
 *
 * @example
 * ```ts
 * shardLines(view); // ['shardId-000000000000: 1200 records (…, 4960…] caughtUp']
 * ```
 */
export function shardLines(view: ReportView): string[] {
  const several = severalStreams(view);
  return view.shards.map(
    (s) =>
      `${several ? `${displayText(s.stream, 128)}/` : ''}${displayText(s.shardId, 64)}: ${s.records} records ` +
      `(${seqLabel(s.startAfterSeq, 'start')}, ${seqLabel(s.endSeq, 'nothing read')}] ${s.stopReason}`,
  );
}

/** Long Kinesis sequence numbers shortened to their distinguishing tail. */
function seqLabel(seq: string | null, absent: string): string {
  if (seq === null) return absent;
  const safe = displayText(seq, 80);
  return safe.length > 12 ? `…${safe.slice(-10)}` : safe;
}

/**
 * A note when counts are approximate (bounded summary), otherwise `''`.
 *
 * @example
 * ```ts
 * boundNote(view); // 'counts may be over by up to 3 (bounded summary)'
 * ```
 */
export function boundNote(view: ReportView): string {
  return view.bounded
    ? `counts may be over by up to ${view.errorBound} (bounded summary of many distinct keys)`
    : '';
}
