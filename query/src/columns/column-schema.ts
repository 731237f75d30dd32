/*
 *   --schema types.json  {"durationMs": "BIGINT", "user": "JSON", "status": "BIGINT"}
 *     ─▶ checked (every problem at once) ─▶ fixed columns: the common event fields with the
 *        file's types laid over them, then the file's other columns in its order
 *     ─▶ a value that does not fit its pinned type is read as NULL and counted
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, type ConfigProblem } from '@kinlog/core';
import { z } from 'zod';
import { ColumnTypes, EventColumns, MetaColumns, type ColumnType } from './column-types.js';

/** Bounds of a column schema file. */
export const ColumnSchemaLimits = {
  MAX_FILE_BYTES: 1024 * 1024,
  MAX_COLUMNS: 1000,
} as const;

const TYPE_NAMES = Object.values(ColumnTypes);
const metaNames = new Set(Object.keys(MetaColumns).map((name) => name.toLowerCase()));

const SchemaFile = z.record(z.string(), z.unknown()).superRefine((record, ctx) => {
  const seen = new Map<string, string>();
  const names = Object.keys(record);
  if (names.length > ColumnSchemaLimits.MAX_COLUMNS)
    ctx.addIssue({
      code: 'custom',
      path: [],
      message: `pins ${names.length} columns, at most ${ColumnSchemaLimits.MAX_COLUMNS}`,
    });
  for (const [name, type] of Object.entries(record)) {
    const problem = (message: string) => ctx.addIssue({ code: 'custom', path: [name], message });
    const lower = name.toLowerCase();
    if (name.trim() === '') problem('a column needs a name');
    if (metaNames.has(lower)) problem('is a column kinlog fills itself; it cannot be pinned');
    const other = seen.get(lower);
    if (other !== undefined)
      problem(`names the same column as ${JSON.stringify(other)} (DuckDB names ignore case)`);
    seen.set(lower, name);
    if (
      typeof type !== 'string' ||
      !(TYPE_NAMES as readonly string[]).includes(type.trim().toUpperCase())
    )
      problem(`type ${JSON.stringify(type)} must be one of ${TYPE_NAMES.join(', ')}`);
  }
});

/**
 * Column types pinned by a schema file's text: `{"column": "TYPE", ...}`, types among
 * {@link ColumnTypes} (any case).
 *
 * @throws {ConfigError} naming every problem, each under `<source>.<column>`.
 * @example
 * ```ts
 * parseColumnSchema('{"durationMs": "bigint"}', 'types.json'); // { durationMs: 'BIGINT' }
 * ```
 */
export function parseColumnSchema(text: string, source: string): Record<string, ColumnType> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(
      [
        {
          path: source,
          message: `is not JSON: ${err instanceof Error ? err.message : String(err)}`,
        },
      ],
      'invalid column schema',
    );
  }
  const parsed = SchemaFile.safeParse(json);
  if (!parsed.success) {
    const problems: ConfigProblem[] = parsed.error.issues.map((issue) => ({
      path: [source, ...issue.path.map(String)].join('.'),
      message:
        issue.code === 'invalid_type'
          ? `must be an object of "column": "TYPE" pairs (${TYPE_NAMES.join(', ')})`
          : issue.message,
    }));
    throw new ConfigError(problems, 'invalid column schema');
  }
  const schema: Record<string, ColumnType> = {};
  for (const [name, type] of Object.entries(parsed.data))
    schema[name] = String(type).trim().toUpperCase() as ColumnType;
  return schema;
}

/**
 * Reads and checks a `--schema` file (see {@link parseColumnSchema}).
 *
 * @example
 * ```ts
 * const pinned = await readColumnSchema('types.json');
 * ```
 */
export async function readColumnSchema(path: string): Promise<Record<string, ColumnType>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new ConfigError(
      [
        {
          path: '--schema',
          message: `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`,
        },
      ],
      'invalid column schema',
    );
  }
  if (bytes.byteLength > ColumnSchemaLimits.MAX_FILE_BYTES) {
    throw new ConfigError(
      [{ path: '--schema', message: `${path} passes ${ColumnSchemaLimits.MAX_FILE_BYTES} bytes` }],
      'invalid column schema',
    );
  }
  return parseColumnSchema(bytes.toString('utf8'), path);
}

/**
 * The fixed columns of a stream table: the common event fields, their types replaced by the
 * pinned ones of the same name (any case), then the other pinned columns in order.
 *
 * @example
 * ```ts
 * fixedColumns({ status: 'BIGINT', durationMs: 'DOUBLE' }); // { time: 'TIMESTAMP', …, status: 'BIGINT', …, durationMs: 'DOUBLE' }
 * ```
 */
export function fixedColumns(
  pinned: Readonly<Record<string, ColumnType>> = {},
): Record<string, ColumnType> {
  const fixed: Record<string, ColumnType> = { ...EventColumns };
  const byLower = new Map(Object.keys(fixed).map((name) => [name.toLowerCase(), name]));
  for (const [name, type] of Object.entries(pinned))
    fixed[byLower.get(name.toLowerCase()) ?? name] = type;
  return fixed;
}
