/**
 * Record lines of consecutive log events, gathered into one reusable buffer so that the sink
 * takes them as one run (`putLines`): one copy of their bytes into a block, one held entry,
 * instead of a buffer and a held record per event.
 *
 *   add(line) ──────► │ line 1 │ line 2 │ line 3 │ …  (UTF-8, back to back)   until full
 *   addInfo(info) ──►   (a plain info's line written in place, no string)
 *                 starts[i], ends[i] ─► lines() ─► sink.putLines ─► clear(), buffer reused
 */
import type { LineRange } from '../sink/line-run.js';
import { NO_ROOM, NOT_PLAIN, writePlainInfo } from './plain-info-writer.js';

/** What {@link EventRun.addInfo} did. */
export const AddInfo = {
  ADDED: 'added',
  /** The info holds something the careful encoder must say: nothing added. */
  NOT_PLAIN: 'notPlain',
  /** The line does not fit the room left: nothing added. */
  NO_ROOM: 'noRoom',
} as const;
export type AddInfoOutcome = (typeof AddInfo)[keyof typeof AddInfo];

/**
 * Bytes gathered at most before the lines go to the sink: big enough that a run's set-up costs
 * nothing per event, small enough to stay a cheap, reused allocation and a small overshoot of
 * the sink's buffer bound.
 */
export const EVENT_RUN_BYTES = 64 * 1024;
/** Lines gathered at most (short lines fill the line table before the bytes). */
export const EVENT_RUN_LINES = 1024;
/** UTF-8 bytes at most per UTF-16 code unit of a JS string. */
const MAX_UTF8_BYTES_PER_UNIT = 3;

/**
 * A reusable buffer of record lines and their ranges.
 *
 * @example
 * ```ts
 * const run = new EventRun();
 * if (!run.add(line)) { sink.putLines(run.lines()); run.clear(); run.add(line); }
 * ```
 */
export class EventRun {
  private readonly buf = Buffer.allocUnsafeSlow(EVENT_RUN_BYTES);
  private readonly starts = new Uint32Array(EVENT_RUN_LINES);
  private readonly ends = new Uint32Array(EVENT_RUN_LINES);
  private count = 0;
  private at = 0;

  /** Lines gathered. */
  get size(): number {
    return this.count;
  }

  /** True when no further line can be added. */
  get full(): boolean {
    return this.count === EVENT_RUN_LINES || this.at === this.buf.length;
  }

  /**
   * Appends `line` (not empty); false when it does not fit the room left, nothing added then
   * (the caller hands the gathered lines over first, or a line bigger than the whole buffer on
   * its own).
   */
  add(line: string): boolean {
    if (this.count === EVENT_RUN_LINES) return false;
    const room = this.buf.length - this.at;
    // Counting bytes costs a pass over the line: only when the line might not fit.
    if (line.length * MAX_UTF8_BYTES_PER_UNIT > room && Buffer.byteLength(line) > room)
      return false;
    const start = this.at;
    this.at += this.buf.write(line, start);
    this.starts[this.count] = start;
    this.ends[this.count] = this.at;
    this.count++;
    return true;
  }

  /**
   * Appends the record line of a plain winston `info` (see `writePlainInfo`), the bytes
   * `add(winstonRecord(info))` would append, without the line as a string. Throws where
   * reading `info` throws (a getter), adding nothing.
   */
  addInfo(info: Record<string, unknown>): AddInfoOutcome {
    if (this.count === EVENT_RUN_LINES) return AddInfo.NO_ROOM;
    const end = writePlainInfo(info, this.buf, this.at, this.buf.length);
    if (end === NOT_PLAIN) return AddInfo.NOT_PLAIN;
    if (end === NO_ROOM) return AddInfo.NO_ROOM;
    this.starts[this.count] = this.at;
    this.ends[this.count] = end;
    this.at = end;
    this.count++;
    return AddInfo.ADDED;
  }

  /** The gathered lines, valid until {@link clear} (the sink copies what it keeps). */
  lines(): LineRange {
    return { buf: this.buf, starts: this.starts, ends: this.ends, from: 0, to: this.count };
  }

  /** Forgets the gathered lines; the buffer is reused. */
  clear(): void {
    this.count = 0;
    this.at = 0;
  }
}
