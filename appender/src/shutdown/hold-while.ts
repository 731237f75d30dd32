/**
 * Loggers kept strongly reachable while a flush or close of theirs is pending.
 *
 * pino's transport stream is only weakly referenced by its worker's message handler, and thread-
 * stream terminates the worker once the stream is garbage collected. A caller that awaits a flush
 * on a logger held by nothing else (a local variable in an awaiting function) would otherwise
 * see the worker killed mid-flush, its records lost and the flush never settle.
 */
const held = new Map<unknown, number>();

/**
 * Runs `work` with `target` kept alive until it settles.
 *
 * @example
 * ```ts
 * await holdWhile(transport, () => new Promise((resolve) => transport.flush(resolve)));
 * ```
 */
export async function holdWhile<T>(target: unknown, work: () => Promise<T>): Promise<T> {
  held.set(target, (held.get(target) ?? 0) + 1);
  try {
    return await work();
  } finally {
    const left = (held.get(target) ?? 1) - 1;
    if (left === 0) held.delete(target);
    else held.set(target, left);
  }
}
