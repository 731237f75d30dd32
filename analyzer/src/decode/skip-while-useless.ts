import type { RecordBytesScreen } from './record-decoder.js';

/** How {@link skipWhileUseless} decides that a bytes screen is not worth running. */
export const UselessScreenLimits = {
  /** Payloads over which the share turned down is measured. */
  WINDOW_PAYLOADS: 1024,
  /**
   * Fewer turned down than one in this many, and the screen is skipped for a while. A screen
   * that reads an error record up to its level costs about a seventh of what turning down a
   * fine record saves (its parse and normalization): below that share it costs more than it saves.
   */
  MIN_TURNED_DOWN_ONE_IN: 8,
  /** Payloads answered "unsure" without a look, after a window below that share. */
  SKIP_PAYLOADS: 7 * 1024,
  /**
   * The skip doubles after each further window below that share, up to this many payloads: on
   * a stream of errors, a window in every 8 cost about 2 % of reading it; a useful window
   * brings the skip back to {@link UselessScreenLimits.SKIP_PAYLOADS}.
   */
  MAX_SKIP_PAYLOADS: 56 * 1024,
} as const;

/**
 * Wraps a {@link RecordBytesScreen} so that, while it turns down fewer than one payload in
 * {@link UselessScreenLimits.MIN_TURNED_DOWN_ONE_IN} (a stream of errors, or of lines it cannot
 * read from their bytes), it is mostly not run: payloads are answered `true` ("unsure") and
 * go on to be parsed and screened as usual, as the screen's contract allows. One window of
 * payloads is looked at after each skip, and each useless window doubles the skip that follows,
 * up to {@link UselessScreenLimits.MAX_SKIP_PAYLOADS}. Only speed depends on
 * this, never what is emitted. One wrapper per decoder: it counts.
 *
 * @example
 * ```ts
 * const decoder = new RecordDecoder({ screen: mayBeError, screenBytes: skipWhileUseless(createMayBeErrorBytes()) });
 * ```
 */
export function skipWhileUseless(screen: RecordBytesScreen): RecordBytesScreen & {
  readonly skipping: () => boolean;
} {
  const { WINDOW_PAYLOADS, MIN_TURNED_DOWN_ONE_IN, SKIP_PAYLOADS, MAX_SKIP_PAYLOADS } =
    UselessScreenLimits;
  let tried = 0;
  let turnedDown = 0;
  let skip = 0;
  /** The skip after the next useless window. */
  let nextSkip = SKIP_PAYLOADS;
  const wrapped = (payload: Uint8Array): boolean => {
    if (skip > 0) {
      skip--;
      return true;
    }
    const unsure = screen(payload);
    if (!unsure) turnedDown++;
    if (++tried === WINDOW_PAYLOADS) {
      if (turnedDown * MIN_TURNED_DOWN_ONE_IN < tried) {
        skip = nextSkip;
        nextSkip = Math.min(2 * nextSkip, MAX_SKIP_PAYLOADS);
      } else {
        nextSkip = SKIP_PAYLOADS;
      }
      tried = 0;
      turnedDown = 0;
    }
    return unsure;
  };
  return Object.assign(wrapped, { skipping: () => skip > 0 });
}
