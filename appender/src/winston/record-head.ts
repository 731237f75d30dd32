/** Where winston keeps the level it logged at (formats may rewrite `info.level` for display). */
const LEVEL_KEY = Symbol.for('level');

/**
 * The head of a winston event's record, read the same way by every writer of it: the level
 * winston logged at, else `info.level`; the time from `time`, else winston's `timestamp`, else
 * now (`timestamp` then becomes the record's time and is not copied as a field of its own).
 *
 * @example
 * ```ts
 * const info = { level: 'info', message: 'hi', timestamp: '2024-05-01T10:00:00.000Z' };
 * recordLevel(info); // 'info'
 * takesTimestamp(info); // true
 * recordTime(info, takesTimestamp(info)); // '2024-05-01T10:00:00.000Z'
 * ```
 */
export function recordLevel(info: Record<string, unknown>): unknown {
  return (info as Record<symbol, unknown>)[LEVEL_KEY] ?? info.level;
}

/** Whether winston's `timestamp` is the record's time (there is no `time`). */
export function takesTimestamp(info: Record<string, unknown>): boolean {
  return info.time === undefined && info.timestamp !== undefined;
}

/** The record's time: `time`, else winston's `timestamp`, else now. */
export function recordTime(info: Record<string, unknown>, fromTimestamp: boolean): unknown {
  if (info.time !== undefined) return info.time;
  return fromTimestamp ? info.timestamp : new Date().toISOString();
}
