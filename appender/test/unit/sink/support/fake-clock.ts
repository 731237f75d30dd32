import type { SinkClock, SinkTimer } from '../../../../src/sink/sink-clock.js';

interface FakeTimer extends SinkTimer {
  atMs: number;
  callback: () => void;
  refed: boolean;
}

/** Lets promise callbacks (a fake request's answer, the sink's settling) run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A clock moved by hand: timers fire only inside {@link FakeClock.advance}, in time order, so
 * a test covers seconds of batching and backoff without waiting for them.
 */
export class FakeClock implements SinkClock {
  nowMs = 1_000_000;
  private timers: FakeTimer[] = [];

  now(): number {
    return this.nowMs;
  }

  setTimer(callback: () => void, delayMs: number): SinkTimer {
    const timer: FakeTimer = {
      atMs: this.nowMs + Math.max(0, delayMs),
      callback,
      refed: true,
      unref() {
        this.refed = false;
      },
    };
    this.timers.push(timer);
    return timer;
  }

  clearTimer(timer: SinkTimer): void {
    this.timers = this.timers.filter((t) => t !== timer);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = this.setTimer(resolve, ms);
      signal?.addEventListener(
        'abort',
        () => {
          this.clearTimer(timer);
          reject(new Error('aborted'));
        },
        { once: true },
      );
    });
  }

  /** Timers pending now. */
  get pending(): readonly { atMs: number; refed: boolean }[] {
    return this.timers;
  }

  /** Moves time forward by `ms`, firing each timer due on the way (and what it leads to). */
  async advance(ms: number): Promise<void> {
    const until = this.nowMs + ms;
    await settle();
    for (;;) {
      const next = this.timers.reduce<FakeTimer | undefined>(
        (a, t) => (t.atMs <= until && (a === undefined || t.atMs < a.atMs) ? t : a),
        undefined,
      );
      if (next === undefined) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.nowMs = Math.max(this.nowMs, next.atMs);
      next.callback();
      await settle();
    }
    this.nowMs = until;
    await settle();
  }
}
