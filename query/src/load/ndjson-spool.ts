/*
 *   rows ─▶ pending lines (≤ FLUSH_BYTES) ─▶ temp file in a private directory ─▶ read_json
 *   the directory (spool files and DuckDB's spills) is removed by close(), whatever happened
 */
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoadLimitError } from '../errors.js';

/** Bounds of spooled rows. */
export const SpoolLimits = {
  /** Lines are written in batches of about this many bytes. */
  FLUSH_BYTES: 4 * 1024 * 1024,
  /** One window's rows on disk, at most (a day of a busy stream fits). */
  DEFAULT_MAX_SPOOL_BYTES: 16 * 1024 * 1024 * 1024,
} as const;

/**
 * A private temp directory of NDJSON files that DuckDB loads; the fastest measured way to get
 * decoded events into it (see bench/load.bench.ts).
 *
 * @example
 * ```ts
 * const dir = await SpoolDirectory.create();
 * const file = await dir.file('logs');
 * file.push('{"a":1}');
 * await file.close();
 * await dir.remove();
 * ```
 */
export class SpoolDirectory {
  private files = 0;
  private bytes = 0;

  private constructor(
    readonly path: string,
    private readonly maxBytes: number,
  ) {}

  static async create(
    maxBytes: number = SpoolLimits.DEFAULT_MAX_SPOOL_BYTES,
    parent: string = tmpdir(),
  ): Promise<SpoolDirectory> {
    return new SpoolDirectory(await mkdtemp(join(parent, 'kinlog-query-')), maxBytes);
  }

  /** A new spool file for one table. */
  async file(label: string): Promise<SpoolFile> {
    this.files++;
    const path = join(this.path, `${this.files}-${label.replace(/[^\w.-]/g, '_')}.ndjson`);
    return new SpoolFile(path, await open(path, 'wx', 0o600), (n) => this.account(n));
  }

  /** A subdirectory path for DuckDB's spills. */
  get spillPath(): string {
    return join(this.path, 'spill');
  }

  /** Removes every file; safe to call twice. */
  async remove(): Promise<void> {
    await rm(this.path, { recursive: true, force: true });
  }

  private account(bytes: number): void {
    this.bytes += bytes;
    if (this.bytes > this.maxBytes)
      throw new LoadLimitError('rows spooled to disk (bytes)', this.maxBytes);
  }
}

/** One NDJSON file being written; lines go out in large batches. */
export class SpoolFile {
  lines = 0;
  private pending: string[] = [];
  private pendingChars = 0;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly account: (bytes: number) => void,
  ) {}

  /** Adds a line; call {@link flushIfFull} between pages to bound what is held in memory. */
  push(line: string): void {
    this.pending.push(line);
    this.pendingChars += line.length + 1;
    this.lines++;
  }

  async flushIfFull(): Promise<void> {
    if (this.pendingChars >= SpoolLimits.FLUSH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = this.pending.join('\n') + '\n';
    this.pending = [];
    this.pendingChars = 0;
    const bytes = Buffer.from(text);
    this.account(bytes.byteLength);
    await this.handle.write(bytes);
  }

  /** Writes what is pending and closes the file; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.flush();
    } finally {
      await this.handle.close();
    }
  }
}
