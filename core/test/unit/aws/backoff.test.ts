import { expect } from 'chai';
import { backoffDelayMs, retryWithBackoff, sleep } from '../../../src/aws/backoff.js';

describe('backoffDelayMs', () => {
  const limits = { baseMs: 100, maxMs: 5000 };

  it('grows exponentially under full jitter', () => {
    expect(backoffDelayMs(0, limits, () => 0.999)).to.equal(99);
    expect(backoffDelayMs(3, limits, () => 0.999)).to.equal(799);
    expect(backoffDelayMs(3, limits, () => 0)).to.equal(0);
  });

  it('is capped, for any attempt number', () => {
    expect(backoffDelayMs(20, limits, () => 0.999)).to.equal(4995);
    expect(backoffDelayMs(1e6, limits, () => 0.5)).to.equal(2500);
    expect(backoffDelayMs(-3, limits, () => 0.5)).to.equal(50);
  });
});

describe('sleep', () => {
  it('waits, and ends at once with the reason when aborted', async () => {
    await sleep(1);
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal, { unref: true });
    controller.abort(new Error('stop'));
    const err = await waiting.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as Error).message).to.equal('stop');
    const already = await sleep(60_000, controller.signal).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((already as Error).message).to.equal('stop');
  });

  it('rejects with an AbortError when the signal has no reason of its own', async () => {
    const signal = { aborted: true, reason: undefined } as unknown as AbortSignal;
    const err = await sleep(10, signal).catch((e: unknown) => e);
    expect((err as Error).name).to.equal('AbortError');
  });
});

describe('retryWithBackoff', () => {
  /** A clock that the injected sleep moves forward: no real waiting. */
  function fakeTime(): {
    now: () => number;
    sleep: (ms: number) => Promise<void>;
    waits: number[];
  } {
    let t = 1_000;
    const waits: number[] = [];
    return {
      now: () => t,
      sleep: (ms) => {
        waits.push(ms);
        t += ms;
        return Promise.resolve();
      },
      waits,
    };
  }
  const throttled = (): Error =>
    Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
  const invalid = (): Error => Object.assign(new Error('bad'), { name: 'ValidationException' });

  it('retries retryable errors with growing jittered waits until it succeeds', async () => {
    const time = fakeTime();
    const seen: number[] = [];
    const result = await retryWithBackoff(
      (n) => {
        seen.push(n);
        return n < 4 ? Promise.reject(throttled()) : Promise.resolve('ok');
      },
      { maxAttempts: 5, baseMs: 100, maxMs: 250, random: () => 0.5, ...time },
    );
    expect(result).to.equal('ok');
    expect(seen).to.deep.equal([1, 2, 3, 4]);
    expect(time.waits).to.deep.equal([50, 100, 125]);
  });

  it('throws the last error when the attempts run out, and reports each failure', async () => {
    const time = fakeTime();
    const failures: { attempt: number; willRetry: boolean }[] = [];
    const err = await retryWithBackoff(() => Promise.reject(throttled()), {
      maxAttempts: 3,
      baseMs: 10,
      maxMs: 100,
      ...time,
      onFailedAttempt: ({ attempt, willRetry }) => failures.push({ attempt, willRetry }),
    }).catch((e: unknown) => e);
    expect((err as Error).name).to.equal('ThrottlingException');
    expect(failures).to.deep.equal([
      { attempt: 1, willRetry: true },
      { attempt: 2, willRetry: true },
      { attempt: 3, willRetry: false },
    ]);
  });

  it('does not retry what cannot succeed', async () => {
    const time = fakeTime();
    let calls = 0;
    const err = await retryWithBackoff(
      () => {
        calls++;
        return Promise.reject(invalid());
      },
      { maxAttempts: 5, baseMs: 10, maxMs: 100, ...time },
    ).catch((e: unknown) => e);
    expect((err as Error).name).to.equal('ValidationException');
    expect(calls).to.equal(1);
    expect(time.waits).to.deep.equal([]);
  });

  it('stops when the next wait would pass the time budget', async () => {
    const time = fakeTime();
    let calls = 0;
    await retryWithBackoff(
      () => {
        calls++;
        return Promise.reject(throttled());
      },
      {
        maxAttempts: 100,
        maxElapsedMs: 1_000,
        baseMs: 400,
        maxMs: 400,
        random: () => 0.999,
        ...time,
      },
    ).catch(() => undefined);
    // Waits of 399 ms: after two of them a third would end past 1 000 ms.
    expect(time.waits).to.deep.equal([399, 399]);
    expect(calls).to.equal(3);
  });

  it('follows a custom shouldRetry', async () => {
    const time = fakeTime();
    let calls = 0;
    await retryWithBackoff(
      () => {
        calls++;
        return Promise.reject(invalid());
      },
      { maxAttempts: 3, baseMs: 1, maxMs: 1, shouldRetry: () => true, ...time },
    ).catch(() => undefined);
    expect(calls).to.equal(3);
  });

  it('ends a wait and gives up when the signal aborts', async () => {
    const controller = new AbortController();
    let calls = 0;
    const pending = retryWithBackoff(
      () => {
        calls++;
        if (calls === 1) setImmediate(() => controller.abort(new Error('SIGTERM')));
        return Promise.reject(throttled());
      },
      {
        maxAttempts: 10,
        baseMs: 60_000,
        maxMs: 60_000,
        random: () => 0.999,
        signal: controller.signal,
      },
    );
    const err = await pending.catch((e: unknown) => e);
    expect((err as Error).message).to.equal('SIGTERM');
    expect(calls).to.equal(1);
  });
});
