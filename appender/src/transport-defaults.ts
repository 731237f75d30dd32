import { WhenFull } from './sink/sink-options.js';

const MiB = 1024 * 1024;

/**
 * Defaults the logger transports apply where the sink's defaults suit the daemon instead. A
 * transport lives inside someone else's application: when Kinesis cannot keep up (an outage,
 * throttling) it must neither slow the application down nor make its exit wait on an
 * unbounded backlog, so a full buffer drops its oldest records, counted, instead of blocking.
 * Buffer bounds count the bytes of the records (data plus partition key); a held record costs
 * somewhat more memory than its bytes.
 *
 * @example
 * ```ts
 * new KinesisSink({ streamName: 'logs', whenFull: options.whenFull ?? TransportDefaults.WHEN_FULL });
 * ```
 */
export const TransportDefaults = {
  WHEN_FULL: WhenFull.DROP_OLDEST,
  /**
   * winston: bytes held before the oldest records are dropped. winston calls the transport in
   * the application's own call, and slowing it down would hold whole `info` objects in
   * winston's streams (several times the bytes of their records): the transport holds the
   * records instead, up to this bound.
   */
  WINSTON_MAX_BUFFER_BYTES: 64 * MiB,
  /**
   * pino: bytes the worker holds before its oldest records are dropped (reached only when
   * Kinesis stalls: while it acknowledges, the worker pauses long before, see below).
   */
  PINO_MAX_BUFFER_BYTES: 16 * MiB,
  /**
   * pino: held bytes at which the worker stops reading pino's buffer (even inside a chunk
   * pino handed over) until half of them are acknowledged, so a burst waits in pino's buffer
   * in the application thread, as the bytes pino wrote, instead of as held records in the
   * worker. 2 MiB is about twice what `PINO_MAX_IN_FLIGHT` full requests of ~250-byte lines
   * carry (8 × 500 × 262 bytes): the requests stay fed, and fewer records outlive the worker's
   * young generation (each one that does is copied, promoted, and marked in the old one).
   */
  PINO_PAUSE_AT_BYTES: 2 * MiB,
  /**
   * pino: longest such pause; a pause in which Kinesis acknowledged nothing ends the pausing
   * until it acknowledges again (an outage must not hold pino's buffer back).
   */
  PINO_MAX_PAUSE_MS: 1_000,
  /**
   * pino: PutRecords requests in flight. The worker does nothing but deliver, and while its
   * requests wait on Kinesis's round trip it is idle: more of them keep it busy.
   */
  PINO_MAX_IN_FLIGHT: 8,
  /**
   * pino: the worker's young generation, in MiB (`kinesisPinoTransport` sets it through
   * pino's `worker.resourceLimits`). The worker makes short-lived garbage fast (a string of each
   * 4 MiB pino hands over, a line and a record per event) but keeps little alive: V8's default
   * young generation (3 × 16 MiB semi-spaces) only adds that much to the host's memory. A
   * smaller one bounds nothing the worker needs (the old generation keeps its default limit).
   */
  PINO_WORKER_YOUNG_GENERATION_MB: 8,
} as const;
