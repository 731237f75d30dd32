/**
 * The level a web app logs a response at: error for 5xx, warn for 4xx, info otherwise.
 *
 * @example
 * ```ts
 * levelOfStatus(503); // 'error'
 * ```
 */
export function levelOfStatus(status: number): 'error' | 'warn' | 'info' {
  if (status >= 500) return 'error';
  if (status >= 400) return 'warn';
  return 'info';
}
