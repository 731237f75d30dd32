/*
 *   loaded table / result ─▶ COPY … TO '<dir>/.<name>.<random>.tmp' ─▶ rename to '<dir>/<name>'
 * The file appears whole or not at all, and a rerun replaces it rather than appending.
 */
import { randomUUID } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { ConfigError } from '@kinlog/core';
import { quoteLiteral, type QuerySession } from '../session/query-session.js';
import { OutputError } from '../errors.js';

/** File formats kinlog writes. */
export const FileFormats = {
  parquet: 'parquet',
  csv: 'csv',
  ndjson: 'ndjson',
} as const;
export type FileFormat = (typeof FileFormats)[keyof typeof FileFormats];

const COPY_OPTIONS: Record<FileFormat, string> = {
  parquet: 'FORMAT parquet, COMPRESSION zstd',
  csv: 'FORMAT csv, HEADER true',
  ndjson: 'FORMAT json',
};

const EXTENSIONS: Record<string, FileFormat> = {
  '.parquet': FileFormats.parquet,
  '.csv': FileFormats.csv,
  '.ndjson': FileFormats.ndjson,
  '.jsonl': FileFormats.ndjson,
};

/**
 * The format a file name asks for.
 *
 * @throws {ConfigError} for other extensions.
 * @example
 * ```ts
 * fileFormatOf('top.parquet'); // 'parquet'
 * ```
 */
export function fileFormatOf(path: string): FileFormat {
  const format = EXTENSIONS[extname(path).toLowerCase()];
  if (format === undefined) {
    throw new ConfigError([
      { path: '--out', message: `must end in ${Object.keys(EXTENSIONS).join(', ')}` },
    ]);
  }
  return format;
}

/** The file extension kinlog gives a format. */
export function extensionOf(format: FileFormat): string {
  return format === FileFormats.ndjson ? '.ndjson' : `.${format}`;
}

/**
 * Writes `select` (kinlog's own SQL over a loaded table) to `path` through a temp name.
 *
 * @throws {OutputError} when the directory is missing or the write fails.
 * @example
 * ```ts
 * await writeTableFile(session, 'SELECT * FROM logs', 'out/logs.parquet', 'parquet');
 * ```
 */
export async function writeTableFile(
  session: QuerySession,
  select: string,
  path: string,
  format: FileFormat,
): Promise<void> {
  const dir = dirname(path);
  try {
    if (!(await stat(dir)).isDirectory()) throw new OutputError(path, `${dir} is not a directory`);
  } catch (err) {
    if (err instanceof OutputError) throw err;
    throw new OutputError(path, `${dir} does not exist`, err);
  }
  const temp = join(dir, `.${basename(path)}.${randomUUID().slice(0, 8)}.tmp`);
  try {
    await session.exec(`COPY (${select}) TO ${quoteLiteral(temp)} (${COPY_OPTIONS[format]})`);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true, recursive: true });
    if (err instanceof OutputError) throw err;
    throw new OutputError(
      path,
      err instanceof Error ? err.message.split('\n')[0]! : String(err),
      err,
    );
  }
}
