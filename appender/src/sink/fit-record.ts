/**
 * Oversize records: what `oversize: 'truncate'` does to data over the record limit.
 *
 *   JSON object ──► cut the longest string values, add "kinlogTruncated": <original bytes>
 *        │                       (still valid JSON, small fields such as level/time intact)
 *        └─ not JSON, or still too big ──► cut the bytes at a UTF-8 boundary + TRUNCATION_MARKER
 */

/** Appended to a cut string or record so readers can see that text is missing. */
export const TRUNCATION_MARKER = '…[truncated]';
/** Name of the field added to a truncated JSON event, holding the original size in bytes. */
export const TRUNCATED_FIELD = 'kinlogTruncated';
/** Passes over the longest strings before falling back to a plain byte cut. */
const MAX_FIT_PASSES = 8;

/**
 * Shrinks `data` to at most `maxBytes` UTF-8 bytes, keeping JSON valid where it can.
 *
 * @example
 * ```ts
 * const small = fitRecord(JSON.stringify({ level: 'error', msg: 'x'.repeat(3e6) }), 1024 * 1024);
 * JSON.parse(small).level; // 'error'
 * ```
 */
export function fitRecord(data: string, maxBytes: number): string {
  const bytes = Buffer.byteLength(data);
  if (bytes <= maxBytes) return data;
  if (data.startsWith('{')) {
    const fitted = fitJsonObject(data, bytes, maxBytes);
    if (fitted !== undefined) return fitted;
  }
  return cutUtf8(data, maxBytes - Buffer.byteLength(TRUNCATION_MARKER)) + TRUNCATION_MARKER;
}

function fitJsonObject(data: string, originalBytes: number, maxBytes: number): string | undefined {
  let event: unknown;
  try {
    event = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return undefined;
  const obj = event as Record<string, unknown>;
  obj[TRUNCATED_FIELD] = originalBytes;
  let text = JSON.stringify(obj);
  for (let pass = 0; pass < MAX_FIT_PASSES; pass++) {
    const excess = Buffer.byteLength(text) - maxBytes;
    if (excess <= 0) return text;
    const longest = findLongestString(obj);
    if (longest === undefined) return undefined;
    const { holder, key, value } = longest;
    // JSON escaping can make a string's encoded size larger than its UTF-8 size: cut a margin.
    const keep = Buffer.byteLength(value) - excess - Buffer.byteLength(TRUNCATION_MARKER) - 64;
    if (keep <= 0) holder[key] = TRUNCATION_MARKER;
    else
      holder[key] = cutUtf8(value, Math.floor(keep * (pass === 0 ? 1 : 0.9))) + TRUNCATION_MARKER;
    text = JSON.stringify(obj);
  }
  return Buffer.byteLength(text) <= maxBytes ? text : undefined;
}

interface StringSlot {
  holder: Record<string, unknown>;
  key: string;
  value: string;
}

function findLongestString(root: Record<string, unknown>): StringSlot | undefined {
  let best: StringSlot | undefined;
  const stack: Record<string, unknown>[] = [root];
  while (stack.length > 0) {
    const holder = stack.pop()!;
    for (const key of Object.keys(holder)) {
      const value = holder[key];
      if (typeof value === 'string') {
        if (best === undefined || value.length > best.value.length) best = { holder, key, value };
      } else if (value !== null && typeof value === 'object') {
        stack.push(value as Record<string, unknown>);
      }
    }
  }
  return best;
}

/**
 * The longest prefix of `text` that fits in `maxBytes` UTF-8 bytes, never splitting a character.
 *
 * @example
 * ```ts
 * cutUtf8('héllo', 2); // 'h'
 * ```
 */
export function cutUtf8(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return text;
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}
