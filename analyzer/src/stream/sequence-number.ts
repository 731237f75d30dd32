/**
 * Kinesis sequence numbers are decimal strings of up to 128 bits: too wide for `number`, and
 * string order is wrong across lengths. Every comparison goes through BigInt.
 *
 * @example
 * ```ts
 * compareSequenceNumbers('49590338271490256608559692538361571095921575989136588898', '9'); // 1
 * ```
 */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Whether `seq` lies in the half-open window `(startAfter, end]`; an absent `startAfter` means
 * the shard's beginning, an absent `end` means no upper bound.
 *
 * @example
 * ```ts
 * isInWindow('5', '3', '5'); // true
 * isInWindow('3', '3', '5'); // false
 * ```
 */
export function isInWindow(
  seq: string,
  startAfter: string | undefined,
  end: string | undefined,
): boolean {
  const s = BigInt(seq);
  if (startAfter !== undefined && s <= BigInt(startAfter)) return false;
  if (end !== undefined && s > BigInt(end)) return false;
  return true;
}

/**
 * The larger of two sequence numbers, either of which may be absent.
 *
 * @example
 * ```ts
 * maxSequenceNumber(undefined, '12'); // '12'
 * ```
 */
export function maxSequenceNumber(
  a: string | undefined,
  b: string | undefined,
): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareSequenceNumbers(a, b) >= 0 ? a : b;
}
