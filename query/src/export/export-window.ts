/*
 *   iteration k's window ─▶ one table per stream ─▶ <out>/iteration=k/stream=s/part-0.<ext>
 *   each file written to a temp name in its directory, then renamed over any earlier export
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { quoteIdent } from '../session/query-session.js';
import { openWindowSession, type WindowSessionOptions } from '../engine/window-session.js';
import { extensionOf, writeTableFile, type FileFormat } from '../output/write-table-file.js';

export interface ExportWindowOptions extends Omit<
  WindowSessionOptions,
  'window' | 'dynamodbTables'
> {
  readonly name: string;
  readonly iteration: number;
  readonly outDir: string;
  readonly format: FileFormat;
}

/** One file written by an export. */
export interface ExportedFile {
  readonly stream: string;
  readonly path: string;
  readonly rows: number;
}

/** The file name every partition holds. */
export const EXPORT_PART_NAME = 'part-0';

/**
 * Writes iteration `iteration` of `name`, one partition per stream; rerunning it rewrites the
 * same files with the same rows.
 *
 * @example
 * ```ts
 * await exportWindow({ name: 'web', iteration: 3, outDir: 'lake', format: 'parquet', tables: [{ table: 'logs', stream: 'web-logs' }] });
 * // lake/iteration=3/stream=web-logs/part-0.parquet
 * ```
 */
export async function exportWindow(options: ExportWindowOptions): Promise<ExportedFile[]> {
  const ws = await openWindowSession({
    ...options,
    window: { type: 'iteration', name: options.name, iteration: options.iteration },
  });
  try {
    const files: ExportedFile[] = [];
    for (const loaded of ws.loaded) {
      const dir = join(options.outDir, `iteration=${options.iteration}`, `stream=${loaded.stream}`);
      await mkdir(dir, { recursive: true });
      const path = join(dir, EXPORT_PART_NAME + extensionOf(options.format));
      await writeTableFile(
        ws.session,
        `SELECT * FROM ${quoteIdent(loaded.table)} ORDER BY _shard, length(_seq), _seq`,
        path,
        options.format,
      );
      files.push({ stream: loaded.stream, path, rows: loaded.rows });
    }
    return files;
  } finally {
    await ws.close();
  }
}
