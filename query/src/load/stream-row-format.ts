/*
 *   one spooled stream row, TAB-separated, read by read_csv with no quoting or escaping:
 *
 *   fields JSON ⇥ _stream ⇥ _shard ⇥ _seq ⇥ _arrival ⇥ _partition_key ⇥ _format ⇥ raw ⇥ json
 *
 *   fields   the event's fields as a JSON object (JSON.stringify: no TAB, CR or LF in it)
 *   meta     plain text when non-empty and free of control characters; otherwise every meta
 *            value of the row is a JSON string (or empty for NULL) and `json` is `j`
 *   raw      empty when the line is the fields text itself (a JSON line that needed no
 *            change: most of them), else the line as a JSON string (`null` for none)
 *
 * DuckDB then splits lines (cheap) and parses only the fields JSON: no line is written or
 * parsed twice, and nothing is escaped for the common row.
 */
import { MetaColumns } from '../columns/column-types.js';
import type { ColumnSpec } from '../columns/row-encoder.js';
import { quoteIdent, quoteLiteral } from '../session/query-session.js';

/** Meta columns of a spooled stream row, in their place on the line. */
export const STREAM_ROW_META = [
  '_stream',
  '_shard',
  '_seq',
  '_arrival',
  '_partition_key',
  '_format',
] as const;

/** Marks a row whose meta values are JSON strings. */
export const JSON_META_FLAG = 'j';
/** The raw column of a row that has no raw text. */
export const NO_RAW = 'null';

/** A meta value that can go on the line as it is (not empty, no control character). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it finds
export const PLAIN_META = /^[^\x00-\x1f]+$/;

const FIELDS = 'kinlog_fields';
const RAW = 'kinlog_raw';
const FLAG = 'kinlog_json';

/**
 * The SELECT reading a spool file of stream rows as the columns of `columns` (fields typed as
 * given, meta columns as {@link MetaColumns}).
 *
 * @example
 * ```ts
 * await session.exec(`INSERT INTO logs BY NAME ${streamRowsSelect(file, encoder.columns(), maxLineBytes)}`);
 * ```
 */
export function streamRowsSelect(
  file: string,
  columns: readonly ColumnSpec[],
  maxLineBytes: number,
): string {
  const metaNames = new Set<string>(Object.keys(MetaColumns));
  const fields = columns.filter((c) => !metaNames.has(c.name));
  const struct = JSON.stringify(Object.fromEntries(fields.map((c) => [c.name, c.type])));
  const csvColumns = [FIELDS, ...STREAM_ROW_META, RAW, FLAG]
    .map((name) => `${quoteLiteral(name)}: 'VARCHAR'`)
    .join(', ');
  const f = quoteIdent(FIELDS);
  const flag = quoteIdent(FLAG);
  const raw = quoteIdent(RAW);
  const select = [
    ...(fields.length === 0 ? [] : [`unnest(json_transform(${f}, ${quoteLiteral(struct)}))`]),
    ...STREAM_ROW_META.map((name) => {
      const c = quoteIdent(name);
      const text = `CASE WHEN ${flag} IS NULL THEN ${c} ELSE ${c} ->> '$' END`;
      return MetaColumns[name] === 'VARCHAR'
        ? `${text} AS ${c}`
        : `CAST(${text} AS ${MetaColumns[name]}) AS ${c}`;
    }),
    `CASE WHEN ${raw} IS NULL THEN ${f} ELSE ${raw} ->> '$' END AS ${quoteIdent('_raw')}`,
  ];
  return (
    `SELECT ${select.join(', ')} FROM read_csv(${quoteLiteral(file)}, columns = {${csvColumns}}, ` +
    `delim = '\\t', quote = '', escape = '', header = false, auto_detect = false, ` +
    `new_line = '\\n', max_line_size = ${maxLineBytes}, buffer_size = ${maxLineBytes})`
  );
}
