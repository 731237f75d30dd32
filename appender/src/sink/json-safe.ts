/**
 * What JSON cannot say faithfully, turned into plain data that it can.
 *
 *   value ──needsJsonSafe?──no──► JSON.stringify as is (the fast path: one cheap walk)
 *                │yes
 *                ▼
 *            toJsonSafe: Error → { name, message, stack, ...own fields, cause }
 *                        Buffer/Uint8Array → UTF-8 text, or { type, base64 } if not UTF-8
 *                        Map → object (string keys) or [key, value] pairs; Set → array
 *                        BigInt → decimal string; invalid Date → "Invalid Date"
 *                        ancestor again → "[Circular]"; deeper than MAX_EVENT_DEPTH → "[Too deep]"
 *
 * `JSON.stringify` alone writes an Error, a Map or a Set as `{}`, a Buffer as a list of byte
 * numbers, and throws on BigInt, circular references and very deep nesting.
 */
import { isUtf8 } from 'node:buffer';

/** Levels of nesting kept below the event itself; deeper values become {@link DEPTH_MARKER}. */
export const MAX_EVENT_DEPTH = 32;
/** Stands in for an object that contains itself (an ancestor seen again). */
export const CIRCULAR_MARKER = '[Circular]';
/** Stands in for a value nested deeper than {@link MAX_EVENT_DEPTH}. */
export const DEPTH_MARKER = '[Too deep]';
/** Stands in for a value whose `toJSON` throws. */
export const UNSERIALIZABLE_MARKER = '[Unserializable]';
/** Stands in for a property whose getter throws. */
export const UNREADABLE_MARKER = '[Unreadable]';

/**
 * True when `JSON.stringify(value)` would not say what `value` holds: it contains an Error,
 * Buffer, typed array, Map, Set, BigInt, invalid Date, an instance of some other class, or
 * nesting deeper than {@link MAX_EVENT_DEPTH} (which is also where a cycle ends the walk).
 * Plain objects, arrays, valid Dates and primitives are what it expects, and cost one look each.
 *
 * @example
 * ```ts
 * needsJsonSafe({ a: 1, b: ['x'] }); // false
 * needsJsonSafe({ err: new Error('boom') }); // true
 * ```
 */
export function needsJsonSafe(value: unknown): boolean {
  try {
    return needsAt(value, 0);
  } catch {
    // A getter that throws: the careful path reads around it.
    return true;
  }
}

function needsAt(value: unknown, depth: number): boolean {
  if (typeof value === 'bigint') return true;
  if (typeof value !== 'object' || value === null) return false;
  if (depth > MAX_EVENT_DEPTH) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (needsAt(value[i], depth + 1)) return true;
    return false;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    for (const key in value) {
      if (needsAt((value as Record<string, unknown>)[key], depth + 1)) return true;
    }
    return false;
  }
  if (value instanceof Date) return Number.isNaN(value.getTime());
  return true;
}

/**
 * A copy of `value` made of plain objects, arrays, strings, numbers, booleans and null, which
 * `JSON.stringify` writes faithfully and never throws on; `undefined` for what JSON leaves out
 * (functions, symbols, undefined).
 *
 * @example
 * ```ts
 * const err = new Error('boom', { cause: new Error('disk full') });
 * toJsonSafe({ err, n: 1n });
 * // { err: { name: 'Error', message: 'boom', stack: '…', cause: { name: 'Error', … } }, n: '1' }
 * ```
 */
export function toJsonSafe(value: unknown): unknown {
  return safeAt(value, 0, new WeakSet<object>());
}

function safeAt(value: unknown, depth: number, ancestors: WeakSet<object>): unknown {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'function':
    case 'symbol':
    case 'undefined':
      return undefined;
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null) return null;
  if (ArrayBuffer.isView(value)) return bytesOf(value);
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  }
  if (ancestors.has(value)) return CIRCULAR_MARKER;
  if (depth > MAX_EVENT_DEPTH) return DEPTH_MARKER;
  ancestors.add(value);
  try {
    return objectAt(value, depth, ancestors);
  } finally {
    // Siblings may share an object legitimately; only ancestors count as circular.
    ancestors.delete(value);
  }
}

function objectAt(value: object, depth: number, ancestors: WeakSet<object>): unknown {
  const next = depth + 1;
  if (value instanceof Error) return errorAt(value, next, ancestors);
  if (Array.isArray(value)) return value.map((v) => safeAt(v, next, ancestors) ?? null);
  if (value instanceof Set) return [...value].map((v) => safeAt(v, next, ancestors) ?? null);
  if (value instanceof Map) return mapAt(value, next, ancestors);
  const withToJson = value as { toJSON?: unknown };
  if (typeof withToJson.toJSON === 'function') {
    try {
      return safeAt((withToJson.toJSON as () => unknown).call(value), depth, ancestors);
    } catch {
      return UNSERIALIZABLE_MARKER;
    }
  }
  return fieldsAt(value, {}, next, ancestors);
}

function errorAt(error: Error, depth: number, ancestors: WeakSet<object>): unknown {
  const out: Record<string, unknown> = {
    name: read(error, 'name'),
    message: read(error, 'message'),
    stack: read(error, 'stack'),
  };
  fieldsAt(error, out, depth, ancestors);
  // `cause` (ES2022) and AggregateError's `errors` are own but not enumerable.
  for (const key of ['cause', 'errors'] as const) {
    if (out[key] !== undefined || !Object.prototype.hasOwnProperty.call(error, key)) continue;
    const safe = safeAt(read(error, key), depth, ancestors);
    if (safe !== undefined) out[key] = safe;
  }
  return out;
}

function mapAt(map: Map<unknown, unknown>, depth: number, ancestors: WeakSet<object>): unknown {
  let stringKeys = true;
  for (const key of map.keys()) {
    if (typeof key !== 'string') {
      stringKeys = false;
      break;
    }
  }
  if (stringKeys) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of map) {
      const safe = safeAt(v, depth, ancestors);
      if (safe !== undefined) out[key as string] = safe;
    }
    return out;
  }
  return [...map].map(([key, v]) => [
    safeAt(key, depth, ancestors) ?? null,
    safeAt(v, depth, ancestors) ?? null,
  ]);
}

function fieldsAt(
  value: object,
  out: Record<string, unknown>,
  depth: number,
  ancestors: WeakSet<object>,
): Record<string, unknown> {
  for (const key of Object.keys(value)) {
    const safe = safeAt(read(value, key), depth, ancestors);
    if (safe !== undefined) out[key] = safe;
  }
  return out;
}

function read(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return UNREADABLE_MARKER;
  }
}

/** Text when the bytes are UTF-8 (what a logged body usually is), else lossless base64. */
function bytesOf(view: ArrayBufferView): unknown {
  const bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  if (isUtf8(bytes)) return bytes.toString('utf8');
  return {
    type: Buffer.isBuffer(view) ? 'Buffer' : view.constructor.name,
    base64: bytes.toString('base64'),
  };
}
