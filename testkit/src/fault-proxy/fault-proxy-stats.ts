/**
 * Ways the proxy fails a whole request.
 *
 * @example
 * ```ts
 * expect(proxy.stats().requestsFailedByKind[RequestFaultKinds.THROTTLE]).to.equal(1);
 * ```
 */
export const RequestFaultKinds = {
  /** HTTP 500 `InternalFailure`. */
  REQUEST_ERROR: 'requestError',
  /** HTTP 400 throttling error. */
  THROTTLE: 'throttle',
  /** Connection reset before forwarding. */
  RESET: 'reset',
  /** Forwarded, then the answer was lost to a connection reset. */
  LOST_RESPONSE: 'lostResponse',
  /** Failed because of an outage window (503 or reset). */
  OUTAGE: 'outage',
  /** Upstream could not be reached: HTTP 502. */
  UPSTREAM: 'upstream',
} as const;
export type RequestFaultKind = (typeof RequestFaultKinds)[keyof typeof RequestFaultKinds];

/**
 * Counters of a fault proxy. With entry faults only and a client that re-sends exactly the
 * failed entries, `entriesReceived === uniqueRecords + entriesFailed`; whole-request faults
 * add `entriesInFailedRequests`, lost answers `entriesInLostResponses` (those were written, so
 * re-sending them duplicates records upstream).
 *
 * @example
 * ```ts
 * const s = proxy.stats();
 * expect(s.entriesReceived).to.equal(unique + s.entriesFailed + s.entriesInFailedRequests);
 * ```
 */
export interface FaultProxyStats {
  /** Requests received, by `X-Amz-Target` operation. */
  requestsByOperation: Record<string, number>;
  /** PutRecords requests received (also in `requestsByOperation`). */
  putRecordsRequests: number;
  /** Entries in every PutRecords request received, including requests failed whole. */
  entriesReceived: number;
  /** Entries sent on to upstream. */
  entriesForwarded: number;
  /** Entries answered with an `ErrorCode` by the proxy (rate or shard budget). */
  entriesFailed: number;
  /** `entriesFailed` by error code. */
  entriesFailedByCode: Record<string, number>;
  /** Part of `entriesFailed` caused by the per-shard budget. */
  entriesShardThrottled: number;
  /** Entries in PutRecords requests that failed whole (error, throttle, reset, outage). */
  entriesInFailedRequests: number;
  /** Entries written upstream whose answer the proxy then dropped (`lostResponse`). */
  entriesInLostResponses: number;
  /** Entries answered with an `ErrorCode` by upstream itself. */
  entriesFailedUpstream: number;
  /** Requests failed whole, by kind. */
  requestsFailedByKind: Record<RequestFaultKind, number>;
  /** Connections the proxy reset. */
  resets: number;
}

/**
 * Fresh, zeroed counters.
 *
 * @example
 * ```ts
 * let stats = emptyFaultProxyStats();
 * ```
 */
export function emptyFaultProxyStats(): FaultProxyStats {
  return {
    requestsByOperation: {},
    putRecordsRequests: 0,
    entriesReceived: 0,
    entriesForwarded: 0,
    entriesFailed: 0,
    entriesFailedByCode: {},
    entriesShardThrottled: 0,
    entriesInFailedRequests: 0,
    entriesInLostResponses: 0,
    entriesFailedUpstream: 0,
    requestsFailedByKind: {
      requestError: 0,
      throttle: 0,
      reset: 0,
      lostResponse: 0,
      outage: 0,
      upstream: 0,
    },
    resets: 0,
  };
}

/**
 * A deep copy, so callers can keep a snapshot while counting goes on.
 *
 * @example
 * ```ts
 * const snapshot = copyFaultProxyStats(stats);
 * ```
 */
export function copyFaultProxyStats(stats: FaultProxyStats): FaultProxyStats {
  return {
    ...stats,
    requestsByOperation: { ...stats.requestsByOperation },
    entriesFailedByCode: { ...stats.entriesFailedByCode },
    requestsFailedByKind: { ...stats.requestsFailedByKind },
  };
}
