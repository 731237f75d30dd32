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
} as const;

/** What a `kinlogError` event carries (an Error does not survive the thread boundary whole). */
export interface PinoTransportError {
  name: string;
  code: string;
  message: string;
  retryable: boolean;
}
