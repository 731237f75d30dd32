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
