import { displayText } from './display-text.js';
import {
  countLabel,
  formatShare,
  goneLine,
  ownerLabel,
  reportNotes,
  ReportTextLimits,
  shardLines,
  totalsLine,
  trendLabel,
  windowRangeLine,
} from './report-text-parts.js';
import { changeLabel, reportNumber, streamsLabel, type ReportView } from './report-view.js';

/**
 * The plain-text email body: totals, then each row with its signatures and example on indented
 * lines. Log text is escaped with {@link displayText} (no control characters, bounded lines).
 *
 * @example
 * ```ts
 * await transport.sendMail({ text: renderText(view), html: renderHtml(view) });
 * ```
 */
export function renderText(view: ReportView): string {
  const lines: string[] = [
    `kinlog report ${displayText(view.name, 128)} ${reportNumber(view)} (${streamsLabel(view, (s) => displayText(s, 128))})`,
    windowRangeLine(view),
    totalsLine(view),
  ];
  lines.push(...reportNotes(view));
  lines.push('');
  if (view.rows.length === 0) {
    lines.push('No errors in this iteration.');
  } else {
    lines.push(`Top ${view.rows.length} errors by region and page`, '');
    for (const r of view.rows) {
      const facts = [
        `${countLabel(r.count, r.countError)} errors (${formatShare(r.share)})`,
        `5xx ${r.count5xx}`,
        `4xx ${r.count4xx}`,
      ];
      if (view.withChange) facts.push(`change ${changeLabel(r)}`);
      if (view.trendIterations.length > 0) facts.push(`before ${trendLabel(r)}`);
      if (view.withOwners) facts.push(`owner ${ownerLabel(r.owner)}`);
      lines.push(
        `${String(r.rank).padStart(2)}. ${displayText(r.region, ReportTextLimits.REGION_CHARS)} ` +
          `${displayText(r.page, ReportTextLimits.PAGE_CHARS)}: ${facts.join(', ')}`,
      );
      const signatures = r.signatures
        .slice(0, ReportTextLimits.SIGNATURES_SHOWN)
        .map(
          (s) =>
            `${displayText(s.signature, ReportTextLimits.SIGNATURE_CHARS)} (${countLabel(s.count, s.countError)})`,
        );
      if (signatures.length > 0) lines.push(`    signatures: ${signatures.join('; ')}`);
      if (r.example !== '')
        lines.push(`    example: ${displayText(r.example, ReportTextLimits.EXAMPLE_CHARS)}`);
    }
  }
  if (view.gone.length > 0 && view.previousIteration !== null) {
    lines.push('', `Gone since #${view.previousIteration} (errors then → now)`, '');
    for (const g of view.gone) lines.push(`  ${goneLine(g)}`);
  }
  if (view.trendIterations.length > 0) {
    lines.push(
      '',
      `"before": errors in iterations #${view.trendIterations.join(', #')} (? = below that iteration's cut-off)`,
    );
  }
  lines.push('', 'Window');
  for (const shard of shardLines(view)) lines.push(`  ${shard}`);
  return lines.join('\n') + '\n';
}
