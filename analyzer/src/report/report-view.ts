import { z } from 'zod';
import { KeyHistoryLimits } from '../aggregate/key-history.js';
import { previousCountOf } from '../aggregate/previous-count.js';
import {
  SIGNATURES_PER_KEY,
  TopNLimits,
  type TopNResult,
  type TopNRow,
  type TopNTotals,
} from '../aggregate/top-n-result.js';
import {
  STORED_REPORT_FORMAT,
  StoredReportFormats,
  type StoredReport,
  type StoredReportFormat,
} from '../checkpoint/stored-items.js';
import { DecodedFormatNames } from '../decode/record-decoder.js';
import { CorruptItemError } from '../errors.js';

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

const count = z.number().int().nonnegative();
const isoOrNull = z.string().nullable();
const rowSchema = z.object({
  region: z.string(),
  page: z.string(),
  count,
  share: z.number().min(0).max(1),
  count5xx: count,
  count4xx: count,
  countLevel: count,
  countError: count,
  signatures: z.array(z.object({ signature: z.string(), count, countError: count.optional() })),
  example: z.string(),
  firstSeen: isoOrNull,
  lastSeen: isoOrNull,
  change: z
    .object({
      previousCount: count.nullable(),
      delta: z.number().int().nullable(),
      isNew: z.boolean(),
    })
    .nullable(),
});
const resultSchema = z.object({
  rows: z.array(rowSchema).max(TopNLimits.MAX_TOP_N),
  totals: z.object({
    events: count,
    errors: count,
    errors5xx: count,
    errors4xx: count,
    errorsLevel: count,
    unparsed: count,
    distinctKeys: count,
  }),
  bounded: z.boolean(),
  errorBound: z.number().nonnegative(),
  signatureRulesVersion: z.number().int(),
  keyHistory: z
    .discriminatedUnion('kind', [
      z.object({
        kind: z.literal('counts'),
        keys: z
          .array(z.tuple([z.string(), z.string(), count]))
          .max(KeyHistoryLimits.MAX_COUNTED_KEYS),
      }),
      z.object({
        kind: z.literal('filter'),
        bits: z.string(),
        bitCount: z.number().int().positive(),
        hashes: z.number().int().min(1).max(32),
        falsePositiveRate: z.number().min(0).max(1),
      }),
    ])
    .optional(),
});

const formatsSchema = z.object({
  detectorVersion: z.number().int(),
  parser: z.string(),
  counts: z.record(z.string(), count),
});

/**
 * Checks a stored report's `formats` (absent before stored format 2) and orders its counts.
 *
 * @throws {CorruptItemError} when it is present but malformed.
 * @example
 * ```ts
 * parseReportFormats(stored.formats, 'web#REPORT / 7')?.counts; // [{ format: 'json', records: 9 }]
 * ```
 */
export function parseReportFormats(formats: unknown, where: string): ReportFormats | null {
  if (formats === undefined) return null;
  const parsed = formatsSchema.safeParse(formats);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `formats.${issue.path.join('.')}: ${issue.message}`);
    throw new CorruptItemError(where, problems.join('; '));
  }
  const counts = parsed.data.counts;
  // Known formats in their fixed order, then any a newer analyzer wrote.
  const known: readonly string[] = DecodedFormatNames;
  const order = [
    ...known,
    ...Object.keys(counts)
      .filter((f) => !known.includes(f))
      .sort(),
  ];
  return {
    detectorVersion: parsed.data.detectorVersion,
    parser: parsed.data.parser,
    counts: order
      .filter((format) => (counts[format] ?? 0) > 0)
      .map((format) => ({ format, records: counts[format]! })),
  };
}

/**
 * Checks a stored report's `result` against the shape {@link TopNAggregator} writes.
 *
 * @throws {CorruptItemError} naming every field that does not match.
 * @example
 * ```ts
 * const result = parseTopNResult(stored.result, 'web#REPORT / 7');
 * ```
 */
export function parseTopNResult(
  result: unknown,
  where: string,
  formatVersion: StoredReportFormat = STORED_REPORT_FORMAT,
): TopNResult {
  const parsed = resultSchema.safeParse(result);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || 'result'}: ${issue.message}`);
    throw new CorruptItemError(where, problems.join('; '));
  }
  const data = parsed.data;
  return {
    ...data,
    rows: data.rows.map((row) => ({
      ...row,
      signatures: row.signatures.map((sig) => ({
        ...sig,
        countError: sig.countError ?? formerSignatureError(formatVersion, sig.count, row),
      })),
    })),
  };
}

/**
 * Format 1 stored no signature bound. A key that filled its 5 slots may have replaced signatures,
 * and a replacement inherits a count: all that is sure is that each was seen at least once.
 */
function formerSignatureError(
  formatVersion: StoredReportFormat,
  signatureCount: number,
  row: { signatures: readonly unknown[] },
): number {
  if (formatVersion !== StoredReportFormats.v1) return 0;
  return row.signatures.length >= SIGNATURES_PER_KEY ? Math.max(0, signatureCount - 1) : 0;
}

/**
 * The stored report's format version, checked: every version up to this kinlog's is read.
 *
 * @throws {CorruptItemError} for an unknown (newer) version.
 */
export function storedFormatOf(
  stored: Pick<StoredReport, 'formatVersion' | 'name' | 'iteration'>,
): StoredReportFormat {
  const version = stored.formatVersion as unknown;
  const known = Object.values(StoredReportFormats) as unknown[];
  if (!known.includes(version)) {
    throw new CorruptItemError(
      `${stored.name}#REPORT / ${stored.iteration}`,
      `formatVersion ${String(version)} is not one this kinlog reads (${known.join(', ')}); upgrade kinlog`,
    );
  }
  return version as StoredReportFormat;
}

/**
 * Turns a stored report into what the renderers show: the top rows ranked, owners joined, the
 * window summed up per shard.
 *
 * @example
 * ```ts
 * const view = buildReportView(await store.getReport('web', 7), { top: 10 });
 * process.stdout.write(renderTable(view));
 * ```
 */
export function buildReportView(stored: StoredReport, options: ReportViewOptions = {}): ReportView {
  const top = options.top ?? ReportViewDefaults.TOP;
  const result = parseStored(stored);
  // Earlier iterations, oldest first, as far back as they are consecutive.
  const earlier: { iteration: number; result: TopNResult }[] = [];
  for (const h of (options.history ?? []).slice(0, ReportViewDefaults.TREND_ITERATIONS)) {
    if (h.iteration !== stored.iteration - 1 - earlier.length) break;
    earlier.push({ iteration: h.iteration, result: parseStored(h) });
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
    shards: stored.window.map((w) => ({
      shardId: w.shardId,
      records: w.records,
      startAfterSeq: w.startAfterSeq ?? null,
      endSeq: w.endSeq ?? null,
      stopReason: w.stopReason,
    })),
    totals: result.totals,
    formats: parseReportFormats(stored.formats, `${stored.name}#REPORT / ${stored.iteration}`),
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
  };
}

function parseStored(stored: StoredReport): TopNResult {
  return parseTopNResult(
    stored.result,
    `${stored.name}#REPORT / ${stored.iteration}`,
    storedFormatOf(stored),
  );
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
