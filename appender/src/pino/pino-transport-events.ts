import type { SinkStats } from '../sink/sink-stats.js';

/**
 * Events the pino transport's worker posts to the transport stream in the main thread.
 *
 * @example
 * ```ts
 * transport.on(PinoTransportEvents.ERROR, (err: PinoTransportError) => console.error(err.message));
 * ```
 */
export const PinoTransportEvents = {
  /** `(error: { name, code, message, retryable })`: a Kinesis problem, once per distinct failure. */
  ERROR: 'kinlogError',
  /** `(stats: SinkStats)`: the sink's final counters, when the worker closes. */
  STATS: 'kinlogStats',
  /**
   * `(update: PinoStatsUpdate)`: the sink's counters so far, posted every
   * `STATS_UPDATE_INTERVAL_MS` while the worker runs and after each flush.
   */
  STATS_UPDATE: 'kinlogStatsUpdate',
} as const;

/** How often the pino worker posts its counters to the main thread. */
export const STATS_UPDATE_INTERVAL_MS = 1_000;

/** What a `kinlogStatsUpdate` event carries. */
export interface PinoStatsUpdate {
  streamName: string;
  stats: SinkStats;
}

/** What a `kinlogError` event carries (an Error does not survive the thread boundary whole). */
export interface PinoTransportError {
  name: string;
  code: string;
  message: string;
  retryable: boolean;
}
