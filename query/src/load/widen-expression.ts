/*
 *   a column widened once rows are in (BIGINT → DOUBLE → VARCHAR or JSON): each row already in
 *   gets the value a row loaded afterwards gets from the same JSON number, which DuckDB reads
 *   from JSON.stringify's text:
 *     integral, |x| < 1e21   digits as JSON.stringify writes them: 1e20 → 100000000000000000000
 *                            (not 1e+20), 100 → 100 (not 100.0), -0 → 0
 *     anything else          DuckDB's own text of the double (VARCHAR), to_json's (JSON)
 */
import { ColumnTypes, type ColumnType } from '../columns/column-types.js';

/** JSON.stringify writes integral numbers below this in digits, larger ones with an exponent. */
const MAX_DIGITS_INTEGER = 1e21;

/**
 * The SQL turning column `column` (an identifier) of type `from` into `to`, a widening the
 * encoder made, giving each row the value a row loaded afterwards gets from the same number.
 *
 * @example
 * ```ts
 * const using = widenExpression('"n"', 'DOUBLE', 'VARCHAR');
 * await session.exec(`ALTER TABLE logs ALTER "n" TYPE VARCHAR USING ${using}`);
 * ```
 */
export function widenExpression(column: string, from: ColumnType, to: ColumnType): string {
  if (from !== ColumnTypes.double || (to !== ColumnTypes.varchar && to !== ColumnTypes.json)) {
    return to === ColumnTypes.json ? `to_json(${column})` : `CAST(${column} AS ${to})`;
  }
  // to_json writes an integral double in digits with `.0` after them, below 1e21.
  const digits =
    `CASE WHEN ${column} = 0 THEN '0' ` +
    `ELSE regexp_replace(CAST(to_json(${column}) AS VARCHAR), '\\.0$', '') END`;
  const integral = `${column} = trunc(${column}) AND abs(${column}) < ${MAX_DIGITS_INTEGER}`;
  return to === ColumnTypes.json
    ? `CASE WHEN ${integral} THEN CAST(${digits} AS JSON) ELSE to_json(${column}) END`
    : `CASE WHEN ${integral} THEN ${digits} ELSE CAST(${column} AS VARCHAR) END`;
}
