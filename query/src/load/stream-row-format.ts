/*
 *   one spooled stream row, TAB-separated, read by read_csv with no quoting or escaping:
 *
 *   fields JSON ⇥ _shard ⇥ _seq ⇥ _arrival ⇥ _partition_key ⇥ _format ⇥ raw ⇥ json
 *
 *   fields   the event's fields as a JSON object: the record's own line when that reads the
 *            same (see canonical-json-line.ts), else JSON.stringify's (no TAB, CR or LF in it)
 *   _shard,  the code of the value (ValueCodes, from 1): the table stores the code, and the
 *   _format  view of the table's name gives the text back (see streamRowsView)
 *   meta     the others: plain text when non-empty and free of control characters; otherwise
 *            they are JSON strings (or empty for NULL) and `json` is `j`; _arrival as integer
 *            milliseconds since 1970 (DuckDB reads an integer and scales it, cheaper than
 *            reading a time's text, and JavaScript writes it without building one)
 *   raw      empty when the line is the fields text itself (a JSON line that needed no
 *            change: most of them), else the line as a JSON string (`null` for none)
 *   _stream  the same for every row: a constant of the view, neither on the line nor stored
 *   shared   a plain row whose _shard and _format codes are those of its chunk's first plain
 *            row (SpoolFile.shared) leaves both empty: rows come shard by shard, so in the
 *            common chunk they are constants of the SELECT, and never read
 *
 *   kinlog_rows."logs"  fields, _shard code, _seq, _arrival, _partition_key, _format code, _raw
 *        ▲ INSERT … SELECT … read_csv(chunk)            │
 *        └──────────────────────────── VIEW "logs" ◀────┘ fields, _stream, _shard, … _raw
 *
 * DuckDB then splits lines (cheap) and parses only the fields JSON: no line is written or
 * parsed twice, and nothing is escaped for the common row. A chunk none of whose rows has JSON
 * meta values or a raw text apart (its {@link StreamRowFlags}) is read without the CASEs.
 * Storing the three texts that repeat on every row as codes (or not at all) took about a tenth
 * off the load's CPU: DuckDB copied, checked and measured each one again for every row.
 */
import { MetaColumns } from '../columns/column-types.js';
import type { ColumnSpec } from '../columns/row-encoder.js';
import { quoteIdent, quoteLiteral } from '../session/query-session.js';
import type { ValueCodes } from './value-codes.js';

/** Meta columns of a spooled stream row, in their place on the line. */
export const STREAM_ROW_META = ['_shard', '_seq', '_arrival', '_partition_key', '_format'] as const;
type StreamRowMeta = (typeof STREAM_ROW_META)[number];
/** Meta columns stored as {@link ValueCodes} codes. */
const CODED_META = ['_shard', '_format'] as const;
type CodedMeta = (typeof CODED_META)[number];
/** The type a coded column is stored as. */
const CODE_TYPE = 'UINTEGER';
/** The column every row of a stream table has the same value of: only in the view. */
const STREAM = '_stream';
/** The schema stream tables are stored in, each behind a view of its name in `main`. */
export const STORED_ROWS_SCHEMA = 'kinlog_rows';

/** The codes of a stream table's coded meta columns. */
export type MetaCodes = Readonly<Record<CodedMeta, ValueCodes>>;

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

/** The _shard and _format codes a chunk's plain rows may leave empty (see SpoolFile.shared). */
export type SharedMeta = Readonly<{ _shard?: number; _format?: number }>;

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
 * The SELECT reading a spool file of stream rows as the stored columns of a table of
 * `columns` (fields typed as given, meta columns as {@link storedStreamColumns} has them);
 * `flags` ({@link StreamRowFlags}) say what its rows hold, and `shared` the _shard and _format
 * codes of the rows that leave them empty.
 *
 * @example
 * ```ts
 * const select = streamRowsSelect(file, encoder.columns(), maxLineBytes, file.flags, {
 *   _shard: 1,
 *   _format: 1,
 * });
 * await session.exec(`INSERT INTO ${storedRowsTable('logs')} BY NAME ${select}`);
 * ```
 */
export function streamRowsSelect(
  file: string,
  columns: readonly ColumnSpec[],
  maxLineBytes: number,
  flags: number = StreamRowFlags.jsonMeta | StreamRowFlags.rawApart,
  shared?: SharedMeta,
): string {
  const metaNames = new Set<string>(Object.keys(MetaColumns));
  const fields = columns.filter((c) => !metaNames.has(c.name));
  const struct = JSON.stringify(Object.fromEntries(fields.map((c) => [c.name, c.type])));
  // Plain meta values are read in their column's type; JSON ones as text, then converted.
  const plainMeta = (flags & StreamRowFlags.jsonMeta) === 0;
  const sharedApart = (flags & StreamRowFlags.sharedApart) !== 0;
  const csvType = (name: string): string => {
    if (isCoded(name)) return CODE_TYPE;
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
    ...STREAM_ROW_META.map((name) => {
      const c = quoteIdent(name);
      if (!isCoded(name)) return `${metaValue(name, c, plainMeta, flag)} AS ${c}`;
      // Codes are always plain; only plain rows leave one empty, for their chunk's shared one.
      const code = shared?.[name];
      if (code === undefined) return `${c} AS ${c}`;
      return sharedApart ? `coalesce(${c}, ${code}) AS ${c}` : `${code} AS ${c}`;
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

/**
 * The quoted name of the table the rows of stream table `table` are stored in.
 *
 * @example
 * ```ts
 * storedRowsTable('logs'); // '"kinlog_rows"."logs"'
 * ```
 */
export function storedRowsTable(table: string): string {
  return `${quoteIdent(STORED_ROWS_SCHEMA)}.${quoteIdent(table)}`;
}

/**
 * The columns a stream table of `columns` is stored with: _stream not at all, _shard and
 * _format as codes, the others as they are.
 *
 * @example
 * ```ts
 * storedStreamColumns([{ name: '_stream', type: 'VARCHAR' }, { name: '_shard', type: 'VARCHAR' }]);
 * // [{ name: '_shard', type: 'UINTEGER' }]
 * ```
 */
export function storedStreamColumns(
  columns: readonly ColumnSpec[],
): { readonly name: string; readonly type: string }[] {
  return columns
    .filter((c) => c.name !== STREAM)
    .map((c) => (isCoded(c.name) ? { name: c.name, type: CODE_TYPE } : c));
}

/**
 * The view that shows the stored rows of stream table `table` as `columns`, in their order:
 * `_stream` as the stream's name, `_shard` and `_format` as the values their codes stand for.
 *
 * @example
 * ```ts
 * await session.exec(streamRowsView('logs', columns, 'web-logs', codes));
 * ```
 */
export function streamRowsView(
  table: string,
  columns: readonly ColumnSpec[],
  stream: string,
  codes: MetaCodes,
): string {
  const list = columns.map((c) => {
    const name = quoteIdent(c.name);
    if (c.name === STREAM) return `CAST(${quoteLiteral(stream)} AS VARCHAR) AS ${name}`;
    if (!isCoded(c.name)) return name;
    const values = codes[c.name].values;
    // No rows, no codes: the column is NULL, of its type.
    if (values.length === 0) return `CAST(NULL AS VARCHAR) AS ${name}`;
    return `list_extract([${values.map(quoteLiteral).join(', ')}], ${name}) AS ${name}`;
  });
  return `CREATE VIEW ${quoteIdent(table)} AS SELECT ${list.join(', ')} FROM ${storedRowsTable(table)}`;
}

function isCoded(name: string): name is CodedMeta {
  return (CODED_META as readonly string[]).includes(name);
}

/** The value of meta column `name` (identifier `c`) of a row, as read from its text. */
function metaValue(name: StreamRowMeta, c: string, plainMeta: boolean, flag: string): string {
  if (plainMeta) return name === ARRIVAL ? `epoch_ms(${c})` : c;
  const text = `CASE WHEN ${flag} IS NULL THEN ${c} ELSE ${c} ->> '$' END`;
  if (name === ARRIVAL) return `epoch_ms(CAST(${text} AS ${ARRIVAL_CSV_TYPE}))`;
  // DuckDB drops a cast to the type a value has (the VARCHAR ones).
  return `CAST(${text} AS ${MetaColumns[name]})`;
}
