import type { SinkClock, SinkTimer } from './sink-clock.js';

/**
 * One timer that calls back at the earliest time asked for: the sink's next flush deadline,
 * retry backoff or bucket refill. Asking for a later time than the one set changes nothing.
 *
 * @example
 * ```ts
 * const wake = new WakeTimer(systemClock, () => pump());
 * wake.at(Date.now() + 1000, false); // unref'd: the host app may exit meanwhile
 * ```
 */
export class WakeTimer {
  private timer: SinkTimer | undefined;
  private atMs = Infinity;

  constructor(
    private readonly clock: SinkClock,
    private readonly callback: () => void,
  ) {}

  get pending(): boolean {
    return this.timer !== undefined;
  }

  /** Wakes at `atMs` unless already set to wake earlier; `keepAlive` refs the timer. */
  atOrBefore(atMs: number, keepAlive: boolean): void {
    if (this.timer !== undefined && this.atMs <= atMs) return;
    this.at(atMs, keepAlive);
  }

  /** Wakes at `atMs`, replacing any time set before. */
  at(atMs: number, keepAlive: boolean): void {
    this.clear();
    this.atMs = atMs;
    this.timer = this.clock.setTimer(
      () => {
        this.timer = undefined;
        this.atMs = Infinity;
        this.callback();
      },
      Math.max(0, atMs - this.clock.now()),
    );
    if (!keepAlive) this.timer.unref();
  }

  clear(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.atMs = Infinity;
  }
}
