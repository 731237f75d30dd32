import { detachString } from './detach-string.js';

/**
 * Cuts `s` to at most `maxChars` UTF-16 code units without splitting a surrogate pair, and
 * detaches the result from `s` when it was cut.
 *
 * @example
 * ```ts
 * truncateString('a'.repeat(500), 320).length; // 320
 * ```
 */
export function truncateString(s: string, maxChars: number): string {
  if (s.length <= maxChars) return s;
  let end = maxChars;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return detachString(s.slice(0, end));
}
