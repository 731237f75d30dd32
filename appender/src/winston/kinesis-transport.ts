/**
 * Winston transport over one {@link KinesisSink}.
 *
 *   logger ──pipe──► KinesisTransport.log(info, cb) ──► the record line, into the EventRun:
 *        plain fields: written in place (writePlainInfo); others: winstonRecord(info), copied
 *        ──► EventRun (lines of this tick, one buffer) ──full, or at the end of the tick──►
 *            sink.putLines() (one copy into a block, one held entry per run)
 *                          │  false (whenFull: block): the next cb after sink.ready()
 *   logger.end() ──► _final ──► lines gathered go in ──► sink.close() (delivers within
 *                                                         shutdownTimeoutMs) ──► 'finish'
 *
 *   A caller's partition key or encoder needs the event itself: then each event goes in alone,
 *   sink.put(winstonEvent(info)).
 *
 *   write(info) while the stream is idle ──► winston-transport's _write (level, format) ──► log()
 *        at once, without the Writable's per-write bookkeeping (a deferred afterWrite per event,
 *        which a burst of logging keeps alive until it ends); any other state: Writable.write.
 *
 *   sink 'error' ──► transport 'warn' (winston re-emits 'warn' on the logger; an 'error' would
 *                    throw in a host app that has no 'error' listener on its logger)
 */
import TransportStream from 'winston-transport';
import type { AppenderError } from '../errors.js';
import { encodeEvent } from '../sink/encode-event.js';
import { forgetAtExit, watchAtExit, type ExitAware } from '../sink/exit-hooks.js';
import { KinesisSink, type SinkParts } from '../sink/kinesis-sink.js';
import type { KinesisSinkOptions } from '../sink/sink-options.js';
import type { SinkStats } from '../sink/sink-stats.js';
import { TransportDefaults } from '../transport-defaults.js';
import { AddInfo, EventRun, type AddInfoOutcome } from './event-run.js';
import { winstonEvent } from './winston-event.js';
import { winstonRecord } from './winston-record.js';

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
 * What {@link KinesisTransport.write} reads of the Writable's state (readable-stream's
 * `_writableState`, as Node's own has it): missing or otherwise, the Writable's path is taken.
 */
interface IdleWriteState {
  length: unknown;
  writing: unknown;
  ended: unknown;
  destroyed: unknown;
  corked: unknown;
}

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
  /**
   * Lines of events logged in this tick, not yet in the sink; undefined when each event goes
   * in alone (a partition key or encoder of the caller's).
   */
  private readonly run: EventRun | undefined;
  private runScheduled = false;
  /** Set while the sink asked to slow down: the next callbacks wait for it. */
  private waiting: Promise<void> | undefined;
  /** Tells the exit hooks about lines gathered but not yet in the sink. */
  private readonly exitWatch: ExitAware;

  /**
   * @param parts - @internal what the sink may be given instead of the real world (unit tests)
   */
  constructor(options: KinesisTransportOptions, parts: SinkParts = {}) {
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
    const sink = new KinesisSink(sinkOptions as unknown as KinesisSinkOptions, parts);
    super(transportOptions);
    this.sink = sink;
    this.sink.on('error', (err) => {
      this.lastError = err;
      if (this.listenerCount('warn') > 0) this.emit('warn', err);
    });
    const o = sink.options;
    this.run = o.partitionKey === 'random' && o.encode === undefined ? new EventRun() : undefined;
    this.exitWatch = {
      drainBeforeExit: () => this.putRun(),
      heldRecords: () => this.run?.size ?? 0,
    };
    watchAtExit(this.exitWatch);
  }

  /**
   * @internal winston's logger pipes each event here. While nothing is queued, pending or
   * ended, and the sink has not asked to slow down, the event goes to `_write` (winston-
   * transport's level and format filter, then {@link log}) at once and the write reports
   * `true`, as the Writable would after the same synchronous `_write`, minus its bookkeeping.
   * Anything else (a callback, an encoding, a queue, cork, end, destroy) takes the Writable's
   * own path.
   */
  override write(
    chunk: unknown,
    encodingOrCallback?: BufferEncoding | ((error: Error | null | undefined) => void),
    callback?: (error: Error | null | undefined) => void,
  ): boolean {
    const state = (this as unknown as { _writableState?: IdleWriteState })._writableState;
    if (
      encodingOrCallback === undefined &&
      callback === undefined &&
      this.waiting === undefined &&
      state !== undefined &&
      state.length === 0 &&
      state.writing === false &&
      state.ended === false &&
      state.destroyed === false &&
      !state.corked
    ) {
      this._write(chunk, 'utf8', noop);
      return true;
    }
    return super.write(chunk, encodingOrCallback as BufferEncoding, callback);
  }

  /**
   * @internal Called by winston for each event that passed the level and format; `callback`
   * (winston always passes one) is optional for direct callers, as winston's transport contract has it.
   */
  override log(info: Record<string, unknown>, callback: () => void = noop): void {
    if (this.run === undefined) this.putAlone(info);
    else this.gather(this.run, info);
    if (this.listenerCount('logged') > 0) this.emit('logged', info);
    if (this.waiting === undefined || this.sink.closed) callback();
    else this.waiting.then(callback, callback);
  }

  /** Adds the event's line to the run; the run goes to the sink when full or at tick end. */
  private gather(run: EventRun, info: Record<string, unknown>): void {
    if (!this.gatherPlain(run, info) && !this.gatherLine(run, info)) return;
    if (run.full) this.putRun();
    else if (!this.runScheduled) {
      this.runScheduled = true;
      queueMicrotask(this.putRunLater);
    }
  }

  /**
   * The usual event (plain fields) written into the run in place; false when it is not plain,
   * bigger than a whole run, or reading it throws (then {@link gatherLine} says it).
   */
  private gatherPlain(run: EventRun, info: Record<string, unknown>): boolean {
    let outcome = addInfoTo(run, info);
    if (outcome === AddInfo.NO_ROOM && run.size > 0) {
      this.putRun();
      outcome = addInfoTo(run, info);
    }
    return outcome === AddInfo.ADDED;
  }

  /**
   * Any event, encoded the careful way as a line, added to the run; false when the line went
   * to the sink on its own instead (bigger than a whole run).
   */
  private gatherLine(run: EventRun, info: Record<string, unknown>): boolean {
    let line: string;
    try {
      line = winstonRecord(info);
    } catch {
      // Reading a hostile info object (getters) may throw. Keep what reads.
      line = encodeEvent(unreadableEvent(info));
    }
    if (!run.add(line)) {
      this.putRun();
      // A line bigger than the run's whole buffer (truncated or dropped by the sink's limit).
      if (!run.add(line)) {
        if (!this.sink.putEncoded(line)) this.slowDown();
        return false;
      }
    }
    return true;
  }

  private readonly putRunLater = (): void => {
    this.runScheduled = false;
    this.putRun();
  };

  /** Hands the gathered lines to the sink (it copies what it keeps). */
  private putRun(): void {
    const run = this.run;
    if (run === undefined || run.size === 0) return;
    const accepted = this.sink.putLines(run.lines());
    run.clear();
    if (!accepted) this.slowDown();
  }

  private putAlone(info: Record<string, unknown>): void {
    let accepted: boolean;
    try {
      accepted = this.sink.put(winstonEvent(info));
    } catch {
      // put() never throws; reading a hostile info object (getters) might. Keep what reads.
      accepted = this.sink.put(unreadableEvent(info));
    }
    if (!accepted) this.slowDown();
  }

  /** The sink is full (or dropped something): later callbacks wait until it has room. */
  private slowDown(): void {
    if (this.waiting !== undefined || this.sink.closed) return;
    const resume = (): void => {
      this.waiting = undefined;
    };
    this.waiting = this.sink.ready().then(resume, resume);
  }

  /** @internal Called when the logger ends: delivers what is buffered before `finish`. */
  override _final(callback: (error?: Error | null) => void): void {
    this.close().then(
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
      this.putRun();
      await this.sink.ready();
    }
    this.putRun();
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
    this.putRun();
    forgetAtExit(this.exitWatch);
    return this.sink.close();
  }

  /**
   * A copy of the sink's counters, events logged so far included (`sink.stats()` counts the
   * events of the current tick once it ends).
   */
  stats(): SinkStats {
    this.putRun();
    return this.sink.stats();
  }
}

/** `run.addInfo(info)`; an info whose getter throws is not plain (the careful path reads it). */
function addInfoTo(run: EventRun, info: Record<string, unknown>): AddInfoOutcome {
  try {
    return run.addInfo(info);
  } catch {
    return AddInfo.NOT_PLAIN;
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
