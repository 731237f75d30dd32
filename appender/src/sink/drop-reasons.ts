/**
 * Why a record was not delivered. Every drop is counted under one of these and announced by a
 * `drop` event; none is ever thrown into the host application.
 *
 * @example
 * ```ts
 * sink.on('drop', ({ reason, count }) => metrics.add(`kinlog.drop.${reason}`, count));
 * ```
 */
export const DropReasons = {
  /** The buffer was full and `whenFull` is `dropNewest` or `dropOldest`. */
  BUFFER_FULL: 'bufferFull',
  /** Still failing after `maxRetries` attempts. */
  RETRIES_EXHAUSTED: 'retriesExhausted',
  /** Older than `recordTtlMs` before it could be delivered. */
  TTL_EXPIRED: 'ttlExpired',
  /** Over the record size limit and `oversize` is `drop`. */
  OVERSIZE: 'oversize',
  /** Kinesis rejected the request for good (missing stream, access denied, validation). */
  REJECTED: 'rejected',
  /** Put after `close()`. */
  CLOSED: 'closed',
  /** Still undelivered when `shutdownTimeoutMs` ran out. */
  SHUTDOWN_TIMEOUT: 'shutdownTimeout',
} as const;
export type DropReason = (typeof DropReasons)[keyof typeof DropReasons];
