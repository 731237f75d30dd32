/**
 * Serializes one log event to a JSON line that never throws. The fast path is plain
 * `JSON.stringify`; only events it rejects (circular references, BigInt) or that carry Buffers
 * take the slow path, which replaces what JSON cannot hold with a readable stand-in:
 * circular refs → `"[Circular]"`, BigInt → decimal string, Buffer → UTF-8 text (invalid bytes
 * become U+FFFD), Error → `{ name, message, stack }`, functions and symbols are left out.
 *
 * @example
 * ```ts
 * const a: Record<string, unknown> = { n: 1n }; a.self = a;
 * encodeEvent(a); // '{"n":"1","self":"[Circular]"}'
 * ```
 */
export function encodeEvent(event: unknown): string {
  if (typeof event === 'string') return event;
  try {
    const json = JSON.stringify(event);
    // undefined, functions and symbols at the top level stringify to undefined.
    if (json !== undefined) return json;
  } catch {
    // fall through to the careful path
  }
  return JSON.stringify(toJsonSafe(event, new WeakSet<object>())) ?? 'null';
}

function toJsonSafe(value: unknown, seen: WeakSet<object>): unknown {
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
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  }
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    if (value instanceof Error) {
      return { name: value.name, message: value.message, stack: value.stack };
    }
    const withToJson = value as { toJSON?: unknown };
    if (typeof withToJson.toJSON === 'function') {
      try {
        return toJsonSafe((withToJson.toJSON as () => unknown).call(value), seen);
      } catch {
        return '[Unserializable]';
      }
    }
    if (Array.isArray(value)) return value.map((v) => toJsonSafe(v, seen) ?? null);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      let v: unknown;
      try {
        v = (value as Record<string, unknown>)[key];
      } catch {
        v = '[Unreadable]';
      }
      const safe = toJsonSafe(v, seen);
      if (safe !== undefined) out[key] = safe;
    }
    return out;
  } finally {
    // Siblings may share an object legitimately; only ancestors count as circular.
    seen.delete(value);
  }
}
