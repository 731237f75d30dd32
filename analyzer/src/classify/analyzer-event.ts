/**
 * The fields of a decoded log record that classification looks at. Every field is read
 * defensively: records come from untrusted producers, so a declared `string` may at run time be
 * anything JSON can hold.
 *
 * @example
 * ```ts
 * const event: AnalyzerEvent = { level: 'error', msg: 'db timeout after 3000ms', page: '/cart' };
 * ```
 */
export interface AnalyzerEvent {
  readonly time?: string;
  /** A level name (`error`, `FATAL`) or a pino/bunyan number (50 = error). */
  readonly level?: string | number;
  readonly msg?: string;
  readonly region?: string;
  readonly page?: string;
  readonly path?: string;
  readonly status?: number;
  readonly clientIp?: string;
  /**
   * Set when no parser could read the record; `msg` then holds its text (records shipped by
   * earlier versions hold it in `raw` too). Counted as unparsed, whatever else it carries.
   */
  readonly parseError?: true;
  readonly raw?: string;
  readonly [key: string]: unknown;
}
