import type { FileHandle } from 'node:fs/promises';
import { FINGERPRINT_BYTES, readFingerprint, sameContent } from './file-identity.js';
import { ReadBuffers } from './read-buffers.js';
import type { RecordShipper } from './record-shipper.js';
import { ShipDefaults } from './ship-config.js';
import type { ShipCounters } from './ship-counters.js';
import type { TrackedFile } from './tracked-file.js';

/** Bytes read from one file before the others get a turn. */
const MAX_BYTES_PER_TURN = 8 * 1024 * 1024;

/**
 * Bytes read (in READ_CHUNK_BYTES reads) between two checks of the file's first bytes. A
 * check costs a read call of its own; one per 1 MiB instead of one per chunk, and the chunks
 * are shipped only after the check that follows them, so a copytruncate is caught as before.
 */
const CHECK_SPAN_BYTES = 1024 * 1024;

/** How a {@link FileReader} reaches file discovery. */
export interface FileReaderHooks {
  /** The content under `t`'s handle was truncated or refilled (see FileDiscovery.replaced). */
  replaced(t: TrackedFile, handle: FileHandle, head: Buffer, size: number): void;
  /** A file could not be read: warn once per path. */
  warnOnce(path: string, message: string): void;
  describe(path: string, err: unknown): string;
}

/**
 * Reads followed files to their end, in chunks, and hands the records they complete to the
 * shipper; checks before reading and after every span of reads (before any of it is shipped)
 * that the file still holds the content it followed (a truncation or refill detaches it
 * instead).
 *
 * @example
 * ```ts
 * const reader = new FileReader(shipper, counters, hooks);
 * const more = await reader.readTurn(t); // true: the turn's byte budget ran out first
 * ```
 */
export class FileReader {
  private stopping = false;
  /** The first bytes of the file being read, re-read after every chunk (no buffer per check). */
  private readonly head = Buffer.allocUnsafe(FINGERPRINT_BYTES);
  /** Chunks are read into buffers used again once their records were put (read-buffers.ts). */
  private readonly buffers = new ReadBuffers(ShipDefaults.READ_CHUNK_BYTES);

  constructor(
    private readonly shipper: RecordShipper,
    private readonly counters: ShipCounters,
    private readonly hooks: FileReaderHooks,
  ) {}

  /** Stops reading after the current chunk. */
  stop(): void {
    this.stopping = true;
  }

  /** Reads what is there; true when the turn budget ran out with more to read. */
  async readTurn(t: TrackedFile): Promise<boolean> {
    // Idle files cost a stat of their path (the scan's) and nothing more: the first bytes are
    // read again only when the size or mtime moved (a truncation or refill changes either).
    if (t.unchangedByScan()) return false;
    const handle = t.handle!;
    let size: number;
    let mtimeMs: number;
    let head: Buffer;
    try {
      ({ size, mtimeMs } = await handle.stat());
      if (t.unchanged(size, mtimeMs)) return false;
      head = await readFingerprint(handle, this.head);
    } catch (err) {
      this.hooks.warnOnce(t.path, this.hooks.describe(t.path, err));
      return false;
    }
    if (size < t.readPos || !sameContent(t.fingerprint, head)) {
      this.hooks.replaced(t, handle, Buffer.from(head), size);
      return true;
    }
    if (t.fingerprintShort && head.length > t.fingerprint.length) t.fingerprint = Buffer.from(head);
    t.size = size;
    t.looked(size, mtimeMs);
    let budget = MAX_BYTES_PER_TURN;
    // Chunks read and not checked yet: nothing of them is shipped before the check that follows
    // their reads (CHECK_SPAN_BYTES).
    const held: Buffer[] = [];
    let heldBytes = 0;
    while (t.readPos + heldBytes < size && budget > 0 && !this.stopping) {
      if (!(await this.shipper.roomToRead())) break;
      const at = t.readPos + heldBytes;
      const want = Math.min(ShipDefaults.READ_CHUNK_BYTES, size - at);
      this.buffers.reclaim(this.shipper.passedRecords);
      const buf = this.buffers.take();
      const { bytesRead } = await handle.read(buf, 0, want, at);
      if (bytesRead > 0) {
        held.push(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
        heldBytes += bytesRead;
        budget -= bytesRead;
      } else {
        this.buffers.giveBack(buf);
      }
      const last = bytesRead === 0 || at + bytesRead >= size || budget <= 0 || this.stopping;
      if (heldBytes < CHECK_SPAN_BYTES && !last) continue;
      if (held.length > 0) {
        // The file may have been truncated and rewritten (copytruncate) between the check above
        // and these reads: then their bytes are the new content's, not the continuation of ours.
        // Checked after the reads, so nothing read from new content is ever shipped as old.
        const after = await readFingerprint(handle, this.head);
        if (!sameContent(t.fingerprint, after)) {
          for (const chunk of held) this.buffers.giveBack(whole(chunk));
          this.hooks.replaced(t, handle, Buffer.from(after), (await handle.stat()).size);
          return true;
        }
        for (const chunk of held) {
          this.counters.bytesRead += chunk.length;
          this.shipper.take(t, chunk);
          // Its records are queued as ranges of it until put (an open entry took a copy).
          this.buffers.lend(whole(chunk), this.shipper.queuedMark);
          this.shipper.pump();
        }
        held.length = 0;
        heldBytes = 0;
      }
      if (bytesRead === 0) break;
    }
    return t.readPos < size && !this.stopping;
  }
}

/** The whole buffer a chunk was read into (the chunk may be a view of its first bytes). */
function whole(chunk: Buffer): Buffer {
  const all = chunk.buffer.byteLength;
  return chunk.byteOffset === 0 && chunk.length === all ? chunk : Buffer.from(chunk.buffer, 0, all);
}
