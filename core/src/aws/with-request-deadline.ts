/*
 * The HTTP handler's requestTimeout ends a request that gets no answer headers in time, but not
 * one whose body trickles in (a byte a second keeps a socket busy forever). This deadline covers
 * the whole call, answer read and parsed:
 *
 *   caller signal ──┐
 *                   ├─ any ─▶ abortSignal of the SDK call ─▶ answer ─▶ T
 *   deadline timer ─┘            │ deadline passed: the call is aborted and a TimeoutError
 *                                ▼ (retryable, `code: ETIMEDOUT`) is thrown at once
 */

import { abortReason } from './backoff.js';

/** Thrown when a whole AWS call outlasted its deadline; reads as a timeout to the classifier. */
export class RequestDeadlineError extends Error {
  readonly code = 'ETIMEDOUT';
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms (request timeout)`);
    this.name = 'TimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Runs one SDK call with a deadline over the whole call; the caller's `signal` (a command
 * stopped by SIGTERM) aborts it too, with the signal's reason. Settles by the deadline even if
 * the SDK does not notice the abort.
 *
 * @example
 * ```ts
 * const out = await withRequestDeadline(30_000, signal, (abortSignal) =>
 *   client.send(new ListShardsCommand({ StreamName }), { abortSignal }),
 * );
 * ```
 */
export async function withRequestDeadline<T>(
  timeoutMs: number,
  signal: AbortSignal | undefined,
  send: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  signal?.throwIfAborted();
  const deadline = new AbortController();
  const combined =
    signal === undefined ? deadline.signal : AbortSignal.any([signal, deadline.signal]);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(abortReason(combined));
    combined.addEventListener('abort', onAbort, { once: true });
  });
  const timer = setTimeout(() => deadline.abort(new RequestDeadlineError(timeoutMs)), timeoutMs);
  // The request's own socket keeps a process alive while it matters; the timer must not.
  timer.unref();
  const call = send(combined);
  // Whichever loses the race must not surface as an unhandled rejection.
  call.catch(() => undefined);
  aborted.catch(() => undefined);
  try {
    return await Promise.race([call, aborted]);
  } catch (err) {
    if (deadline.signal.aborted && signal?.aborted !== true) throw abortReason(deadline.signal);
    throw err;
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) combined.removeEventListener('abort', onAbort);
  }
}
