/*
 * One backoff for every AWS call kinlog retries:
 *
 *   attempt ─▶ fails ─▶ retryable? ── no ──▶ throw
 *                           │ yes
 *                           ▼
 *        attempts or time budget left? ── no ──▶ throw the last error
 *                           │ yes
 *                           ▼
 *        sleep random [0, min(maxMs, baseMs·2^n)) (full jitter; an abort ends it) ─▶ attempt
 */
import { AwsClientDefaults } from './aws-client-config.js';
import { classifyAwsError } from './classify-aws-error.js';

/** Bounds of one backoff: the first ceiling and the cap. */
export interface BackoffLimits {
  /** First delay ceiling; it doubles per attempt. */
  readonly baseMs: number;
  /** Largest delay ceiling. */
  readonly maxMs: number;
}

/**
 * How long kinlog keeps retrying one failing AWS call: no new attempt starts later than this many
 * request timeouts after the first, so a call against a dead endpoint gives up within
 * (1 + this) request timeouts.
 */
export const RETRY_BUDGET_REQUEST_TIMEOUTS = 2;

/**
 * The retry budget of calls made with this request timeout (default 30 s: 60 s).
 *
 * @example
 * ```ts
 * retryBudgetMs(500); // 1000
 * ```
 */
export function retryBudgetMs(
  requestTimeoutMs: number = AwsClientDefaults.REQUEST_TIMEOUT_MS,
): number {
  return requestTimeoutMs * RETRY_BUDGET_REQUEST_TIMEOUTS;
}

/** Largest exponent used: keeps `2 ** n` finite for any attempt number. */
const MAX_EXPONENT = 30;

/**
 * Capped exponential backoff with full jitter: a random delay in `[0, min(maxMs, baseMs·2^n))`.
 * Full jitter spreads retries of many producers apart, which is what relieves a throttled shard.
 *
 * @example
 * ```ts
 * const wait = backoffDelayMs(3, { baseMs: 100, maxMs: 5000 }); // 0..800 ms
 * ```
 */
export function backoffDelayMs(
  attempt: number,
  limits: BackoffLimits,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(
    limits.maxMs,
    limits.baseMs * 2 ** Math.min(Math.max(0, attempt), MAX_EXPONENT),
  );
  return Math.floor(random() * ceiling);
}

/**
 * Waits `ms`; an abort of `signal` ends the wait at once with the signal's reason. With
 * `unref`, the timer does not keep the process alive (a host app may exit meanwhile).
 *
 * @example
 * ```ts
 * await sleep(250, controller.signal);
 * ```
 */
export function sleep(
  ms: number,
  signal?: AbortSignal,
  options: { unref?: boolean } = {},
): Promise<void> {
  if (signal?.aborted === true) return Promise.reject(abortReason(signal));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    if (options.unref === true) timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Why `signal` aborted, as an Error: its reason when that is one (a plain `abort()` gives an
 * AbortError), else an AbortError naming it.
 *
 * @example
 * ```ts
 * if (signal.aborted) throw abortReason(signal);
 * ```
 */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new DOMException(
    typeof reason === 'string' ? reason : 'This operation was aborted',
    'AbortError',
  );
}

/** One failed attempt, as {@link RetryOptions.onFailedAttempt} sees it. */
export interface FailedAttempt {
  readonly error: unknown;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Whether another attempt follows (after `delayMs`). */
  readonly willRetry: boolean;
  readonly delayMs: number;
}

/** How {@link retryWithBackoff} retries. */
export interface RetryOptions extends BackoffLimits {
  /** Attempts in all, the first included (≥ 1). */
  readonly maxAttempts: number;
  /** No attempt starts once this much time has passed since the first one. */
  readonly maxElapsedMs?: number;
  /** Ends the waits and the retries; the attempt itself should watch it too. */
  readonly signal?: AbortSignal;
  /** Whether an error may be retried; by default {@link classifyAwsError}'s `retryable`. */
  readonly shouldRetry?: (error: unknown) => boolean;
  /** Told of every failed attempt (for counters and reports). */
  readonly onFailedAttempt?: (failed: FailedAttempt) => void;
  /** Whether waits may let the process exit (library code in a host app: true). */
  readonly unref?: boolean | (() => boolean);
  /** Injected for tests. */
  readonly random?: () => number;
  readonly now?: () => number;
  readonly sleep?: (
    ms: number,
    signal?: AbortSignal,
    options?: { unref?: boolean },
  ) => Promise<void>;
}

/**
 * Runs `attempt` until it succeeds, a non-retryable error comes, the attempts or the time
 * budget run out, or `signal` aborts; waits a full-jitter backoff between attempts. Throws the
 * last error as it came (translate it after).
 *
 * @example
 * ```ts
 * const out = await retryWithBackoff((n) => client.send(command, { abortSignal: signal }), {
 *   maxAttempts: 4, baseMs: 100, maxMs: 2000, signal,
 * });
 * ```
 */
export async function retryWithBackoff<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? sleep;
  const shouldRetry = options.shouldRetry ?? ((e: unknown) => classifyAwsError(e).retryable);
  const startedAt = now();
  for (let n = 1; ; n++) {
    options.signal?.throwIfAborted();
    try {
      return await attempt(n);
    } catch (error) {
      const delayMs = backoffDelayMs(n - 1, options, options.random);
      const elapsedAfterWait = now() - startedAt + delayMs;
      const willRetry =
        options.signal?.aborted !== true &&
        n < options.maxAttempts &&
        (options.maxElapsedMs === undefined || elapsedAfterWait < options.maxElapsedMs) &&
        shouldRetry(error);
      options.onFailedAttempt?.({ error, attempt: n, willRetry, delayMs });
      if (!willRetry) throw error;
      const unref = typeof options.unref === 'function' ? options.unref() : options.unref;
      await wait(delayMs, options.signal, { unref: unref === true });
    }
  }
}
