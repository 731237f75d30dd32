import type { SettleCallback, SettleResult } from '../../../../src/sink/held-record.js';
import type { LineRange } from '../../../../src/sink/line-run.js';

/**
 * A buffer holding `lines` after `prefix`, one `\n` after each, and their ranges: lines as a
 * reader hands them to `KinesisSink.putLines`.
 *
 * @example
 * ```ts
 * sink.putLines(rangesOf(['a', 'bb']));
 * ```
 */
export function rangesOf(lines: string[], prefix = ''): LineRange {
  const buf = Buffer.from(prefix + lines.map((l) => `${l}\n`).join(''));
  const starts: number[] = [];
  const ends: number[] = [];
  let at = Buffer.byteLength(prefix);
  for (const l of lines) {
    starts.push(at);
    at += Buffer.byteLength(l);
    ends.push(at);
    at++;
  }
  return { buf, starts, ends, from: 0, to: lines.length };
}

/**
 * A settle callback that pushes one result per record into `results`: a run of lines is settled
 * with one call and a count, and tests compare it with lines put one by one.
 *
 * @example
 * ```ts
 * const results: SettleResult[] = [];
 * sink.putLines(rangesOf(['a', 'b']), resultPerRecord(results));
 * ```
 */
export function resultPerRecord(results: SettleResult[]): SettleCallback {
  return (r, records) => {
    for (let i = 0; i < records; i++) results.push(r);
  };
}
