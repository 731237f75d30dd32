import { displayText } from './display-text.js';
import { dominantKind, reportNumber, type ReportView } from './report-view.js';

/** Bounds of {@link reportSubject}. */
export const SubjectLimits = {
  MAX_CHARS: 200,
  REGION_CHARS: 16,
  PAGE_CHARS: 60,
} as const;

/**
 * The email subject, e.g. `[kinlog] web #42: 318 errors, top: EU /checkout 5xx`. Log text in it
 * passes through {@link displayText}, so it never holds CR, LF or other control characters (no
 * header injection, no folded subject).
 *
 * @example
 * ```ts
 * reportSubject(view); // '[kinlog] web #42: 318 errors, top: EU /checkout 5xx'
 * ```
 */
export function reportSubject(view: ReportView): string {
  const head = `[kinlog] ${displayText(view.name, 64)} ${reportNumber(view)}`;
  const top = view.rows[0];
  const errors = `${view.totals.errors} error${view.totals.errors === 1 ? '' : 's'}`;
  const subject =
    top === undefined
      ? `${head}: no errors`
      : `${head}: ${errors}, top: ${displayText(top.region, SubjectLimits.REGION_CHARS)} ` +
        `${displayText(top.page, SubjectLimits.PAGE_CHARS)} ${dominantKind(top)}`;
  return displayText(subject, SubjectLimits.MAX_CHARS);
}
