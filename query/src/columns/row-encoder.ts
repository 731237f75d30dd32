/*
 *   event ─┬─ fixed field (time, status, level…) ─▶ converted to its type, or NULL (counted)
 *          ├─ other field ─▶ its column's type widened to fit (first spelling names the column)
 *          └─ meta (_stream, _seq, …) ─▶ as given; an event field of the same name is dropped
 *   ─▶ one NDJSON line keyed by column name, read back by DuckDB's read_json with the columns
 *      this encoder settled on (so every value fits its column)
 */
import {
  ColumnTypes,
  typeOfValue,
  widenType,
  type ColumnType,
  type MetaColumn,
} from './column-types.js';

/** One column of a loaded table. */
export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
}

/** What the encoder had to change to make values fit. */
export interface EncodeStats {
  rows: number;
  /** Values read as NULL because they did not fit their fixed column, by column. */
  nulled: Record<string, number>;
  /** Event fields dropped because a meta column or an earlier spelling had their name. */
  shadowed: number;
}

interface DynamicColumn {
  readonly name: string;
  readonly key: string;
  type: ColumnType | undefined;
}

const TIMESTAMP_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z$/;
const MIN_INT32 = -2_147_483_648;
const MAX_INT32 = 2_147_483_647;
const MAX_ISO_YEAR_CHARS = 24;

/**
 * A time as DuckDB reads a TIMESTAMP (`2024-01-02 03:04:05.678`, UTC), `undefined` when it is
 * not one.
 *
 * @example
 * ```ts
 * timestampText('2024-01-02T03:04:05.678Z'); // '2024-01-02 03:04:05.678'
 * timestampText('yesterday'); // undefined
 * ```
 */
export function timestampText(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (TIMESTAMP_ISO.test(value)) return value.slice(0, 10) + ' ' + value.slice(11, -1);
    return msText(Date.parse(value));
  }
  if (typeof value === 'number') return msText(value);
  return undefined;
}

function msText(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return undefined;
  const iso = date.toISOString();
  // Years past 9999 or before 0 come out as ±YYYYYY: outside what the column is for.
  if (iso.length !== MAX_ISO_YEAR_CHARS) return undefined;
  return iso.slice(0, 10) + ' ' + iso.slice(11, -1);
}

/**
 * Turns events into NDJSON rows of one table and settles the table's columns: fixed ones with
 * their stable types, the others typed by what the rows held.
 *
 * @example
 * ```ts
 * const encoder = new RowEncoder(EventColumns, MetaColumns);
 * const line = encoder.encode({ status: 500, user: { id: 1 } }, { _stream: 'logs', _seq: '1' });
 * encoder.columns(); // time, level, status, …, user JSON, _stream, …
 * ```
 */
export class RowEncoder {
  readonly stats: EncodeStats = { rows: 0, nulled: {}, shadowed: 0 };
  private readonly fixed: ReadonlyMap<string, ColumnType>;
  private readonly meta: ReadonlyMap<string, ColumnType>;
  /** Column by lowercased name: DuckDB names are case-insensitive. */
  private readonly byLower = new Map<string, DynamicColumn | ColumnSpec>();
  private readonly dynamic: DynamicColumn[] = [];
  private readonly keys = new Map<string, string>();

  constructor(
    fixed: Readonly<Record<string, ColumnType>>,
    meta: Readonly<Partial<Record<MetaColumn, ColumnType>>> = {},
  ) {
    this.fixed = new Map(Object.entries(fixed));
    const metaColumns = new Map<string, ColumnType>();
    for (const [name, type] of Object.entries(meta))
      if (type !== undefined) metaColumns.set(name, type);
    this.meta = metaColumns;
    for (const [name, type] of [...this.fixed, ...this.meta]) {
      this.byLower.set(name.toLowerCase(), { name, type });
      this.keys.set(name, JSON.stringify(name));
    }
  }

  /** Every column so far: fixed ones, then others in order of first sight, then meta. */
  columns(): ColumnSpec[] {
    return [
      ...[...this.fixed].map(([name, type]) => ({ name, type })),
      ...this.dynamic.map((c) => ({ name: c.name, type: c.type ?? ColumnTypes.varchar })),
      ...[...this.meta].map(([name, type]) => ({ name, type })),
    ];
  }

  /**
   * One NDJSON line for `event` and its meta values (already in their column's form:
   * timestamps through {@link timestampText}).
   */
  encode(
    event: Readonly<Record<string, unknown>>,
    meta: Readonly<Partial<Record<MetaColumn, string | undefined>>> = {},
  ): string {
    this.stats.rows++;
    let out = '{';
    const seen = new Set<string>();
    for (const field in event) {
      const value = event[field];
      if (value === undefined) continue;
      const lower = field.toLowerCase();
      const column = this.byLower.get(lower);
      if (this.meta.has(field) || (column !== undefined && this.meta.has(column.name))) {
        this.stats.shadowed++;
        continue;
      }
      if (seen.has(lower)) {
        this.stats.shadowed++;
        continue;
      }
      seen.add(lower);
      let text: string;
      const fixedType = column === undefined ? undefined : this.fixed.get(column.name);
      if (column !== undefined && fixedType !== undefined) {
        const fitted = this.fit(column.name, fixedType, value);
        if (fitted === undefined) continue;
        text = fitted;
      } else {
        text = this.dynamicValue(column as DynamicColumn | undefined, field, lower, value);
      }
      out += (out.length === 1 ? '' : ',') + this.keyOf(column?.name ?? field) + ':' + text;
    }
    for (const name in meta) {
      const value = meta[name as MetaColumn];
      if (value === undefined || !this.meta.has(name)) continue;
      out += (out.length === 1 ? '' : ',') + this.keyOf(name) + ':' + JSON.stringify(value);
    }
    return out + '}';
  }

  private keyOf(name: string): string {
    let key = this.keys.get(name);
    if (key === undefined) {
      key = JSON.stringify(name);
      this.keys.set(name, key);
    }
    return key;
  }

  private dynamicValue(
    column: DynamicColumn | undefined,
    field: string,
    lower: string,
    value: unknown,
  ): string {
    const type = typeOfValue(value);
    if (column === undefined) {
      const created: DynamicColumn = { name: field, key: JSON.stringify(field), type };
      this.byLower.set(lower, created);
      this.dynamic.push(created);
    } else if (type !== undefined) {
      column.type = column.type === undefined ? type : widenType(column.type, type);
    }
    return JSON.stringify(value) ?? 'null';
  }

  /** The JSON text of `value` in a fixed column, `undefined` for absent; NULL when unfit. */
  private fit(name: string, type: ColumnType, value: unknown): string | undefined {
    if (value === null) return undefined;
    let fitted: unknown;
    if (type === ColumnTypes.timestamp) fitted = timestampText(value);
    else if (type === ColumnTypes.integer)
      fitted =
        typeof value === 'number' &&
        Number.isInteger(value) &&
        value >= MIN_INT32 &&
        value <= MAX_INT32
          ? value
          : undefined;
    else if (typeof value === 'string') fitted = value;
    else if (typeof value === 'number' || typeof value === 'boolean') fitted = String(value);
    if (fitted === undefined) {
      this.stats.nulled[name] = (this.stats.nulled[name] ?? 0) + 1;
      return undefined;
    }
    return JSON.stringify(fitted);
  }
}
