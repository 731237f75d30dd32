import { displayText } from './display-text.js';
import type { ReportRow, ReportView } from './report-view.js';

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
 * Totals on one line: events, errors by kind, unparsed records, distinct keys.
 *
 * @example
 * ```ts
 * totalsLine(view); // '5000 events, 318 errors (5xx 200, 4xx 100, by level 18), 3 unparsed, 12 keys'
 * ```
 */
export function totalsLine(view: ReportView): string {
  const t = view.totals;
  return (
    `${t.events} events, ${t.errors} errors (5xx ${t.errors5xx}, 4xx ${t.errors4xx}, ` +
    `by level ${t.errorsLevel}), ${t.unparsed} unparsed, ${t.distinctKeys} keys`
  );
}

/**
 * One line per shard: records read, sequence range and why reading stopped.
 *
 * @example
 * ```ts
 * shardLines(view); // ['shardId-000000000000: 1200 records (…, 4960…] caughtUp']
 * ```
 */
export function shardLines(view: ReportView): string[] {
  return view.shards.map(
    (s) =>
      `${displayText(s.shardId, 64)}: ${s.records} records ` +
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
