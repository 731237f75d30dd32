import { recordLevel, recordTime, takesTimestamp } from './record-head.js';

/**
 * Turns a winston `info` object into the kinlog event shape:
 * `{ time, level, msg, ...the logger's own fields }`.
 *
 * - `level` is winston's raw level (`info[LEVEL]`), so a colorizing format cannot leak escape
 *   codes into the stream;
 * - `msg` is winston's `message`; `time` is the info's own `time`, else `timestamp` (from
 *   `format.timestamp()`, then not repeated), else the current ISO-8601 time;
 * - symbol keys (winston's internal `LEVEL`, `MESSAGE`, `SPLAT`) are left out; an Error's
 *   non-enumerable `stack` is kept.
 *
 * @example
 * ```ts
 * winstonEvent({ level: 'error', message: 'boom', page: '/checkout' });
 * // { time: '2024-05-01T10:00:00.000Z', level: 'error', msg: 'boom', page: '/checkout' }
 * ```
 */
export function winstonEvent(info: Record<string, unknown>): Record<string, unknown> {
  const timeFromTimestamp = takesTimestamp(info);
  const event: Record<string, unknown> = {
    time: recordTime(info, timeFromTimestamp),
    level: recordLevel(info),
    msg: info.message,
  };
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message' || key === 'time') continue;
    if (key === 'timestamp' && timeFromTimestamp) continue;
    event[key] = info[key];
  }
  if (event.stack === undefined && typeof info.stack === 'string') event.stack = info.stack;
  return event;
}
