import { previousCountOf } from '../aggregate/previous-count.js';
import type { TopNResult, TopNRow, TopNTotals } from '../aggregate/top-n-result.js';
import {
  streamCutsOf,
  type StoredFormats,
  type StoredReport,
} from '../checkpoint/stored-report.js';
import { DecodedFormatNames } from '../decode/record-decoder.js';

/** Defaults of {@link buildReportView}. */
export const ReportViewDefaults = {
  TOP: 10,
  /** Previous iterations a row's trend covers (and `loadReportView` reads). */
  TREND_ITERATIONS: 8,
} as const;

/** Who answers for a page, from the owners table. */
export interface PageOwner {
  readonly owner: string;
  readonly team?: string;
}

/** One row as every renderer shows it: the stored row plus its rank and owner. */
export interface ReportRow extends TopNRow {
  /** 1-based position. */
  readonly rank: number;
  /** The key's count in each of `ReportView.trendIterations` (oldest first): 0 = certainly
   * none, `null` = unknown (below that iteration's cut-off). Empty without history. */
  readonly trend: readonly (number | null)[];
  /** Present only when an owners table was joined; `null` when the page has no owner there. */
  readonly owner?: PageOwner | null;
}

/** What one shard contributed to the iteration. */
export interface ReportShard {
  /** The stream the shard belongs to (a name may analyze several). */
  readonly stream: string;
  readonly shardId: string;
  readonly records: number;
  readonly startAfterSeq: string | null;
  readonly endSeq: string | null;
  readonly stopReason: string;
}

/** What became of a row of the previous iteration that is not among the rows now. */
export const GoneStates = {
  /** No error for the key in this iteration. */
  resolved: 'resolved',
  /** Still erring, below this report's cut-off (`count` says how much). */
  belowCutOff: 'below-cut-off',
  /** This iteration's key history cannot tell (a filter may hold a false positive). */
  unknown: 'unknown',
} as const;
export type GoneState = (typeof GoneStates)[keyof typeof GoneStates];

/** A row of the previous iteration that is gone from this report. */
export interface GoneRow {
  readonly region: string;
  readonly page: string;
  readonly previousCount: number;
  /** Count in this iteration; 0 when resolved, `null` when unknown. */
  readonly count: number | null;
  readonly state: GoneState;
}

/**
 * Which formats an iteration's records were read in, and by which detector: every renderer
 * shows it with the totals, so records no parser understood are never silently uncounted.
 */
export interface ReportFormats {
  /** `FORMAT_DETECTOR_VERSION` of the detector that counted the records. */
  readonly detectorVersion: number;
  /** The analyzer's parser: `auto` or a named one. */
  readonly parser: string;
  /** Formats that read at least one record, in a fixed order; they add up to `totals.events`. */
  readonly counts: readonly { readonly format: string; readonly records: number }[];
}

/** Everything the renderers need, already cut to the top rows. Plain data. */
export interface ReportView {
  readonly name: string;
  readonly stream: string;
  readonly iteration: number;
  /** When the iteration ran. */
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Earliest and latest error event time among the shown rows, `null` without times. */
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
  /** Every stream's shards, in the order the streams were given. */
  readonly shards: readonly ReportShard[];
  readonly totals: TopNTotals;
  /** `null` for reports stored before formats were recorded (stored format 1). */
  readonly formats: ReportFormats | null;
  /** The stored report's `formatVersion`. */
  readonly storedFormatVersion: number;
  readonly bounded: boolean;
  readonly errorBound: number;
  /** Rows stored for the iteration (the view shows at most `top` of them). */
  readonly storedRows: number;
  /** Rows asked for (`--top`); more than `storedRows` means fewer are shown than asked. */
  readonly requestedTop: number;
  readonly rows: readonly ReportRow[];
  /** Iterations each row's `trend` covers, oldest first (up to 8 before this one). */
  readonly trendIterations: readonly number[];
  /** Rows shown for the previous iteration (same `top`) that are not shown now. */
  readonly gone: readonly GoneRow[];
  /** The iteration `change` and `gone` compare with, `null` without one. */
  readonly previousIteration: number | null;
  /** An owners table was joined: renderers add an owner column. */
  readonly withOwners: boolean;
  /** A previous iteration was compared: renderers add a change column. */
  readonly withChange: boolean;
  /**
   * Present for the report of a whole-stream run: then `iteration` is the run's number and
   * `since` where its window began (`null`: everything retained).
   */
  readonly run?: { readonly since: string | null };
}

/**
 * How a report names what it reports on: `#42` for iteration 42, `run 3` for whole-stream run 3.
 *
 * @example
 * ```ts
 * `kinlog report web ${reportNumber(view)}`; // 'kinlog report web #42'
 * ```
 */
export function reportNumber(view: Pick<ReportView, 'iteration' | 'run'>): string {
  return view.run === undefined ? `#${view.iteration}` : `run ${view.iteration}`;
}

export interface ReportViewOptions {
  /** Rows to show, 1 to {@link TopNLimits.MAX_TOP_N}. Default 10. */
  readonly top?: number;
  /** Page → owner, from {@link OwnersTable}; absent = no owner column. */
  readonly owners?: ReadonlyMap<string, PageOwner>;
  /** Stored reports of earlier iterations of the same name, newest first (n−1, n−2, …): the
   * trend, `change` and `gone` are derived from them. Only the first 8 are used. */
  readonly history?: readonly StoredReport[];
}

/**
 * Orders a stored report's per-format counts for display: known formats in their fixed order,
 * then any a newer analyzer wrote; formats that read nothing are left out.
 *
 * @example
 * ```ts
 * reportFormatsOf(stored.formats)?.counts; // [{ format: 'json', records: 9 }]
 * ```
 */
export function reportFormatsOf(formats: StoredFormats | undefined): ReportFormats | null {
  if (formats === undefined) return null;
  const counts = formats.counts;
  const known: readonly string[] = DecodedFormatNames;
  const order = [
    ...known,
    ...Object.keys(counts)
      .filter((f) => !known.includes(f))
      .sort(),
  ];
  return {
    detectorVersion: formats.detectorVersion,
    parser: formats.parser,
    counts: order
      .filter((format) => (counts[format] ?? 0) > 0)
      .map((format) => ({ format, records: counts[format]! })),
  };
}

/**
 * Turns a stored report into what the renderers show: the top rows ranked, owners joined, the
 * window summed up per shard (of every stream the name analyzes).
 *
 * @example
 * ```ts
 * const view = buildReportView(await store.getReport('web', 7), { top: 10 });
 * process.stdout.write(renderTable(view));
 * ```
 */
export function buildReportView(stored: StoredReport, options: ReportViewOptions = {}): ReportView {
  const top = options.top ?? ReportViewDefaults.TOP;
  const result = stored.result;
  // Earlier iterations, oldest first, as far back as they are consecutive.
  const earlier: { iteration: number; result: TopNResult }[] = [];
  for (const h of (options.history ?? []).slice(0, ReportViewDefaults.TREND_ITERATIONS)) {
    if (h.iteration !== stored.iteration - 1 - earlier.length) break;
    earlier.push({ iteration: h.iteration, result: h.result });
  }
  earlier.reverse();
  const previous = earlier[earlier.length - 1];
  const owners = options.owners;
  const rows: ReportRow[] = result.rows.slice(0, top).map((row, i) => {
    let change = row.change;
    if (previous !== undefined) {
      const previousCount = previousCountOf(previous.result, row.region, row.page);
      change = {
        previousCount,
        delta: previousCount === null ? null : row.count - previousCount,
        isNew: previousCount === 0,
      };
    }
    return {
      ...row,
      change,
      rank: i + 1,
      trend: earlier.map((e) => previousCountOf(e.result, row.region, row.page)),
      ...(owners === undefined ? {} : { owner: owners.get(row.page) ?? null }),
    };
  });
  const gone: GoneRow[] = [];
  if (previous !== undefined) {
    const shown = new Set(rows.map((r) => `${r.region}\u0000${r.page}`));
    for (const row of previous.result.rows.slice(0, top)) {
      if (shown.has(`${row.region}\u0000${row.page}`)) continue;
      const count = previousCountOf(result, row.region, row.page);
      gone.push({
        region: row.region,
        page: row.page,
        previousCount: row.count,
        count,
        state:
          count === null
            ? GoneStates.unknown
            : count === 0
              ? GoneStates.resolved
              : GoneStates.belowCutOff,
      });
    }
  }
  const seen = rows.flatMap((r) => [r.firstSeen, r.lastSeen]).filter((t) => t !== null);
  seen.sort();
  return {
    name: stored.name,
    stream: stored.stream,
    iteration: stored.iteration,
    startedAt: stored.startedAt,
    finishedAt: stored.finishedAt,
    firstSeen: seen[0] ?? null,
    lastSeen: seen[seen.length - 1] ?? null,
    shards: streamCutsOf(stored).flatMap((cut) =>
      cut.window.map((w) => ({
        stream: cut.stream,
        shardId: w.shardId,
        records: w.records,
        startAfterSeq: w.startAfterSeq ?? null,
        endSeq: w.endSeq ?? null,
        stopReason: w.stopReason,
      })),
    ),
    totals: result.totals,
    formats: reportFormatsOf(stored.formats),
    storedFormatVersion: stored.formatVersion,
    bounded: result.bounded,
    errorBound: result.errorBound,
    storedRows: result.rows.length,
    requestedTop: top,
    rows,
    trendIterations: earlier.map((e) => e.iteration),
    gone,
    previousIteration: previous?.iteration ?? null,
    withOwners: owners !== undefined,
    withChange: rows.some((r) => r.change !== null),
    ...(stored.run === undefined ? {} : { run: stored.run }),
  };
}

/**
 * Whether the view's shards come from several streams: then renderers name each shard's stream.
 *
 * @example
 * ```ts
 * severalStreams(view); // false for a name over one stream
 * ```
 */
export function severalStreams(view: Pick<ReportView, 'stream' | 'shards'>): boolean {
  return view.shards.some((s) => s.stream !== view.stream);
}

/**
 * The report's streams as a header names them: `stream web-logs`, or `streams web-logs, clicks`
 * for a name over several streams (in the order the streams were given); `show` makes each
 * name safe for the output (terminal text, HTML).
 *
 * @example
 * ```ts
 * streamsLabel(view, (s) => s); // 'streams web-logs, clicks'
 * ```
 */
export function streamsLabel(
  view: Pick<ReportView, 'stream' | 'shards'>,
  show: (name: string) => string,
): string {
  const names = [view.stream];
  for (const s of view.shards) if (!names.includes(s.stream)) names.push(s.stream);
  return `${names.length === 1 ? 'stream' : 'streams'} ${names.map(show).join(', ')}`;
}

/**
 * How a row's change against the previous iteration reads: `new`, `+12`, `−3`, `=`, `?` (count
 * before unknown), or `''` (no previous iteration).
 *
 * @example
 * ```ts
 * changeLabel({ change: { previousCount: 10, delta: 5, isNew: false } }); // '+5'
 * ```
 */
export function changeLabel(row: Pick<TopNRow, 'change'>): string {
  const change = row.change;
  if (change === null) return '';
  // Only a count known to have been 0 is new; an unknown one may have been below the cut-off.
  if (change.previousCount === 0) return 'new';
  if (change.delta === null) return '?';
  if (change.delta === 0) return '=';
  return change.delta > 0 ? `+${change.delta}` : `−${-change.delta}`;
}

/**
 * The kind of error that dominates a row: `5xx`, `4xx` or `error` (by log level).
 *
 * @example
 * ```ts
 * dominantKind({ count5xx: 30, count4xx: 2, countLevel: 1 }); // '5xx'
 * ```
 */
export function dominantKind(row: Pick<TopNRow, 'count5xx' | 'count4xx' | 'countLevel'>): string {
  if (row.count5xx >= row.count4xx && row.count5xx >= row.countLevel && row.count5xx > 0)
    return '5xx';
  if (row.count4xx >= row.countLevel && row.count4xx > 0) return '4xx';
  return 'error';
}
