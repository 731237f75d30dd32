import { reportNotes } from './report-text-parts.js';
import { severalStreams, type ReportView } from './report-view.js';

/**
 * Version of the JSON layout {@link renderJson} writes; bumped on any incompatible change.
 * 2: `estimated` and `countError` on rows and signatures, `trend`, `gone`, `requestedTop`,
 * `notes`, `distinctKeysEstimated`.
 */
export const REPORT_JSON_VERSION = 2;

/**
 * The report as JSON with a fixed key order and two-space indentation, so the same report always
 * gives the same bytes (diffable, golden-testable). Strings are the stored ones, unescaped
 * beyond JSON's own rules: JSON consumers get the data as logged.
 *
 * @example
 * ```ts
 * await writeFile('report.json', renderJson(view));
 * ```
 */
export function renderJson(view: ReportView): string {
  const several = severalStreams(view);
  const report = {
    version: REPORT_JSON_VERSION,
    name: view.name,
    stream: view.stream,
    iteration: view.iteration,
    ...(view.run === undefined ? {} : { run: view.run }),
    startedAt: view.startedAt,
    finishedAt: view.finishedAt,
    firstSeen: view.firstSeen,
    lastSeen: view.lastSeen,
    // Each shard names its stream when the name analyzes several (else `stream` above).
    window: view.shards.map((s) => ({
      ...(several ? { stream: s.stream } : {}),
      shardId: s.shardId,
      records: s.records,
      startAfterSeq: s.startAfterSeq,
      endSeq: s.endSeq,
      stopReason: s.stopReason,
    })),
    totals: {
      events: view.totals.events,
      errors: view.totals.errors,
      errors5xx: view.totals.errors5xx,
      errors4xx: view.totals.errors4xx,
      errorsLevel: view.totals.errorsLevel,
      unparsed: view.totals.unparsed,
      distinctKeys: view.totals.distinctKeys,
      distinctKeysEstimated: view.bounded,
    },
    // Records per format (they add up to totals.events); null: not recorded (stored format 1).
    formats:
      view.formats === null
        ? null
        : {
            detectorVersion: view.formats.detectorVersion,
            parser: view.formats.parser,
            counts: Object.fromEntries(view.formats.counts.map((c) => [c.format, c.records])),
          },
    bounded: view.bounded,
    errorBound: view.errorBound,
    storedRows: view.storedRows,
    requestedTop: view.requestedTop,
    notes: reportNotes(view),
    previousIteration: view.previousIteration,
    trendIterations: view.trendIterations,
    rows: view.rows.map((r) => ({
      rank: r.rank,
      region: r.region,
      page: r.page,
      count: r.count,
      share: r.share,
      count5xx: r.count5xx,
      count4xx: r.count4xx,
      countLevel: r.countLevel,
      countError: r.countError,
      estimated: r.countError > 0,
      trend: r.trend,
      change:
        r.change === null
          ? null
          : { previousCount: r.change.previousCount, delta: r.change.delta, isNew: r.change.isNew },
      ...(view.withOwners ? { owner: r.owner?.owner ?? null, team: r.owner?.team ?? null } : {}),
      signatures: r.signatures.map((s) => ({
        signature: s.signature,
        count: s.count,
        countError: s.countError,
        estimated: s.countError > 0,
      })),
      example: r.example,
      firstSeen: r.firstSeen,
      lastSeen: r.lastSeen,
    })),
    gone: view.gone.map((g) => ({
      region: g.region,
      page: g.page,
      previousCount: g.previousCount,
      count: g.count,
      state: g.state,
    })),
  };
  return JSON.stringify(report, null, 2) + '\n';
}
