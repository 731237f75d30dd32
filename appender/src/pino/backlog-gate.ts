/**
 * When the pino worker stops reading pino's buffer for a while, so that a burst waits there, as
 * the bytes pino wrote, instead of in the sink as held records (which cost more memory each).
 * (With kinesisPinoTransport the bytes come on the worker's port: they wait in the LineWriter's
 * queue, still as bytes.)
 *
 *   put line ─► held bytes ≥ pauseAtBytes? ─no─► read on
 *                      │yes (and Kinesis not stalled)
 *                      ▼
 *               pause: resumes when held bytes < pauseAtBytes / 2 (acknowledgements, drops),
 *                      when the sink closes, or after maxPauseMs at the latest
 *               a pause cut short by maxPauseMs ─► read on for maxPauseMs without pausing
 *               (Kinesis slower than the application: the worker catches up on pino's buffer,
 *                the sink drops its oldest past maxBufferBytes, counted)
 *               a pause that saw no record acknowledged ─► stalled: no more pauses until one is
 *               (an outage: the worker reads on, as above)
 *
 * So pino's buffer never holds more than about maxPauseMs of the application's logging on our
 * account, whatever Kinesis does, and pino's exit (it waits ~10 s for the worker to read each
 * 4 MiB of what it buffered) waits at most one pause per such read.
 */

/** What the gate reads of the sink. */
export interface BacklogSource {
  /** Bytes held now (queued, in flight, awaiting retry). */
  readonly bufferedBytes: number;
  /** True once the sink closed: pausing is over. */
  readonly closed: boolean;
}

/** Timers, injectable so the gate can be tested with a hand-moved clock. */
export interface GateTimers {
  /** Calls `fn` after `ms` unless the returned function is called first. */
  after(ms: number, fn: () => void): () => void;
}

/** Bounds of a {@link BacklogGate}. */
export interface BacklogGateOptions {
  /** Held bytes at which reading pauses. */
  pauseAtBytes: number;
  /** Longest pause. */
  maxPauseMs: number;
}

const unrefTimers: GateTimers = {
  after(ms, fn) {
    const timer = setTimeout(fn, ms).unref();
    return () => clearTimeout(timer);
  },
};

/**
 * Decides when the pino worker pauses reading, and resolves the pause.
 *
 * @example
 * ```ts
 * const gate = new BacklogGate(sink, { pauseAtBytes: 4 << 20, maxPauseMs: 1000 });
 * sink.on('flush', (e) => gate.acknowledged(e.records));
 * sink.on('drop', () => gate.released());
 * if (gate.shouldPause()) await gate.pause();
 * ```
 */
export class BacklogGate {
  private stalled = false;
  private coolingDown = false;
  private acknowledgedInPause = false;
  private waiting: { resolve: () => void; cancel: () => void } | undefined;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly source: BacklogSource,
    private readonly options: BacklogGateOptions,
    private readonly timers: GateTimers = unrefTimers,
  ) {}

  /** Whether reading should pause now. Cheap: called for every line. */
  shouldPause(): boolean {
    return (
      !this.stalled &&
      !this.coolingDown &&
      !this.source.closed &&
      this.source.bufferedBytes >= this.options.pauseAtBytes
    );
  }

  /** Resolves when reading may go on (at once when it may). Never rejects. */
  pause(): Promise<void> {
    if (!this.shouldPause()) return Promise.resolve();
    this.pending ??= new Promise<void>((resolve) => {
      this.acknowledgedInPause = false;
      const cancel = this.timers.after(this.options.maxPauseMs, () => {
        // Nothing acknowledged in a whole pause: Kinesis is away, stop holding pino back.
        if (!this.acknowledgedInPause) this.stalled = true;
        else this.coolDown();
        this.resume();
      });
      this.waiting = { resolve, cancel };
    });
    return this.pending;
  }

  /** Tells the gate that `records` user records were acknowledged (a sink `flush` event). */
  acknowledged(records: number): void {
    if (records <= 0) return;
    this.stalled = false;
    this.acknowledgedInPause = true;
    this.released();
  }

  /** Tells the gate that held bytes went down (records settled or dropped, the sink closed). */
  released(): void {
    if (this.waiting === undefined) return;
    const s = this.source;
    if (s.closed || s.bufferedBytes < this.options.pauseAtBytes / 2) this.resume();
  }

  /** Kinesis takes less than the application logs: read on for a while, so pino's buffer
   * does not grow on our account. */
  private coolDown(): void {
    this.coolingDown = true;
    this.timers.after(this.options.maxPauseMs, () => {
      this.coolingDown = false;
    });
  }

  private resume(): void {
    const w = this.waiting;
    this.waiting = undefined;
    this.pending = undefined;
    if (w === undefined) return;
    w.cancel();
    w.resolve();
  }
}
