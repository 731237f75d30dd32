/**
 * Winston transport over one {@link KinesisSink}.
 *
 *   logger ──pipe──► KinesisTransport.log(info, cb) ──► winstonEvent(info) ──► sink.put()
 *                          │  put() false (whenFull: block): cb after sink.ready()
 *   logger.end() ──► _final ──► sink.close() (delivers within shutdownTimeoutMs) ──► 'finish'
 *
 *   sink 'error' ──► transport 'warn' (winston re-emits 'warn' on the logger; an 'error' would
 *                    throw in a host app that has no 'error' listener on its logger)
 */
import TransportStream from 'winston-transport';
import type { AppenderError } from '../errors.js';
import { KinesisSink } from '../sink/kinesis-sink.js';
import type { KinesisSinkOptions } from '../sink/sink-options.js';
import type { SinkStats } from '../sink/sink-stats.js';
import { TransportDefaults } from '../transport-defaults.js';
import { winstonEvent } from './winston-event.js';

/** Options of {@link KinesisTransport}: the sink's options plus winston's transport options. */
export interface KinesisTransportOptions
  extends
    KinesisSinkOptions,
    Omit<TransportStream.TransportStreamOptions, 'log' | 'logv' | 'close'> {}

const TRANSPORT_OPTION_KEYS = [
  'format',
  'level',
  'silent',
  'handleExceptions',
  'handleRejections',
] as const;

const noop = (): void => {};

/**
 * A `winston-transport` that puts every log event into a Kinesis stream, one JSON record per
 * event (`{ time, level, msg, ...fields }`). It never throws into the application and never
 * emits `error`: Kinesis problems come as `warn` events (once per distinct failure) and as
 * counted drops in `transport.sink.stats()`.
 *
 * @example
 * ```ts
 * import winston from 'winston';
 * import { KinesisTransport, closeLogger } from '@kinlog/appender';
 *
 * const logger = winston.createLogger({
 *   transports: [new KinesisTransport({ streamName: 'app-logs', region: 'eu-west-1' })],
 * });
 * logger.error('payment failed', { page: '/checkout', status: 502 });
 * await closeLogger(logger); // everything logged so far is in Kinesis (or counted as dropped)
 * ```
 */
export class KinesisTransport extends TransportStream {
  /** The engine: counters (`sink.stats()`), `drop`/`flush` events, `sink.target`. */
  readonly sink: KinesisSink;
  /** The last Kinesis problem reported, if any. */
  lastError: AppenderError | undefined;

  constructor(options: KinesisTransportOptions) {
    const sinkOptions: Record<string, unknown> = {
      ...options,
      whenFull: options?.whenFull ?? TransportDefaults.WHEN_FULL,
      maxBufferBytes: options?.maxBufferBytes ?? TransportDefaults.WINSTON_MAX_BUFFER_BYTES,
      // A request in flight must not keep the app from ending: the sink drains on 'beforeExit'.
      keepProcessAlive: options?.keepProcessAlive ?? false,
    };
    const transportOptions: Record<string, unknown> = {};
    for (const key of TRANSPORT_OPTION_KEYS) {
      if (key in sinkOptions) transportOptions[key] = sinkOptions[key];
      delete sinkOptions[key];
    }
    // Validate before the stream exists: a bad option fails at construction, not at first log.
    const sink = new KinesisSink(sinkOptions as unknown as KinesisSinkOptions);
    super(transportOptions);
    this.sink = sink;
    this.sink.on('error', (err) => {
      this.lastError = err;
      if (this.listenerCount('warn') > 0) this.emit('warn', err);
    });
  }

  /**
   * @internal Called by winston for each event that passed the level and format; `callback`
   * (winston always passes one) is optional for direct callers, as winston's transport contract has it.
   */
  override log(info: Record<string, unknown>, callback: () => void = noop): void {
    let accepted: boolean;
    try {
      accepted = this.sink.put(winstonEvent(info));
    } catch {
      // put() never throws; reading a hostile info object (getters) might. Keep what reads.
      accepted = this.sink.put(unreadableEvent(info));
    }
    if (this.listenerCount('logged') > 0) this.emit('logged', info);
    if (accepted || this.sink.closed) callback();
    else this.sink.ready().then(callback, callback);
  }

  /** @internal Called when the logger ends: delivers what is buffered before `finish`. */
  override _final(callback: (error?: Error | null) => void): void {
    this.sink.close().then(
      () => callback(),
      () => callback(),
    );
  }

  /**
   * Delivers everything logged so far; resolves when each event is acknowledged or dropped.
   * Never rejects.
   *
   * @example
   * ```ts
   * await transport.flush();
   * ```
   */
  async flush(): Promise<void> {
    // Events still queued in the stream (waiting for backpressure) reach the sink first.
    const deadline = Date.now() + this.sink.options.shutdownTimeoutMs;
    while (
      this.writableLength > 0 &&
      !this.sink.closed &&
      !this.destroyed &&
      Date.now() < deadline
    ) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      await this.sink.ready();
    }
    await this.sink.flush();
  }

  /**
   * Stops intake and delivers what is buffered within `shutdownTimeoutMs`. Winston calls it when
   * the transport is removed or the logger is closed. Idempotent; never rejects.
   *
   * @example
   * ```ts
   * logger.remove(transport);
   * await transport.close();
   * ```
   */
  // winston calls close() and ignores the result (the promise never rejects); callers may await it.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  override close(): Promise<void> {
    return this.sink.close();
  }

  /** A copy of the sink's counters. */
  stats(): SinkStats {
    return this.sink.stats();
  }
}

/** What can still be read of an info object whose fields throw: level, message, time. */
function unreadableEvent(info: Record<string, unknown>): Record<string, unknown> {
  const event: Record<string, unknown> = { time: new Date().toISOString() };
  const tryRead = (key: string | symbol): unknown => {
    try {
      const value: unknown = (info as Record<string | symbol, unknown>)[key];
      return typeof value === 'string' || typeof value === 'number' ? value : undefined;
    } catch {
      return undefined;
    }
  };
  const level = tryRead(Symbol.for('level')) ?? tryRead('level');
  if (level !== undefined) event.level = level;
  event.msg = tryRead('message') ?? '[unreadable log event]';
  return event;
}
