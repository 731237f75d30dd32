import { needsJsonSafe, toJsonSafe } from './json-safe.js';

/**
 * Serializes one log event to a JSON line that says what the event holds and never throws.
 * Events of plain data (the usual case) go through plain `JSON.stringify` after one cheap
 * walk; events holding an Error, Buffer, Map, Set, BigInt, invalid Date, class instance, cycle
 * or very deep nesting take the careful path of {@link toJsonSafe} (see `json-safe.ts` for what
 * each becomes).
 *
 * @example
 * ```ts
 * encodeEvent({ level: 'error', msg: 'x', err: new Error('boom') });
 * // '{"level":"error","msg":"x","err":{"name":"Error","message":"boom","stack":"Error: boom\n…"}}'
 * ```
 */
export function encodeEvent(event: unknown): string {
  if (typeof event === 'string') return event;
  if (!needsJsonSafe(event)) {
    try {
      const json = JSON.stringify(event);
      // undefined, functions and symbols at the top level stringify to undefined.
      if (json !== undefined) return json;
    } catch {
      // a throwing getter or toJSON: the careful path reads around it
    }
  }
  return JSON.stringify(toJsonSafe(event)) ?? 'null';
}
