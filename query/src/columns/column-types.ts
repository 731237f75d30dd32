/** DuckDB types a column of a loaded table can have. */
export const ColumnTypes = {
  boolean: 'BOOLEAN',
  bigint: 'BIGINT',
  integer: 'INTEGER',
  double: 'DOUBLE',
  varchar: 'VARCHAR',
  timestamp: 'TIMESTAMP',
  json: 'JSON',
} as const;
export type ColumnType = (typeof ColumnTypes)[keyof typeof ColumnTypes];

/**
 * Fields of every log event with a fixed type, whatever a window holds, so saved SQL keeps
 * working from one window to the next. A value that does not fit is read as NULL and counted.
 */
export const EventColumns = {
  time: ColumnTypes.timestamp,
  level: ColumnTypes.varchar,
  status: ColumnTypes.integer,
  region: ColumnTypes.varchar,
  page: ColumnTypes.varchar,
  msg: ColumnTypes.varchar,
  service: ColumnTypes.varchar,
  host: ColumnTypes.varchar,
  source: ColumnTypes.varchar,
} as const satisfies Record<string, ColumnType>;

/** Columns kinlog adds to every stream row: where the record came from and what it was. */
export const MetaColumns = {
  _stream: ColumnTypes.varchar,
  _shard: ColumnTypes.varchar,
  /** Kinesis sequence numbers pass 128 bits: text, compared within a shard by length then text. */
  _seq: ColumnTypes.varchar,
  _arrival: ColumnTypes.timestamp,
  _partition_key: ColumnTypes.varchar,
  /** `json`, `text` or `unparsed`, prefixed with `gzip+` or `kpl+` when so packed. */
  _format: ColumnTypes.varchar,
  /** The decoded text line the event was read from. */
  _raw: ColumnTypes.varchar,
} as const satisfies Record<string, ColumnType>;
export type MetaColumn = keyof typeof MetaColumns;

/**
 * The type of a column that holds values of both types: numbers widen to DOUBLE, anything with
 * objects or arrays becomes JSON, other mixes VARCHAR (every value then reads as its text).
 *
 * @example
 * ```ts
 * widenType('BIGINT', 'DOUBLE'); // 'DOUBLE'
 * widenType('BOOLEAN', 'VARCHAR'); // 'VARCHAR'
 * ```
 */
export function widenType(a: ColumnType, b: ColumnType): ColumnType {
  if (a === b) return a;
  if (a === ColumnTypes.json || b === ColumnTypes.json) return ColumnTypes.json;
  const numeric = (t: ColumnType) => t === ColumnTypes.bigint || t === ColumnTypes.double;
  if (numeric(a) && numeric(b)) return ColumnTypes.double;
  return ColumnTypes.varchar;
}

/**
 * The type a JSON value calls for, `undefined` for null (which fits every type).
 *
 * @example
 * ```ts
 * typeOfValue(3); // 'BIGINT'
 * typeOfValue({ a: 1 }); // 'JSON'
 * ```
 */
export function typeOfValue(value: unknown): ColumnType | undefined {
  switch (typeof value) {
    case 'string':
      return ColumnTypes.varchar;
    case 'boolean':
      return ColumnTypes.boolean;
    case 'number':
      return Number.isSafeInteger(value) ? ColumnTypes.bigint : ColumnTypes.double;
    case 'bigint':
      return ColumnTypes.bigint;
    case 'object':
      return value === null ? undefined : ColumnTypes.json;
    default:
      return undefined;
  }
}
