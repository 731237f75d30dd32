import type { DropReason } from './drop-reasons.js';

/**
 * Counters of a {@link KinesisSink}, as returned by `sink.stats()` (a copy).
 *
 * @example
 * ```ts
 * const { recordsSent, dropped } = sink.stats();
 * ```
 */
export interface SinkStats {
  /** Records accepted by `put()`. */
  recordsPut: number;
  /** Records Kinesis acknowledged (user records, when aggregating). */
  recordsSent: number;
  /** Kinesis records acknowledged: an aggregate counts once. */
  kinesisRecordsSent: number;
  /**
   * User records put again because their aggregate landed, after a resharding, on a shard that
   * does not own their key.
   */
  userRecordsRerouted: number;
  /** Shard map loads (aggregation and pacing route records per shard). */
  shardMapRefreshes: number;
  /** Data plus partition key bytes acknowledged. */
  bytesSent: number;
  /** `bytesSent` by the shard that acknowledged them (bounded: see `sink-counters.ts`). */
  bytesSentByShard: Record<string, number>;
  /** PutRecords requests made, retries of whole requests included. */
  putRecordsCalls: number;
  /** Entries carried by all PutRecords requests, re-sent ones included. */
  entriesSent: number;
  /** Entries Kinesis answered as failed inside a successful request, by error code. */
  entriesFailedByCode: Record<string, number>;
  /** The same entries by shard, then by error code (bounded labels: see `sink-counters.ts`). */
  entriesFailedByShard: Record<string, Record<string, number>>;
  /** Entries queued again after failing on their own. */
  entriesRetried: number;
  /** Whole requests that failed, by error code. */
  requestsFailedByCode: Record<string, number>;
  /** Whole requests sent again after failing. */
  requestRetries: number;
  /** Records truncated to fit the record limit. */
  truncated: number;
  /** Drops by reason. */
  dropped: Record<DropReason, number>;
  droppedTotal: number;
  /** Records and bytes held now: queued, in flight or waiting to retry. */
  bufferedRecords: number;
  bufferedBytes: number;
  inFlightRequests: number;
  /** Latency of successful PutRecords requests. */
  lastLatencyMs: number;
  maxLatencyMs: number;
}

/** Fresh zeroed counters. */
export function emptySinkStats(): SinkStats {
  return {
    recordsPut: 0,
    recordsSent: 0,
    kinesisRecordsSent: 0,
    userRecordsRerouted: 0,
    shardMapRefreshes: 0,
    bytesSent: 0,
    bytesSentByShard: {},
    putRecordsCalls: 0,
    entriesSent: 0,
    entriesFailedByCode: {},
    entriesFailedByShard: {},
    entriesRetried: 0,
    requestsFailedByCode: {},
    requestRetries: 0,
    truncated: 0,
    dropped: {
      bufferFull: 0,
      retriesExhausted: 0,
      ttlExpired: 0,
      oversize: 0,
      rejected: 0,
      closed: 0,
      shutdownTimeout: 0,
    },
    droppedTotal: 0,
    bufferedRecords: 0,
    bufferedBytes: 0,
    inFlightRequests: 0,
    lastLatencyMs: 0,
    maxLatencyMs: 0,
  };
}
