/**
 * Hands one flow's records to its sink, within the commit window.
 *
 *   chunk ─► lines ─► entries ─► records of one batch (≤ batchRecords, one file, in order)
 *                                   │ closed: one ticket in the file's offsets for all of them
 *                                   ▼
 *            queue ─► put record by record while the CommitWindow has room ─► sink
 *                                   │ settled (one callback object per batch)
 *                                   ▼
 *            every record of the batch acknowledged ─► ack the ticket ─► onProgress ─► commit
 *
 *   The window holds the records put since the last durable commit to maxUncommittedRecords
 *   (and, by default, their bytes to 8 MiB): a kill -9 re-sends no more than that. A batch
 *   commits as a whole, so it never holds more than a quarter of the window (all but the last
 *   batch put are whole, so the window always frees).
 *   Reading runs up to READ_AHEAD_RECORDS ahead of the window, so the next batch is ready while
 *   the previous commit is being written. In line output a record is a range of the chunk it was
 *   read in (no string); in JSON output, a plain access line's record is written from its bytes
 *   into a range of a shared record buffer (no string), any other record is the encoded event.
 */
import type { Writable } from 'node:stream';
import type { KinesisSink, SettleResult } from '../sink/kinesis-sink.js';
import { DropReasons } from '../sink/drop-reasons.js';
import { CommitWindow } from './commit-window.js';
import type { EntryVisitor } from './entry-joiner.js';
import type { LineCut } from './line-splitter.js';
import { RecordBuffers } from './record-buffers.js';
import type { LineFlags, RecordEncoder } from './record-encoder.js';
import { ShipOutputs, type ShipFlow } from './ship-config.js';
import type { ShipCounters } from './ship-counters.js';
import type { TrackedFile } from './tracked-file.js';

/** Records parsed and encoded ahead of the commit window before reading pauses. */
const READ_AHEAD_RECORDS = 2_048;

/** Most records acknowledged (and committed) together. */
const MAX_BATCH_RECORDS = 512;

/**
 * Bytes of each buffer JSON records are written into from their lines' bytes (when the writer
 * lends none of its own); a line whose record might not fit one is encoded as a string instead.
 * The sink copies each record as it is put, so only the records read ahead hold these buffers.
 */
const RECORD_BUFFER_BYTES = 256 * 1024;

const NL = 0x0a;
const CR = 0x0d;

/** Drops that leave the line unacknowledged: it is read again on the next run. */
const RETRY_NEXT_RUN: ReadonlySet<string> = new Set([
  DropReasons.SHUTDOWN_TIMEOUT,
  DropReasons.CLOSED,
  DropReasons.REJECTED,
]);

/** Records of one file, in order, sharing one offsets ticket and one settle callback. */
class RecordBatch {
  /** Each record: a string, or the buffer holding it at `starts[i]`..`ends[i]`. */
  records: (string | Buffer)[] = [];
  /**
   * Where a buffer record starts in it (-1 for a string) and ends, and bytes of each record:
   * sized once for a whole batch (grown by push they would be copied several times on the way),
   * entry i written with record i; only the first `records.length` are meaningful.
   */
  starts: number[];
  ends: number[];
  sizes: number[];
  /** Bytes of all of them. */
  bytes = 0;
  /** Partition keys, when some record has one. */
  keys: (string | undefined)[] | undefined;
  /** Next record to put. */
  next = 0;
  ticket = -1;
  /** Records in the batch (they stay counted once put). */
  count = 0;
  unsettled = 0;
  /** A record was dropped for a reason that re-reads it next run: the batch is not acked. */
  failed = false;
  readonly settle: (res: SettleResult, records: number) => void;

  constructor(
    readonly t: TrackedFile,
    shipper: RecordShipper,
    maxRecords: number,
  ) {
    this.settle = (res, records) => shipper.settled(this, res, records);
    this.starts = new Array<number>(maxRecords);
    this.ends = new Array<number>(maxRecords);
    this.sizes = new Array<number>(maxRecords);
  }
}

/** How a {@link RecordShipper} reaches the rest of the daemon. */
export interface RecordShipperHooks {
  /** Where records go; `undefined` in dry-run mode. */
  sink: KinesisSink | undefined;
  /** Dry-run output. */
  stdout: Writable;
  /**
   * Some offset moved: the state is worth writing; `urgent` when reading waits for that commit
   * (so it should not wait for commitIntervalMs).
   */
  onProgress(urgent: boolean): void;
  /** Records put and not yet durably committed, at most (ignored without a sink). */
  maxUncommittedRecords: number;
  /** Their bytes as put, at most (unbounded when not given). */
  maxUncommittedBytes?: number;
  /** How long a wait for the commit window lasts before it asks for a commit again. */
  pollIntervalMs: number;
}

/**
 * One flow's records on their way to the sink: encoding, batches of offsets tickets, the
 * read-ahead queue, the commit window and acknowledgements.
 *
 * @example
 * ```ts
 * const shipper = new RecordShipper(flow, encoder, counters, hooks);
 * shipper.take(t, chunk); // records of the lines the chunk completes
 * shipper.pump();
 * ```
 */
export class RecordShipper implements EntryVisitor {
  readonly window: CommitWindow;
  private queue: (RecordBatch | undefined)[] = [];
  private queueHead = 0;
  private queuedRecords = 0;
  private passed = 0;
  /** The sink asked to slow down: await its ready() before putting more. */
  private sinkSlow = false;
  private stopping = false;
  private readonly batchRecords: number;
  private readonly batchBytes: number;
  private readonly lineOutput: boolean;
  /** Line output, by file or no key: the line is never decoded to a string. */
  private readonly rawLines: boolean;
  /** JSON output whose access records may be written from the lines' bytes. */
  private readonly bytesJson: boolean;
  /** Where those records are written, and how much of it they fill. */
  private readonly recordBuffers: RecordBuffers;
  private recordBuf: Buffer | undefined;
  private recordBufUsed = 0;
  private readonly delimiter: Buffer;
  /** The batch being filled, its file, and where its last record (or skipped line) ends. */
  private batch: RecordBatch | undefined;
  private batchFile: TrackedFile | undefined;
  private batchEnd = -1;

  constructor(
    private readonly flow: ShipFlow,
    private readonly encoder: RecordEncoder,
    private readonly counters: ShipCounters,
    private readonly hooks: RecordShipperHooks,
  ) {
    const limit = hooks.sink === undefined ? Infinity : hooks.maxUncommittedRecords;
    const limitBytes =
      hooks.sink === undefined ? Infinity : (hooks.maxUncommittedBytes ?? Infinity);
    this.window = new CommitWindow(limit, limitBytes);
    this.batchRecords = Math.max(1, Math.min(MAX_BATCH_RECORDS, Math.floor(limit / 4)));
    this.batchBytes = limitBytes / 4;
    this.lineOutput = flow.output === ShipOutputs.LINE;
    this.rawLines = this.lineOutput && typeof flow.partitionKey !== 'object';
    this.bytesJson = !this.lineOutput && encoder.writesFromBytes;
    this.delimiter = Buffer.from(flow.recordDelimiter);
    const lent = encoder.recordBuffers;
    this.recordBuffers = new RecordBuffers(
      lent,
      lent.length === 0 ? RECORD_BUFFER_BYTES : Math.min(...lent.map((b) => b.length)),
    );
  }

  /** Records encoded and not put yet. */
  get queued(): number {
    return this.queuedRecords;
  }

  /**
   * Records put or forgotten so far. Once it reaches the {@link queuedMark} read right after a
   * chunk was taken, no record holds a range of that chunk any more: the sink copies what it is
   * put.
   */
  get passedRecords(): number {
    return this.passed;
  }

  /** Records queued so far: the passed ones and those waiting. */
  get queuedMark(): number {
    return this.passed + this.queuedRecords;
  }

  /** Wakes every wait; no more waiting for room. */
  stop(): void {
    this.stopping = true;
    this.window.wakeAll();
  }

  /** Forgets records not put (they are read again on the next run). */
  dropQueued(): void {
    this.passed += this.queuedRecords;
    this.queue = [];
    this.queueHead = 0;
    this.queuedRecords = 0;
  }

  /** Waits until another chunk may be read: read-ahead below its bound, sink not blocked. */
  async roomToRead(): Promise<boolean> {
    while (!this.stopping) {
      if (this.sinkSlow) {
        this.sinkSlow = false;
        await this.hooks.sink?.ready();
        this.pump();
        continue;
      }
      if (this.queuedRecords < READ_AHEAD_RECORDS) return true;
      await this.waitForRoom();
      this.pump();
    }
    return false;
  }

  /** Waits for the sink's room, or for a commit to free the window (bounded by a poll). */
  async waitForRoom(): Promise<void> {
    const sink = this.hooks.sink;
    if (sink === undefined) return;
    if (this.sinkSlow) {
      this.sinkSlow = false;
      await sink.ready();
      return;
    }
    // Nothing more joins the records the sink holds until a commit: send them now. Commit at
    // once only when that frees a good part of the window; otherwise the acknowledgements to
    // come ask for it (settled), or the timed commit groups them.
    void sink.flush();
    this.hooks.onProgress(this.window.commitDue);
    const before = this.window.count;
    await this.window.wait(this.hooks.pollIntervalMs);
    // No commit came (a failed write, or acks before the last one): ask for one again.
    if (this.window.count === before && !this.stopping) this.hooks.onProgress(true);
  }

  /** Puts queued records while the commit window has room. */
  pump(): void {
    const sink = this.hooks.sink;
    if (sink === undefined) return;
    const q = this.queue;
    const window = this.window;
    while (this.queueHead < q.length && !window.full) {
      const b = q[this.queueHead]!;
      const t = b.t;
      const records = b.records;
      const keys = b.keys;
      const sizes = b.sizes;
      const starts = b.starts;
      let i = b.next;
      while (i < records.length && !window.full) {
        const record = records[i]!;
        const key = keys === undefined ? undefined : keys[i];
        // Ranges of one buffer without a key of their own go to the sink together.
        let j = i;
        do {
          const bytes = sizes[j]!;
          window.put(bytes);
          t.putBytes += bytes;
          j++;
        } while (
          key === undefined &&
          starts[i]! >= 0 &&
          j < records.length &&
          !window.full &&
          records[j] === record &&
          starts[j]! >= 0 &&
          (keys === undefined || keys[j] === undefined)
        );
        t.putRecords += j - i;
        this.queuedRecords -= j - i;
        this.passed += j - i;
        // Ranges go in never `owned`: chunks and record buffers are written again once put.
        const ok =
          starts[i]! < 0
            ? sink.putEncoded(record, key, b.settle)
            : key !== undefined
              ? sink.putEncoded((record as Buffer).subarray(starts[i], b.ends[i]), key, b.settle)
              : sink.putLines(
                  { buf: record as Buffer, starts, ends: b.ends, from: i, to: j },
                  b.settle,
                );
        if (!ok) this.sinkSlow = true;
        i = j;
      }
      b.next = i;
      if (i < records.length) break;
      // All put: the sink holds its own bytes, the chunk ranges can go.
      b.records = [];
      b.starts = [];
      b.ends = [];
      b.sizes = [];
      b.keys = undefined;
      q[this.queueHead++] = undefined;
    }
    if (this.queueHead === q.length) {
      this.queue = [];
      this.queueHead = 0;
    } else if (this.queueHead > 64 && this.queueHead * 2 > q.length) {
      this.queue = q.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  /** Reads a chunk of `t`: its records join the queue (dry run: they are printed). */
  take(t: TrackedFile, chunk: Buffer): void {
    this.batchFile = t;
    // The encoder may keep a copy of the chunk it last saw: a read buffer is refilled.
    this.encoder.forgetSource();
    t.take(chunk, this);
    this.closeBatch();
  }

  /** Ships what `t` holds: its open entry, and with `partialLine` a line without its end. */
  drain(t: TrackedFile, partialLine: boolean): void {
    this.batchFile = t;
    this.encoder.forgetSource();
    t.drain(partialLine, this);
    this.closeBatch();
  }

  /** One record of the current file (see {@link EntryVisitor}). */
  entry(
    buf: Buffer,
    from: number,
    to: number,
    end: number,
    oneLine: boolean,
    cut: LineCut | undefined,
    invalidUtf8: boolean,
  ): void {
    const t = this.batchFile!;
    const c = this.counters;
    if (oneLine) {
      c.linesRead++;
      if (invalidUtf8) c.invalidUtf8Lines++;
      if (cut === 'split') c.linesSplit++;
      else if (cut === 'truncated') c.linesTruncated++;
    }
    this.batchEnd = end;
    if (from === to) return; // an empty line: its bytes are passed with the batch
    c.recordsShipped++;
    const sink = this.hooks.sink;
    if (sink === undefined) {
      this.print(t, buf.toString('utf8', from, to), oneLine, cut, invalidUtf8);
      return;
    }
    const b = (this.batch ??= new RecordBatch(t, this, this.batchRecords));
    // A record over the Kinesis limit is cut by the sink (longest fields, marked), as in the
    // transports; the whole line was parsed first, so its other fields are kept.
    if (
      (this.rawLines && !invalidUtf8 && this.pushLine(b, buf, from, to)) ||
      (this.bytesJson &&
        flagsOf(oneLine, cut, invalidUtf8) === undefined &&
        this.pushAccess(b, t.path, buf, from, to))
    ) {
      if (this.flow.partitionKey === 'file') (b.keys ??= [])[b.records.length - 1] = t.path;
    } else {
      const text = buf.toString('utf8', from, to);
      let data: string;
      let key: string | undefined;
      if (this.lineOutput) {
        data = text;
        key = this.encoder.lineKey(t.path, text);
      } else {
        const e = this.encoder.encode(t.path, text, flagsOf(oneLine, cut, invalidUtf8));
        if (e.parserFailed) c.parserFailures++;
        if (e.parseError) c.parseErrors++;
        data = e.data;
        key = e.key;
      }
      const record = this.delimiter.length === 0 ? data : data + this.flow.recordDelimiter;
      const size = Buffer.byteLength(record);
      const n = b.records.length;
      b.records.push(record);
      b.starts[n] = -1;
      b.ends[n] = -1;
      b.sizes[n] = size;
      b.bytes += size;
      if (key !== undefined || b.keys !== undefined) {
        const keys = (b.keys ??= new Array<string | undefined>(b.records.length - 1));
        keys[b.records.length - 1] = key;
      }
    }
    // A batch commits whole: it stays within a quarter of the window (records, and bytes but
    // for its last record), so all but the last batch put are whole and the window always frees.
    if (b.records.length >= this.batchRecords || b.bytes >= this.batchBytes) this.closeBatch();
  }

  /**
   * The record of a line as read: a range of its chunk (no view made), with the delimiter when
   * asked.
   */
  private pushLine(b: RecordBatch, buf: Buffer, from: number, to: number): true {
    const d = this.delimiter;
    let record = buf;
    let start = from;
    let end = to;
    // The line's own end already is the delimiter: keep it in the range.
    if (d.length === 0) end = to;
    else if (d.length === 1 && buf[to] === NL) end = to + 1;
    else if (d.length === 2 && buf[to] === CR && buf[to + 1] === NL) end = to + 2;
    else {
      record = Buffer.concat([buf.subarray(from, to), d]);
      start = 0;
      end = record.length;
    }
    pushRange(b, record, start, end);
    return true;
  }

  /**
   * The record of a plain access line, written from its bytes into the record buffer (with the
   * delimiter when asked); false, with nothing pushed, when it must be encoded as a string.
   */
  private pushAccess(b: RecordBatch, path: string, buf: Buffer, from: number, to: number): boolean {
    const d = this.delimiter;
    const room = this.encoder.roomFor(path, from, to) + d.length;
    const buffers = this.recordBuffers;
    if (room > buffers.bytes) return false;
    let out = this.recordBuf;
    if (out === undefined || out.length - this.recordBufUsed < room) {
      // Its records are all queued or in the open batch: free once that many records passed.
      if (out !== undefined) buffers.lend(out, this.queuedMark + b.records.length);
      buffers.reclaim(this.passed);
      // Only ranges written are ever sent: the rest of the buffer needs no clearing.
      out = this.recordBuf = buffers.take();
      this.recordBufUsed = 0;
    }
    const start = this.recordBufUsed;
    let end = this.encoder.writeAccess(path, buf, from, to, out, start);
    if (end < 0) return false;
    for (let i = 0; i < d.length; i++) out[end++] = d[i]!;
    this.recordBufUsed = end;
    pushRange(b, out, start, end);
    return true;
  }

  /** Dry run: the record, one a line, on stdout. */
  private print(
    t: TrackedFile,
    text: string,
    oneLine: boolean,
    cut: LineCut | undefined,
    invalidUtf8: boolean,
  ): void {
    let body = text;
    if (!this.lineOutput) {
      const e = this.encoder.encode(t.path, text, flagsOf(oneLine, cut, invalidUtf8));
      if (e.parserFailed) this.counters.parserFailures++;
      if (e.parseError) this.counters.parseErrors++;
      body = e.data;
    }
    this.hooks.stdout.write(body + '\n');
    this.counters.recordsAcked++;
  }

  /** Registers the batch in its file's offsets and queues it. */
  private closeBatch(): void {
    const t = this.batchFile!;
    const b = this.batch;
    const end = this.batchEnd;
    this.batch = undefined;
    this.batchEnd = -1;
    if (b === undefined) {
      // Only lines without a record (empty, or printed in a dry run): their bytes are done.
      if (end !== -1) t.offsets.ack(t.offsets.add(end, 0));
      return;
    }
    const n = b.records.length;
    b.ticket = t.offsets.add(end, n, b.bytes);
    b.count = n;
    b.unsettled = n;
    if (b.keys !== undefined && b.keys.length < n) b.keys.length = n;
    this.queue.push(b);
    this.queuedRecords += n;
  }

  /** `records` records of `b` settled alike; the batch's ticket is acked once all of them did. */
  settled(b: RecordBatch, res: SettleResult, records = 1): void {
    if (res.ok) {
      this.counters.recordsAcked += records;
    } else {
      const d = this.counters.recordsDropped;
      d[res.reason] = (d[res.reason] ?? 0) + records;
      // Drops the operator chose (oversize: drop, finite retries/TTL) move on; the others are
      // read again on the next run.
      if (RETRY_NEXT_RUN.has(res.reason)) b.failed = true;
    }
    b.unsettled -= records;
    if (b.unsettled > 0) return;
    if (!b.failed) {
      b.t.offsets.ack(b.ticket);
      this.window.ack(b.count, b.bytes);
    }
    this.hooks.onProgress(this.window.commitDue);
  }
}

/** Adds the record `buf[start, end)` to `b`. */
function pushRange(b: RecordBatch, buf: Buffer, start: number, end: number): void {
  const n = b.records.length;
  b.records.push(buf);
  b.starts[n] = start;
  b.ends[n] = end;
  b.sizes[n] = end - start;
  b.bytes += end - start;
}

/** What the encoder marks on a one-line record (most lines: nothing, no object). */
function flagsOf(
  oneLine: boolean,
  cut: LineCut | undefined,
  invalidUtf8: boolean,
): LineFlags | undefined {
  return oneLine && (cut !== undefined || invalidUtf8) ? { cut, invalidUtf8 } : undefined;
}
