import { z } from 'zod';
import {
  TopNLimits,
  type TopNResult,
  type TopNRow,
  type TopNTotals,
} from '../aggregate/top-n-result.js';
import type { StoredReport } from '../checkpoint/stored-items.js';
import { CorruptItemError } from '../errors.js';

/** Defaults of {@link buildReportView}. */
export const ReportViewDefaults = {
  TOP: 10,
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
  readonly bounded: boolean;
  readonly errorBound: number;
  /** Rows stored for the iteration (the view shows at most `top` of them). */
  readonly storedRows: number;
  readonly rows: readonly ReportRow[];
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
  signatures: z.array(z.object({ signature: z.string(), count })),
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
});

/**
 * Checks a stored report's `result` against the shape {@link TopNAggregator} writes.
 *
 * @throws {CorruptItemError} naming every field that does not match.
 * @example
 * ```ts
 * const result = parseTopNResult(stored.result, 'web#REPORT / 7');
 * ```
 */
export function parseTopNResult(result: unknown, where: string): TopNResult {
  const parsed = resultSchema.safeParse(result);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || 'result'}: ${issue.message}`);
    throw new CorruptItemError(where, problems.join('; '));
  }
  return parsed.data;
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
  const result = parseTopNResult(stored.result, `${stored.name}#REPORT / ${stored.iteration}`);
  const owners = options.owners;
  const rows: ReportRow[] = result.rows.slice(0, top).map((row, i) => ({
    ...row,
    rank: i + 1,
    ...(owners === undefined ? {} : { owner: owners.get(row.page) ?? null }),
  }));
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
    bounded: result.bounded,
    errorBound: result.errorBound,
    storedRows: result.rows.length,
    rows,
    withOwners: owners !== undefined,
    withChange: result.rows.some((r) => r.change !== null),
  };
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
  // isNew with an unknown count: it was below the previous cut-off, so "new" would mislead.
  if (change.isNew && change.previousCount === 0) return 'new';
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
