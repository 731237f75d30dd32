import { encodeEvent } from '../sink/encode-event.js';
import { recordLevel, recordTime, takesTimestamp } from './record-head.js';

/**
 * The record line of a winston `info` object, byte for byte what `encodeEvent(winstonEvent(info))`
 * writes, in one pass over the fields where that can be known cheaply. While the event is copied
 * out of `info`, each value's type is looked at; when every value is a primitive (the usual
 * request log: strings, numbers, booleans), `JSON.stringify` writes it faithfully as it is and
 * the separate walk of `needsJsonSafe` is skipped. Any object, array, function or BigInt sends the event
 * the careful way of {@link encodeEvent}. Throws only where `winstonEvent` throws (a getter of
 * `info` that throws).
 *
 * @example
 * ```ts
 * winstonRecord({ level: 'info', message: 'hi', timestamp: '2024-05-01T10:00:00.000Z', page: '/a' });
 * // '{"time":"2024-05-01T10:00:00.000Z","level":"info","msg":"hi","page":"/a"}'
 * ```
 */
export function winstonRecord(info: Record<string, unknown>): string {
  const rawLevel = recordLevel(info);
  const timeFromTimestamp = takesTimestamp(info);
  const time = recordTime(info, timeFromTimestamp);
  const message: unknown = info.message;
  const event: Record<string, unknown> = { time, level: rawLevel, msg: message };
  let plain = isPrimitive(time) && isPrimitive(rawLevel) && isPrimitive(message);
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'message' || key === 'time') continue;
    if (key === 'timestamp' && timeFromTimestamp) continue;
    const value = info[key];
    if (plain && !isPrimitive(value)) plain = false;
    event[key] = value;
  }
  if (event.stack === undefined && typeof info.stack === 'string') event.stack = info.stack;
  // A plain event stringifies to an object: never undefined, and nothing in it can throw.
  return plain ? JSON.stringify(event) : encodeEvent(event);
}

/**
 * True for what `JSON.stringify` writes faithfully on its own (or leaves out, as the careful
 * path does too): everything but objects, functions (a function may have a `toJSON`, which may
 * throw) and BigInts.
 */
function isPrimitive(value: unknown): boolean {
  const type = typeof value;
  if (type === 'bigint' || type === 'function') return false;
  return type !== 'object' || value === null;
}
