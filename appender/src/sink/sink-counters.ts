/**
 * Per-shard counters of settled PutRecords answers, with label sets that stay bounded whatever
 * Kinesis answers, so they can become Prometheus labels as they are:
 *
 *   entry ok     ─► bytesSentByShard[answered shard]                += record bytes
 *   entry failed ─► entriesFailedByShard[shard][bounded error code]  += 1
 *                     shard: the one the record was routed to, else the one Kinesis names in
 *                     its message ("Rate exceeded for shard shardId-…"), else "unknown"
 *
 * Shards are those of the stream (at most {@link SinkCounterLimits.MAX_SHARD_LABELS}, then
 * "other"); codes are {@link ENTRY_ERROR_CODES} or "other".
 */
import type { EntryResult } from './put-records-client.js';
import type { SinkStats } from './sink-stats.js';

/** Bounds and fixed labels of the per-shard counters. */
export const SinkCounterLimits = {
  /** Distinct shard labels kept per sink; later shards count under {@link OTHER_LABEL}. */
  MAX_SHARD_LABELS: 1_024,
  /** Label of codes outside {@link ENTRY_ERROR_CODES} and shards past the bound. */
  OTHER_LABEL: 'other',
  /** Label of a failed entry whose shard neither the route nor the answer names. */
  UNKNOWN_SHARD: 'unknown',
} as const;

/** Per-entry error codes counted by name; any other code counts as "other". */
export const ENTRY_ERROR_CODES = [
  'ProvisionedThroughputExceededException',
  'InternalFailure',
  'KMSThrottlingException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequired',
  'AccessDeniedException',
] as const;

const KNOWN_CODES: ReadonlySet<string> = new Set(ENTRY_ERROR_CODES);
const SHARD_IN_MESSAGE = /\b(shardId-\d+)\b/;
const ROUTED_TO_ANY_SHARD = '*';

/** What {@link countShardResults} reads of one sent record. */
export interface SentRecord {
  /** Data plus partition key bytes. */
  bytes: number;
  /** The shard it was routed to, when routing (aggregation, pacing) is on. */
  shardId?: string;
}

/**
 * Adds one PutRecords answer to `stats.bytesSentByShard` and `stats.entriesFailedByShard`
 * (`results[i]` answers `records[i]`).
 *
 * @example
 * ```ts
 * countShardResults(stats, [{ bytes: 120 }], [{ ok: true, shardId: 'shardId-000000000001', sequenceNumber: '1' }]);
 * stats.bytesSentByShard; // { 'shardId-000000000001': 120 }
 * ```
 */
export function countShardResults(
  stats: Pick<SinkStats, 'bytesSentByShard' | 'entriesFailedByShard'>,
  records: readonly SentRecord[],
  results: readonly EntryResult[],
): void {
  for (let i = 0; i < results.length; i++) {
    const record = records[i];
    if (record === undefined) continue;
    countShardResult(stats, record.bytes, record.shardId, results[i]!);
  }
}

/**
 * Adds the answer `res` of one sent record of `bytes` (routed to `shardId`, if routed) to the
 * per-shard counts, as {@link countShardResults} does for each record.
 *
 * @example
 * ```ts
 * countShardResult(stats, 120, undefined, { ok: true, shardId: 'shardId-000000000001', sequenceNumber: '1' });
 * ```
 */
export function countShardResult(
  stats: Pick<SinkStats, 'bytesSentByShard' | 'entriesFailedByShard'>,
  bytes: number,
  shardId: string | undefined,
  res: EntryResult,
): void {
  if (res.ok) countShardSent(stats, bytes, res.shardId);
  else countShardFailure(stats, shardId, res);
}

/**
 * Adds `bytes` sent to `landedOn`, the shard an answer says stored them.
 *
 * @example
 * ```ts
 * countShardSent(stats, 120, 'shardId-000000000001');
 * ```
 */
export function countShardSent(
  stats: Pick<SinkStats, 'bytesSentByShard' | 'entriesFailedByShard'>,
  bytes: number,
  landedOn: string,
): void {
  const sent = stats.bytesSentByShard[landedOn];
  if (sent !== undefined) {
    // The usual case: a shard seen before.
    stats.bytesSentByShard[landedOn] = sent + bytes;
    return;
  }
  const shard = shardLabel(stats, landedOn);
  stats.bytesSentByShard[shard] = (stats.bytesSentByShard[shard] ?? 0) + bytes;
}

/**
 * Adds a failed entry (routed to `shardId`, if routed) by its shard and error code.
 *
 * @example
 * ```ts
 * countShardFailure(stats, undefined, { ok: false, errorCode: 'InternalFailure', errorMessage: '' });
 * ```
 */
export function countShardFailure(
  stats: Pick<SinkStats, 'bytesSentByShard' | 'entriesFailedByShard'>,
  shardId: string | undefined,
  res: EntryResult & { ok: false },
): void {
  const routed = shardId !== undefined && shardId !== ROUTED_TO_ANY_SHARD ? shardId : undefined;
  const named = routed ?? SHARD_IN_MESSAGE.exec(res.errorMessage)?.[1];
  const shard = named === undefined ? SinkCounterLimits.UNKNOWN_SHARD : shardLabel(stats, named);
  const code = errorCodeLabel(res.errorCode);
  const byCode = (stats.entriesFailedByShard[shard] ??= {});
  byCode[code] = (byCode[code] ?? 0) + 1;
}

/**
 * The label an entry error code is counted under: itself when in {@link ENTRY_ERROR_CODES},
 * else "other".
 *
 * @example
 * ```ts
 * errorCodeLabel('InternalFailure'); // 'InternalFailure'
 * errorCodeLabel('SomethingNew'); // 'other'
 * ```
 */
export function errorCodeLabel(code: string): string {
  return KNOWN_CODES.has(code) ? code : SinkCounterLimits.OTHER_LABEL;
}

function shardLabel(
  stats: Pick<SinkStats, 'bytesSentByShard' | 'entriesFailedByShard'>,
  shardId: string,
): string {
  if (shardId in stats.bytesSentByShard || shardId in stats.entriesFailedByShard) return shardId;
  const known = new Set([
    ...Object.keys(stats.bytesSentByShard),
    ...Object.keys(stats.entriesFailedByShard),
  ]);
  known.delete(SinkCounterLimits.OTHER_LABEL);
  known.delete(SinkCounterLimits.UNKNOWN_SHARD);
  return known.size < SinkCounterLimits.MAX_SHARD_LABELS ? shardId : SinkCounterLimits.OTHER_LABEL;
}
