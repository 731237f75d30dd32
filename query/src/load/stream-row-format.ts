/*
 *   one spooled stream row, TAB-separated, read by read_csv with no quoting or escaping:
 *
 *   fields JSON ⇥ _shard ⇥ _seq ⇥ _arrival ⇥ _partition_key ⇥ _format ⇥ raw ⇥ json
 *
 *   fields   the event's fields as a JSON object: the record's own line when that reads the
 *            same (see canonical-json-line.ts), else JSON.stringify's (no TAB, CR or LF in it)
 *   meta     plain text when non-empty and free of control characters; otherwise every meta
 *            value of the row is a JSON string (or empty for NULL) and `json` is `j`; _arrival
 *            as integer milliseconds since 1970 (DuckDB reads an integer and scales it, cheaper
 *            than reading a time's text, and JavaScript writes it without building one)
 *   raw      empty when the line is the fields text itself (a JSON line that needed no
 *            change: most of them), else the line as a JSON string (`null` for none)
 *   _stream  the same for every row: a constant of the SELECT, not on the line
 *   shared   a plain row whose _shard and _format are those of its chunk's first plain row
 *            (SpoolFile.shared) leaves both empty: rows come shard by shard, so in the common
 *            chunk they are constants of the SELECT too, and never read
 *
 * DuckDB then splits lines (cheap) and parses only the fields JSON: no line is written or
 * parsed twice, and nothing is escaped for the common row. A chunk none of whose rows has JSON
 * meta values or a raw text apart (its {@link StreamRowFlags}) is read without the CASEs.
 */
import { MetaColumns } from '../columns/column-types.js';
import type { ColumnSpec } from '../columns/row-encoder.js';
import { quoteIdent, quoteLiteral } from '../session/query-session.js';

/** Meta columns of a spooled stream row, in their place on the line. */
export const STREAM_ROW_META = ['_shard', '_seq', '_arrival', '_partition_key', '_format'] as const;
type StreamRowMeta = (typeof STREAM_ROW_META)[number];

/** Marks a row whose meta values are JSON strings. */
export const JSON_META_FLAG = 'j';
/** The raw column of a row that has no raw text. */
export const NO_RAW = 'null';

/** What a chunk's rows hold, as bits of SpoolFile.flags: what its SELECT must undo. */
export const StreamRowFlags = {
  /** Some row's meta values are JSON strings. */
  jsonMeta: 1,
  /** Some row's raw text is apart from its fields. */
  rawApart: 2,
  /** Some row writes its _shard or _format though its chunk has shared ones. */
  sharedApart: 4,
} as const;

/** The _shard and _format a chunk's plain rows may leave empty (see SpoolFile.shared). */
export type SharedMeta = Readonly<{ _shard?: string; _format?: string }>;

/** A meta value that can go on the line as it is (not empty, no control character). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it finds
export const PLAIN_META = /^[^\x00-\x1f]+$/;

const FIELDS = 'kinlog_fields';
/** The arrival column, spooled as epoch milliseconds and read with `epoch_ms` (a TIMESTAMP). */
const ARRIVAL = '_arrival';
const ARRIVAL_CSV_TYPE = 'BIGINT';
const RAW = 'kinlog_raw';
const FLAG = 'kinlog_json';

/**
 * The SELECT reading a spool file of stream rows of `stream` as the columns of `columns`
 * (fields typed as given, meta columns as {@link MetaColumns}); `flags`
 * ({@link StreamRowFlags}) say what its rows hold, and `shared` the _shard and _format of
 * the rows that leave them empty.
 *
 * @example
 * ```ts
 * const select = streamRowsSelect(file, encoder.columns(), maxLineBytes, 'web-logs', file.flags, {
 *   _shard: 'shardId-000000000000',
 *   _format: 'json',
 * });
 * await session.exec(`INSERT INTO logs BY NAME ${select}`);
 * ```
 */
export function streamRowsSelect(
  file: string,
  columns: readonly ColumnSpec[],
  maxLineBytes: number,
  stream: string,
  flags: number = StreamRowFlags.jsonMeta | StreamRowFlags.rawApart,
  shared?: SharedMeta,
): string {
  const metaNames = new Set<string>(Object.keys(MetaColumns));
  const fields = columns.filter((c) => !metaNames.has(c.name));
  const struct = JSON.stringify(Object.fromEntries(fields.map((c) => [c.name, c.type])));
  // Plain meta values are read in their column's type; JSON ones as text, then converted.
  const plainMeta = (flags & StreamRowFlags.jsonMeta) === 0;
  const csvType = (name: string): string => {
    if (!plainMeta || !(name in MetaColumns)) return 'VARCHAR';
    return name === ARRIVAL ? ARRIVAL_CSV_TYPE : MetaColumns[name as keyof typeof MetaColumns];
  };
  const csvColumns = [FIELDS, ...STREAM_ROW_META, RAW, FLAG]
    .map((name) => `${quoteLiteral(name)}: ${quoteLiteral(csvType(name))}`)
    .join(', ');
  const f = quoteIdent(FIELDS);
  const flag = quoteIdent(FLAG);
  const raw = quoteIdent(RAW);
  const select = [
    ...(fields.length === 0 ? [] : [`unnest(json_transform(${f}, ${quoteLiteral(struct)}))`]),
    `${quoteLiteral(stream)} AS ${quoteIdent('_stream')}`,
    ...STREAM_ROW_META.map((name) => {
      const c = quoteIdent(name);
      const value = metaValue(name, c, plainMeta, flag);
      const sharedValue = name === '_shard' || name === '_format' ? shared?.[name] : undefined;
      if (sharedValue === undefined) return `${value} AS ${c}`;
      // Only plain rows leave a value empty, and no row's _shard or _format is NULL.
      const literal = quoteLiteral(sharedValue);
      if (plainMeta && (flags & StreamRowFlags.sharedApart) === 0) return `${literal} AS ${c}`;
      return `coalesce(${value}, ${literal}) AS ${c}`;
    }),
    (flags & StreamRowFlags.rawApart) === 0
      ? `${f} AS ${quoteIdent('_raw')}`
      : `CASE WHEN ${raw} IS NULL THEN ${f} ELSE ${raw} ->> '$' END AS ${quoteIdent('_raw')}`,
  ];
  return (
    `SELECT ${select.join(', ')} FROM read_csv(${quoteLiteral(file)}, columns = {${csvColumns}}, ` +
    `delim = '\\t', quote = '', escape = '', header = false, auto_detect = false, ` +
    `new_line = '\\n', max_line_size = ${maxLineBytes}, buffer_size = ${maxLineBytes})`
  );
}

/** The value of meta column `name` (identifier `c`) of a row, as read from its text. */
function metaValue(name: StreamRowMeta, c: string, plainMeta: boolean, flag: string): string {
  if (plainMeta) return name === ARRIVAL ? `epoch_ms(${c})` : c;
  const text = `CASE WHEN ${flag} IS NULL THEN ${c} ELSE ${c} ->> '$' END`;
  if (name === ARRIVAL) return `epoch_ms(CAST(${text} AS ${ARRIVAL_CSV_TYPE}))`;
  // DuckDB drops a cast to the type a value has (the VARCHAR ones).
  return `CAST(${text} AS ${MetaColumns[name]})`;
}
