/** Lowest and highest codes treated as HTTP statuses; anything else is ignored. */
export const HttpStatusRange = { MIN: 100, MAX: 599 } as const;

const THREE_DIGITS = /^\d{3}$/;

/**
 * Reads an HTTP status from a record field: an integer in 100–599, or a string of exactly three
 * such digits (some access-log parsers keep fields as text). Anything else gives `undefined`.
 *
 * @example
 * ```ts
 * httpStatus(503); // 503
 * httpStatus('404'); // 404
 * httpStatus(42); // undefined
 * ```
 */
export function httpStatus(value: unknown): number | undefined {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && THREE_DIGITS.test(value)) n = Number(value);
  else return undefined;
  return Number.isInteger(n) && n >= HttpStatusRange.MIN && n <= HttpStatusRange.MAX
    ? n
    : undefined;
}
