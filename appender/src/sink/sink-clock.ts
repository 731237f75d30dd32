import { sleep } from '@kinlog/core';

/** A timer handle of a {@link SinkClock}. */
export interface SinkTimer {
  /** Lets the process exit while the timer is pending. */
  unref(): void;
}

/**
 * Time as the sink sees it: the system clock in production, a hand-moved one in unit tests, so
 * that batching, backoff and flush deadlines are tested without waiting.
 *
 * @example
 * ```ts
 * const timer = systemClock.setTimer(() => pump(), 1000);
 * timer.unref();
 * ```
 */
export interface SinkClock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimer(callback: () => void, delayMs: number): SinkTimer;
  clearTimer(timer: SinkTimer): void;
  /** Waits `ms` (between attempts of a request); an abort of `signal` rejects at once. */
  sleep(ms: number, signal?: AbortSignal, options?: { unref?: boolean }): Promise<void>;
}

/** The real clock and timers. */
export const systemClock: SinkClock = {
  now: Date.now,
  setTimer: (callback, delayMs) => setTimeout(callback, Math.max(0, delayMs)),
  clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout),
  sleep,
};
