/*
 *   event E0 taken as its own line (checked the careful way) ─▶ its shape: one anchored pattern
 *     {"time":<ISO>,"status":<int32>,"msg":<string>,"user":{"id":<scalar>,"plan":<scalar>}}
 *     (every key as written, each top-level value of E0's kind and fitting its column, tokens in
 *     canonical form: see canonical-json-line.ts)
 *   next line ─▶ matches a known shape? ─▶ taken as its own row without reading its event:
 *     same keys (so none twice), same kinds (so the column types E0 settled hold), same fits
 *
 * Records of one producer share a few shapes; reading a record's values costs more than
 * matching its line (they are objects of their own all over the heap, the line is one).
 */
import { ColumnTypes, type ColumnType } from './column-types.js';

/** Bounds of the shapes one encoder keeps. */
export const LineShapeLimits = {
  /** Shapes tried for each line, the latest first. */
  MAX_SHAPES: 8,
  /** Shapes made over an encoder's life: past it, lines go the careful way only. */
  MAX_SHAPES_MADE: 256,
  /** Keys (at every depth) of an event whose shape is kept; wider events are not. */
  MAX_KEYS: 256,
  /** Nesting of an event whose shape is kept. */
  MAX_DEPTH: 8,
  /** Longer lines are not matched: a pattern's run over megabytes is not worth it. */
  MAX_LINE_CHARS: 64 * 1024,
} as const;

/** A string token, as an unrolled loop: no backtracking point per character. */
const STRING = '"[^"\\\\]*(?:\\\\.[^"\\\\]*)*"';
/** An integer of at most 15 digits, not -0. */
const INTEGER = '(?:0|-?[1-9]\\d{0,14})';
/** An integer of at most 9 digits, within INTEGER's range. */
const INT32 = '(?:0|-?[1-9]\\d{0,8})';
/** A fraction ending in a non-zero digit, at most 15 digits (and a sign and a dot). */
const FRACTION = '(?=-?[\\d.]{3,16}[,}\\]])-?(?:0|[1-9]\\d*)\\.\\d*[1-9]';
const BOOLEAN = '(?:true|false)';
const SCALAR = `(?:${STRING}|${INTEGER}|${FRACTION}|${BOOLEAN}|null)`;
const SCALAR_ARRAY = `\\[(?:${SCALAR}(?:,${SCALAR})*)?\\]`;
/** TIMESTAMP_ISO of row-encoder.ts, quoted. */
const ISO_TIME = '"\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,6})?Z"';
const REGEXP_SPECIAL = /[\\^$.*+?()[\]{}|/]/g;

/** The pattern of one key as JSON.stringify writes it, with its colon. */
function keyPattern(key: string): string {
  return (JSON.stringify(key) + ':').replace(REGEXP_SPECIAL, '\\$&');
}

/** Counts keys and depth while a shape is made; past the bounds it gives up. */
interface Budget {
  keys: number;
}

/** The pattern of a nested value (its kind kept only for objects and arrays). */
function nestedPattern(value: unknown, depth: number, budget: Budget): string | undefined {
  if (typeof value !== 'object' || value === null) return SCALAR;
  if (depth > LineShapeLimits.MAX_DEPTH) return undefined;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) if (typeof item === 'object' && item !== null) return;
    return SCALAR_ARRAY;
  }
  let pattern = '\\{';
  let first = true;
  for (const key in value) {
    if (++budget.keys > LineShapeLimits.MAX_KEYS) return undefined;
    const inner = nestedPattern((value as Record<string, unknown>)[key], depth + 1, budget);
    if (inner === undefined) return undefined;
    pattern += (first ? '' : ',') + keyPattern(key) + inner;
    first = false;
  }
  return pattern + '\\}';
}

/** The pattern of a top-level value of the column type `type`, of the value's own kind. */
function fieldPattern(
  type: ColumnType | undefined,
  value: unknown,
  budget: Budget,
): string | undefined {
  switch (typeof value) {
    case 'string':
      return type === ColumnTypes.timestamp ? ISO_TIME : STRING;
    case 'number':
      if (!Number.isSafeInteger(value)) return FRACTION;
      return type === ColumnTypes.integer ? INT32 : INTEGER;
    case 'boolean':
      return BOOLEAN;
    case 'object':
      return value === null ? 'null' : nestedPattern(value, 1, budget);
    default:
      return undefined;
  }
}

/**
 * The shapes of JSON lines already taken as their own rows: a line of one of them may be
 * taken too, without reading its event (see the diagram above).
 *
 * @example
 * ```ts
 * const shapes = new LineShapes();
 * if (!shapes.matches(line)) { ...the careful way...; shapes.learn(event, line, (key) => type); }
 * ```
 */
export class LineShapes {
  private readonly shapes: RegExp[] = [];
  private made = 0;

  /** Whether `line` has the shape of a line taken before. */
  matches(line: string): boolean {
    if (line.length > LineShapeLimits.MAX_LINE_CHARS) return false;
    const shapes = this.shapes;
    for (let i = 0; i < shapes.length; i++) if (shapes[i]!.test(line)) return true;
    return false;
  }

  /**
   * Keeps the shape of `line`, taken as its own row after the careful checks, with `event`
   * (what JSON.parse made of it) and the fixed column type of each key (`undefined` for the
   * others).
   */
  learn(
    event: Readonly<Record<string, unknown>>,
    line: string,
    fixedType: (key: string) => ColumnType | undefined,
  ): void {
    if (this.made >= LineShapeLimits.MAX_SHAPES_MADE) return;
    if (line.length > LineShapeLimits.MAX_LINE_CHARS) return;
    const budget: Budget = { keys: 0 };
    let pattern = '^\\{';
    let first = true;
    for (const key in event) {
      if (++budget.keys > LineShapeLimits.MAX_KEYS) return;
      const value = fieldPattern(fixedType(key), event[key], budget);
      if (value === undefined) return;
      pattern += (first ? '' : ',') + keyPattern(key) + value;
      first = false;
    }
    const shape = new RegExp(pattern + '\\}$');
    // Keys JavaScript lists in another order than the line (integer-like ones) do not match.
    if (!shape.test(line)) return;
    this.made++;
    if (this.shapes.length >= LineShapeLimits.MAX_SHAPES) this.shapes.pop();
    this.shapes.unshift(shape);
  }
}
