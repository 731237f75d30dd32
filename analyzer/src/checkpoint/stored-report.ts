/**
 * The stored report: the one item an iteration leaves behind (`PK = <name>#REPORT`, `SK = n`),
 * its versions, its schema, and the one reader every consumer goes through.
 *
 * ```
 *   DynamoDB item.report (JSON text)
 *        │ JSON.parse
 *        ▼
 *   readStoredReport(unknown) ── formatVersion? ── unknown (newer) ─▶ CorruptItemError
 *        │ v1 │ v2 │ v3 │ v4 schema          (every field checked, all problems named)
 *        ▼    ▼    ▼    ▼
 *   upgrade to the current typed shape (StoredReport, result: TopNResult)
 *        │
 *        ▼
 *   analyzer (previous result), report view, lease worker, query window
 * ```
 *
 * Rule for changing the format: any change to what a writer stores (a field added, removed,
 * renamed, or given a new meaning) adds a version to {@link StoredReportFormats}, moves
 * {@link STORED_REPORT_FORMAT} to it, adds that version's schema below and a fixture item of
 * it to the tests (`analyzer/test/fixtures/report/stored-v<n>.json`), and teaches
 * {@link readStoredReport} to read every older version into the new shape. Older versions are
 * never dropped: a report stored by any released kinlog stays readable.
 */
import { z } from 'zod';
import { KeyHistoryLimits } from '../aggregate/key-history.js';
import { SIGNATURES_PER_KEY, TopNLimits, type TopNResult } from '../aggregate/top-n-result.js';
import { DecodedFormatNames, type DecodeStats } from '../decode/record-decoder.js';
import { CorruptItemError } from '../errors.js';
import { StopReasons } from '../stream/shard-reader.js';
import type { ShardWindow } from '../stream/shard-window.js';

/**
 * Versions of the stored report item, oldest first; every one stays readable.
 * - 1: rows, totals, bound, signature rules version.
 * - 2: signature counts carry `countError`; `keyHistory` (counts or filter of every key seen);
 *   rows stored up to `TopNDefaults.storedRows` whatever `--top` showed.
 * - 3: `formats`: records per format read, and the format detector's version.
 * - 4: `streams`: one cut per stream of a name that analyzes several streams (written only for
 *   those; a single stream's report stays format 3).
 * - 5: `run`: the report of a whole-stream run (`PK = <name>#RUN`), whose `iteration` holds the
 *   run's number; written only for runs (an iteration's report stays format 3 or 4).
 */
export const StoredReportFormats = { v1: 1, v2: 2, v3: 3, v4: 4, v5: 5 } as const;
export type StoredReportFormat = (typeof StoredReportFormats)[keyof typeof StoredReportFormats];
/** The version this kinlog writes for a name over one stream. */
export const STORED_REPORT_FORMAT: StoredReportFormat = StoredReportFormats.v3;
/** The version this kinlog writes for a name over several streams (with `streams`). */
export const MULTI_STREAM_REPORT_FORMAT: StoredReportFormat = StoredReportFormats.v4;
/** The version this kinlog writes for a whole-stream run (with `run`). */
export const RUN_REPORT_FORMAT: StoredReportFormat = StoredReportFormats.v5;

/** What a whole-stream run read: every shard from its start, or from `since`. */
export interface StoredRunInfo {
  /** ISO-8601 start of the run's window; `null` = everything retained. */
  readonly since: string | null;
}

/** One stream's part of an iteration's cut. */
export interface StoredStreamCut {
  readonly stream: string;
  readonly window: readonly ShardWindow[];
}

/**
 * Every stream's cut of a stored report, in the order the streams were given: the one stream
 * of a report before format 4, else its `streams`.
 *
 * @example
 * ```ts
 * for (const cut of streamCutsOf(report)) console.log(cut.stream, cut.window.length);
 * ```
 */
export function streamCutsOf(report: StoredReport): readonly StoredStreamCut[] {
  return report.streams ?? [{ stream: report.stream, window: report.window }];
}

/** Limits of reading a stored report. */
export const StoredReportLimits = {
  /** Problems named in one {@link CorruptItemError} (the rest are counted). */
  MAX_PROBLEMS_SHOWN: 5,
} as const;

/** How an iteration's records were read: which formats they were in, told by which rules. */
export interface StoredFormats {
  /** `FORMAT_DETECTOR_VERSION` of the detector that counted them. */
  readonly detectorVersion: number;
  /** The analyzer's parser: `auto` (the detector) or a named one. */
  readonly parser: string;
  /** Events per format (`DecodedFormat` names, and any a newer analyzer wrote); they add up
   * to the result's `totals.events`. */
  readonly counts: Readonly<Record<string, number>>;
}

/** How a report made from per-shard partials was made. */
export interface LeasedReportInfo {
  /** Worker that stored the iteration's cut. */
  readonly cutBy: string;
  /** Worker that merged the partials. */
  readonly mergedBy: string;
  /** Shards whose partial passed the size bound and became a bounded summary. */
  readonly boundedShards: readonly string[];
}

/**
 * The report item, `PK = <name>#REPORT`, `SK = n`: the top-N result and the window that
 * produced it. Everything about iteration n can be re-derived from this one item. Read back
 * through {@link readStoredReport}, every version has this shape; `formatVersion` still says
 * which version was stored (so a report can say what an older writer did not record).
 */
export interface StoredReport {
  readonly formatVersion: StoredReportFormat;
  readonly name: string;
  readonly stream: string;
  readonly iteration: number;
  readonly window: readonly ShardWindow[];
  /** The aggregator's result. */
  readonly result: TopNResult;
  readonly decode: DecodeStats;
  /** Since format 3 (`StoredReportFormats.v3`); absent in older reports. */
  readonly formats?: StoredFormats;
  readonly startedAt: string;
  readonly finishedAt: string;
  /**
   * Since format 4, for a name over several streams: every stream's cut, the first being
   * `stream` and `window`. The top-N counts the records of all of them.
   */
  readonly streams?: readonly StoredStreamCut[];
  /** Set when workers sharing shard leases made the report from per-shard partials. */
  readonly leased?: LeasedReportInfo;
  /**
   * Since format 5, only in the report of a whole-stream run: then `iteration` is the run's
   * number (runs are numbered on their own, apart from iterations).
   */
  readonly run?: StoredRunInfo;
}

const count = z.number().int().nonnegative();
const isoOrNull = z.string().nullable();

/** Row of a result; `countError` of a signature is required from format 2 on. */
function rowSchema(signatureCountError: z.ZodType<number | undefined>) {
  return z.object({
    region: z.string(),
    page: z.string(),
    count,
    share: z.number().min(0).max(1),
    count5xx: count,
    count4xx: count,
    countLevel: count,
    countError: count,
    signatures: z.array(
      z.object({ signature: z.string(), count, countError: signatureCountError }),
    ),
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
}

const keyHistorySchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('counts'),
    keys: z.array(z.tuple([z.string(), z.string(), count])).max(KeyHistoryLimits.MAX_COUNTED_KEYS),
  }),
  z.object({
    kind: z.literal('filter'),
    bits: z.string(),
    bitCount: z.number().int().positive(),
    hashes: z.number().int().min(1).max(32),
    falsePositiveRate: z.number().min(0).max(1),
  }),
]);

function resultSchema(signatureCountError: z.ZodType<number | undefined>) {
  return z.object({
    rows: z.array(rowSchema(signatureCountError)).max(TopNLimits.MAX_TOP_N),
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
    // Lease workers wrote key histories under format 1 too: read it wherever it is.
    keyHistory: keyHistorySchema.optional(),
  });
}

const windowSchema = z.object({
  shardId: z.string(),
  parentShardIds: z.array(z.string()),
  startAfterSeq: z.string().optional(),
  endSeq: z.string().optional(),
  records: count,
  closed: z.boolean(),
  stopReason: z.enum(StopReasons),
});

const decodeSchema = z.object({
  records: count,
  events: count,
  gzipPayloads: count,
  kplAggregates: count,
  undecodable: count,
  // Analyzers before the misplaced-record check skipped none.
  misplaced: count.default(0),
});

const formatsSchema = z.object({
  detectorVersion: z.number().int(),
  parser: z.string(),
  counts: z.record(z.string(), count),
});

const leasedSchema = z.object({
  cutBy: z.string(),
  mergedBy: z.string(),
  boundedShards: z.array(z.string()),
});

function baseSchema(signatureCountError: z.ZodType<number | undefined>) {
  return z.object({
    name: z.string(),
    stream: z.string(),
    iteration: z.number().int().positive(),
    window: z.array(windowSchema),
    result: resultSchema(signatureCountError),
    decode: decodeSchema,
    startedAt: z.string(),
    finishedAt: z.string(),
    leased: leasedSchema.optional(),
  });
}

/** One schema per stored version. */
const versionSchemas = {
  [StoredReportFormats.v1]: baseSchema(count.optional()).extend({
    formatVersion: z.literal(StoredReportFormats.v1),
  }),
  [StoredReportFormats.v2]: baseSchema(count).extend({
    formatVersion: z.literal(StoredReportFormats.v2),
  }),
  [StoredReportFormats.v3]: baseSchema(count).extend({
    formatVersion: z.literal(StoredReportFormats.v3),
    formats: formatsSchema,
  }),
  [StoredReportFormats.v4]: baseSchema(count).extend({
    formatVersion: z.literal(StoredReportFormats.v4),
    formats: formatsSchema,
    streams: z.array(z.object({ stream: z.string(), window: z.array(windowSchema) })).min(1),
  }),
  [StoredReportFormats.v5]: baseSchema(count).extend({
    formatVersion: z.literal(StoredReportFormats.v5),
    formats: formatsSchema,
    run: z.object({ since: z.string().nullable() }),
  }),
} as const;

/**
 * Reads a stored report item of any version this kinlog knows into the current typed shape,
 * checking every field.
 *
 * @param value the parsed JSON of the item's `report` attribute.
 * @param where names the item in errors; default `<name>#REPORT / <iteration>` when readable.
 * @throws {CorruptItemError} for an unknown (newer) version, naming it, or for fields that do
 *   not match the version's schema, naming each.
 * @example
 * ```ts
 * const report = readStoredReport(JSON.parse(item.report.S));
 * report.result.rows[0]?.count; // typed: TopNResult
 * ```
 */
export function readStoredReport(value: unknown, where?: string): StoredReport {
  const head = z
    .object({
      formatVersion: z.unknown(),
      name: z.string().optional(),
      iteration: z.number().optional(),
    })
    .safeParse(value);
  const at =
    where ??
    (head.success && head.data.name !== undefined && head.data.iteration !== undefined
      ? `${head.data.name}#REPORT / ${head.data.iteration}`
      : 'stored report');
  if (!head.success) throw new CorruptItemError(at, 'a stored report is a JSON object');
  const version = head.data.formatVersion;
  const known: readonly unknown[] = Object.values(StoredReportFormats);
  if (!known.includes(version)) {
    throw new CorruptItemError(
      at,
      `formatVersion ${String(version)} is not one this kinlog reads (${known.join(', ')}); upgrade kinlog`,
    );
  }
  const parsed = versionSchemas[version as StoredReportFormat].safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const problems = issues
      .slice(0, StoredReportLimits.MAX_PROBLEMS_SHOWN)
      .map((issue) => `${issue.path.join('.') || 'report'}: ${issue.message}`);
    if (issues.length > problems.length)
      problems.push(`and ${issues.length - problems.length} more`);
    throw new CorruptItemError(at, problems.join('; '));
  }
  const data = parsed.data;
  const result: TopNResult = {
    ...data.result,
    rows: data.result.rows.map((row) => ({
      ...row,
      signatures: row.signatures.map((sig) => ({
        ...sig,
        countError: sig.countError ?? formerSignatureError(sig.count, row.signatures.length),
      })),
    })),
  };
  const formats =
    'formats' in data
      ? { ...data.formats, counts: withKnownFormats(data.formats.counts) }
      : undefined;
  return {
    formatVersion: data.formatVersion,
    name: data.name,
    stream: data.stream,
    iteration: data.iteration,
    window: data.window,
    result,
    decode: data.decode,
    ...(formats === undefined ? {} : { formats }),
    startedAt: data.startedAt,
    finishedAt: data.finishedAt,
    ...('streams' in data ? { streams: data.streams } : {}),
    ...(data.leased === undefined ? {} : { leased: data.leased }),
    ...('run' in data ? { run: data.run } : {}),
  };
}

/**
 * Format 1 stored no signature bound. A key that filled its 5 slots may have replaced signatures,
 * and a replacement inherits a count: all that is sure is that each was seen at least once.
 */
function formerSignatureError(signatureCount: number, signaturesOfRow: number): number {
  return signaturesOfRow >= SIGNATURES_PER_KEY ? Math.max(0, signatureCount - 1) : 0;
}

/** Every format this kinlog knows, 0 where the writer had none (an older detector). */
function withKnownFormats(counts: Record<string, number>): Record<string, number> {
  return { ...Object.fromEntries(DecodedFormatNames.map((f) => [f, 0])), ...counts };
}
