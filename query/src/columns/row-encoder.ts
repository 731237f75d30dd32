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
import { isUnchangedJsonEvent } from '@kinlog/core';
import { canonicalJsonKeys, isWellFormed } from './canonical-json-line.js';
import { LineShapes } from './line-shapes.js';
import { wellFormedJson, wellFormedText } from './well-formed-json.js';

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
  type: ColumnType | undefined;
}

const TIMESTAMP_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z$/;
const MIN_INT32 = -2_147_483_648;
const MAX_INT32 = 2_147_483_647;
const MAX_ISO_YEAR_CHARS = 24;
/** Nested values deeper than this are not counted: their event takes the JSON.stringify way. */
const MAX_COUNTED_DEPTH = 32;
/** What {@link RowEncoder}'s `asIs` returns for an event that needs changing. */
const NOT_AS_IS = -1;
/** What it returns for an event written as is whose keys were not counted. */
const UNCOUNTED = -2;

/** Keys of a parsed JSON value at every depth, {@link UNCOUNTED} past MAX_COUNTED_DEPTH. */
function keysWithin(value: object, depth: number): number {
  if (depth > MAX_COUNTED_DEPTH) return UNCOUNTED;
  let keys = 0;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) {
      if (typeof item !== 'object' || item === null) continue;
      const within = keysWithin(item, depth + 1);
      if (within < 0) return UNCOUNTED;
      keys += within;
    }
    return keys;
  }
  for (const key in value) {
    keys++;
    const item = (value as Record<string, unknown>)[key];
    if (typeof item !== 'object' || item === null) continue;
    const within = keysWithin(item, depth + 1);
    if (within < 0) return UNCOUNTED;
    keys += within;
  }
  return keys;
}

function isInt32(value: unknown): value is number {
  return (
    typeof value === 'number' && Number.isInteger(value) && value >= MIN_INT32 && value <= MAX_INT32
  );
}

/** Whether a non-null `value` can be written as it is into a fixed column of `type`. */
function fitsAsIs(type: ColumnType, value: unknown): boolean {
  switch (type) {
    case ColumnTypes.timestamp:
      return typeof value === 'string' && TIMESTAMP_ISO.test(value);
    case ColumnTypes.integer:
      return isInt32(value);
    case ColumnTypes.bigint:
      return Number.isSafeInteger(value);
    case ColumnTypes.double:
      return Number.isFinite(value);
    case ColumnTypes.boolean:
      return typeof value === 'boolean';
    case ColumnTypes.json:
      return true;
    default:
      return typeof value === 'string';
  }
}

/**
 * A non-null `value` in the form a fixed column of `type` holds, `undefined` when it does
 * not fit: times are converted, numbers and booleans are also text, other values are taken
 * only as what they are (no number is read from text).
 */
function fitValue(type: ColumnType, value: unknown): unknown {
  if (type === ColumnTypes.timestamp) return timestampText(value);
  if (fitsAsIs(type, value)) return value;
  if (type === ColumnTypes.varchar && (typeof value === 'number' || typeof value === 'boolean'))
    return String(value);
  return undefined;
}

/**
 * A time as DuckDB reads a TIMESTAMP (ISO-8601 in UTC, years 0 to 9999, at most microseconds),
 * `undefined` when it is not one.
 *
 * @example
 * ```ts
 * timestampText('2024-01-02T03:04:05.678Z'); // '2024-01-02T03:04:05.678Z'
 * timestampText(0); // '1970-01-01T00:00:00.000Z'
 * timestampText('yesterday'); // undefined
 * ```
 */
export function timestampText(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (TIMESTAMP_ISO.test(value)) return value;
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
  return iso.length === MAX_ISO_YEAR_CHARS ? iso : undefined;
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
  private readonly byLower = new Map<string, FieldTarget>();
  /** Column by the exact field name seen, so most fields cost one lookup. */
  private readonly byField = new Map<string, FieldTarget>();
  private readonly dynamic: DynamicColumn[] = [];
  private readonly keys = new Map<string, string>();
  private readonly shapes = new LineShapes();
  private readonly fixedTypeOf = (field: string): ColumnType | undefined => {
    const target = this.byField.get(field);
    return target?.kind === 'fixed' ? target.type : undefined;
  };

  constructor(
    fixed: Readonly<Record<string, ColumnType>>,
    meta: Readonly<Partial<Record<MetaColumn, ColumnType>>> = {},
  ) {
    this.fixed = new Map(Object.entries(fixed));
    const metaColumns = new Map<string, ColumnType>();
    for (const [name, type] of Object.entries(meta))
      if (type !== undefined) metaColumns.set(name, type);
    this.meta = metaColumns;
    for (const [name, type] of this.fixed)
      this.byLower.set(name.toLowerCase(), { kind: 'fixed', name, type });
    for (const name of this.meta.keys())
      this.byLower.set(name.toLowerCase(), { kind: 'meta', name });
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
    let body = this.fields(event);
    let metaText = '';
    for (const name in meta) {
      const value = meta[name as MetaColumn];
      if (value === undefined || !this.meta.has(name)) continue;
      metaText += (metaText === '' ? '' : ',') + this.keyOf(name) + ':' + JSON.stringify(value);
    }
    if (metaText !== '')
      body = (body.length === 2 ? '{' : body.slice(0, -1) + ',') + metaText + '}';
    return body;
  }

  /**
   * The JSON object of `event`'s fields as its row holds them (no meta columns), typing the
   * columns as it goes: a row of its own, for loaders that keep meta columns apart.
   *
   * @example
   * ```ts
   * encoder.fields({ status: '500', user: { id: 1 } }); // '{"user":{"id":1}}' (status counted)
   * ```
   */
  fields(event: Readonly<Record<string, unknown>>): string {
    this.stats.rows++;
    // Most events fit as they are: then the parsed object itself is stringified (V8's fast
    // path); only events needing a change get a new object built.
    return wellFormedJson(
      this.asIs(event, false) !== NOT_AS_IS
        ? JSON.stringify(event)
        : JSON.stringify(this.rebuilt(event)),
    );
  }

  /**
   * {@link fields} of an event decoded from `line`: `line` itself when the event is exactly
   * what `JSON.parse` made of it (core's `isUnchangedJsonEvent`) and the line reads as the
   * event's JSON text would (its form canonical, no key twice; see canonical-json-line.ts),
   * which saves serializing the event again.
   *
   * @example
   * ```ts
   * const line = '{"status":500,"user":{"id":1}}';
   * encoder.fieldsOfLine(normalizeJsonEvent(JSON.parse(line), line), line) === line; // true
   * ```
   */
  fieldsOfLine(event: Readonly<Record<string, unknown>>, line: string): string {
    if (!isUnchangedJsonEvent(event)) return this.fields(event);
    this.stats.rows++;
    // A line shaped like one taken before needs no look at its event (see line-shapes.ts).
    if (isWellFormed(line) && this.shapes.matches(line)) return wellFormedJson(line);
    const keys = this.asIs(event, true);
    if (keys === NOT_AS_IS) return wellFormedJson(JSON.stringify(this.rebuilt(event)));
    if (keys < 0 || keys !== canonicalJsonKeys(line)) return wellFormedJson(JSON.stringify(event));
    this.shapes.learn(event, line, this.fixedTypeOf);
    return wellFormedJson(line);
  }

  /**
   * Notes the types of `event`'s other fields; {@link NOT_AS_IS} unless every field can be
   * written as is, else (with `countKeys`) its keys at every depth.
   */
  private asIs(event: Readonly<Record<string, unknown>>, countKeys: boolean): number {
    let keys = 0;
    for (const field in event) {
      const value = event[field];
      if (value === undefined) continue;
      const target = this.byField.get(field) ?? this.targetOf(field);
      if (target.kind !== 'dynamic' || target.name !== field) {
        if (target.kind !== 'fixed' || target.name !== field) return NOT_AS_IS;
        if (value !== null && !fitsAsIs(target.type, value)) return NOT_AS_IS;
      } else if (value !== null) {
        const column = target.column;
        const type = typeOfValue(value);
        if (type !== column.type && type !== undefined)
          column.type = column.type === undefined ? type : widenType(column.type, type);
      }
      if (!countKeys || keys < 0) continue;
      keys++;
      if (typeof value === 'object' && value !== null) {
        const within = keysWithin(value, 1);
        keys = within < 0 ? UNCOUNTED : keys + within;
      }
    }
    return countKeys ? keys : 0;
  }

  /** The row for an event with renamed, shadowed or unfit fields (types noted as it goes). */
  private rebuilt(event: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const row: Record<string, unknown> = {};
    for (const field in event) {
      const value = event[field];
      if (value === undefined) continue;
      const target = this.byField.get(field) ?? this.targetOf(field);
      if (target.kind === 'meta' || row[target.name] !== undefined) {
        this.stats.shadowed++;
        continue;
      }
      if (target.kind === 'fixed') {
        const fitted = this.fit(target.name, target.type, value);
        if (fitted !== undefined) row[target.name] = fitted;
        continue;
      }
      const column = target.column;
      if (value !== null) {
        const type = typeOfValue(value);
        if (type !== column.type && type !== undefined)
          column.type = column.type === undefined ? type : widenType(column.type, type);
      }
      row[column.name] = value;
    }
    return row;
  }

  private keyOf(name: string): string {
    let key = this.keys.get(name);
    if (key === undefined) {
      key = JSON.stringify(name);
      this.keys.set(name, key);
    }
    return key;
  }

  private targetOf(field: string): FieldTarget {
    // A column name is UTF-8 in DuckDB: a key with a lone surrogate names its column with U+FFFD
    // (then the field differs from its column's name, so its events are rebuilt).
    const name = wellFormedText(field);
    const lower = name.toLowerCase();
    let target = this.byLower.get(lower);
    if (target === undefined) {
      const column: DynamicColumn = { name, type: undefined };
      this.dynamic.push(column);
      target = { kind: 'dynamic', name, column };
      this.byLower.set(lower, target);
    }
    this.byField.set(field, target);
    return target;
  }

  /** `value` in its fixed column's form, `undefined` for NULL (counted when it was unfit). */
  private fit(name: string, type: ColumnType, value: unknown): unknown {
    if (value === null) return undefined;
    const fitted = fitValue(type, value);
    if (fitted === undefined) this.stats.nulled[name] = (this.stats.nulled[name] ?? 0) + 1;
    return fitted;
  }
}

type FieldTarget =
  | { readonly kind: 'fixed'; readonly name: string; readonly type: ColumnType }
  | { readonly kind: 'meta'; readonly name: string }
  | { readonly kind: 'dynamic'; readonly name: string; readonly column: DynamicColumn };
