/**
 * One flow of the daemon: its files ({@link FileDiscovery}), their reading ({@link FileReader})
 * and their records' way to the sink ({@link RecordShipper}), in turns.
 *
 *   turn: scan ─► per tracker: read to its end (or the turn's budget) ─► records ─► queue ─► put
 *               ─► open multi-line entry past its timeout? ship it ─► let go of finished files
 *   commitPoint: per tracker the contiguous acknowledged offset ─► state file ─► durable()
 */
import { hostname } from 'node:os';
import type { Writable } from 'node:stream';
import {
  accessJsonWasmOf,
  accessJsonWriterOf,
  accessLineReaderOf,
  getParser,
  type AccessJsonWasm,
  type AccessJsonWriter,
  type LineParser,
} from '@kinlog/core';
import type { KinesisSink } from '../sink/kinesis-sink.js';
import { FileBudget } from './file-budget.js';
import { describe, FileDiscovery } from './file-discovery.js';
import { FileReader } from './file-reader.js';
import { RecordEncoder } from './record-encoder.js';
import { RecordShipper } from './record-shipper.js';
import { ShipOutputs, type ShipFlow } from './ship-config.js';
import { emptyShipCounters, type ShipCounters } from './ship-counters.js';
import type { FileState } from './state-store.js';
import type { TrackedFile } from './tracked-file.js';

/** A state to write, and what to call once it is on disk. */
export interface CommitPoint {
  files: FileState[];
  /** The state was written durably: the records it covers leave the commit window. */
  durable(): void;
}

/** How a {@link FlowRunner} reaches the rest of the daemon. */
export interface FlowRunnerHooks {
  /** Where records go; `undefined` in dry-run mode. */
  sink: KinesisSink | undefined;
  /** Dry-run output. */
  stdout: Writable;
  warn(message: string): void;
  /**
   * Some offset moved: the state is worth writing; `urgent` when reading waits for that commit
   * (so it should not wait for commitIntervalMs).
   */
  onProgress(urgent: boolean): void;
  releaseIdleMs: number;
  /** Records put and not yet durably committed, at most (ignored without a sink). */
  maxUncommittedRecords: number;
  /** Their bytes as put, at most (unbounded when not given). */
  maxUncommittedBytes?: number;
  /** How long a wait for the commit window lasts before it asks for a commit again. */
  pollIntervalMs: number;
  /** Open file handles, shared by every flow; unbounded when not given. */
  budget?: FileBudget;
  /** The line parser; by default the flow's (`flow.parser`). */
  parser?: LineParser;
}

/**
 * One flow's tailer: globs, file identity, rotation, reading and shipping.
 *
 * @example
 * ```ts
 * const runner = new FlowRunner(flow, savedStates, {
 *   sink, stdout: process.stdout, warn: console.warn, onProgress() {},
 *   releaseIdleMs: 2000, maxUncommittedRecords: 500, pollIntervalMs: 250,
 * });
 * await runner.turn(true); // first scan and read
 * ```
 */
export class FlowRunner {
  readonly counters: ShipCounters = emptyShipCounters();
  private readonly discovery: FileDiscovery;
  private readonly reader: FileReader;
  private readonly shipper: RecordShipper;
  private stopping = false;

  constructor(
    readonly flow: ShipFlow,
    saved: FileState[],
    private readonly hooks: FlowRunnerHooks,
  ) {
    const parse =
      hooks.parser ??
      getParser(flow.parser, { assumedUtcOffsetMinutes: flow.assumedUtcOffsetMinutes });
    this.discovery = new FileDiscovery(flow, saved, this.counters, {
      warn: (message) => hooks.warn(message),
      budget: hooks.budget ?? new FileBudget(Infinity),
      releaseIdleMs: hooks.releaseIdleMs,
    });
    this.shipper = new RecordShipper(
      flow,
      new RecordEncoder(
        flow,
        parse,
        hostname(),
        hooks.parser === undefined ? accessLineReaderOf(flow.parser) : undefined,
        hooks.parser === undefined ? accessWriterOf(flow) : undefined,
      ),
      this.counters,
      hooks,
    );
    this.reader = new FileReader(this.shipper, this.counters, {
      replaced: (t, handle, head, size) => this.discovery.replaced(t, handle, head, size),
      warnOnce: (path, message) => this.discovery.warnOnce(path, message),
      describe,
    });
  }

  /** Paths that matched and could not be opened, with why (until an open succeeds). */
  get unreadable(): ReadonlyMap<string, string> {
    return this.discovery.unreadable;
  }

  /** Stops reading after the current chunk. */
  stop(): void {
    this.stopping = true;
    this.reader.stop();
    this.shipper.stop();
  }

  /** Matching files the last scan could not open for want of a handle. */
  get waitingFiles(): number {
    return this.discovery.waitingFiles;
  }

  /** Records put and not yet durably committed. */
  get uncommittedRecords(): number {
    return this.shipper.window.count;
  }

  /** One scan and one read turn over every file; true when there may be more to read now. */
  async turn(first: boolean): Promise<boolean> {
    await this.discovery.scan(first);
    let more = false;
    const now = Date.now();
    for (const t of [...this.discovery.trackers]) {
      if (this.stopping) break;
      if (t.handle !== undefined && !t.released) {
        if (await this.reader.readTurn(t)) more = true;
      }
      if (t.multilineDue(now)) this.shipper.drain(t, false);
      this.maybeRelease(t, now);
    }
    this.shipper.pump();
    // Files wait for a handle: the next scan parks the files just read to their end.
    if (!this.stopping && this.discovery.handleWaitEnds) more = true;
    if (this.shipper.queued > 0 && !this.stopping) {
      // Nothing else to read: wait for the commit that makes room rather than spin.
      if (!more) await this.shipper.waitForRoom();
      this.shipper.pump();
      more = true;
    }
    return more;
  }

  /**
   * Whether something here is due by time rather than by a file change (an open multi-line
   * entry, a file to let go): the daemon must not sleep past a poll interval then.
   */
  timedWorkPending(): boolean {
    if (this.shipper.queued > 0 || this.discovery.waitingFiles > 0) return true;
    for (const t of this.discovery.trackers) {
      if (t.released) continue;
      if (t.multilinePending || t.detachedAtMs !== undefined || t.orphaned) return true;
    }
    return false;
  }

  /**
   * At shutdown: ship open multi-line entries (unended lines stay for the next run), as far as
   * the commit window allows; what is left is not put, so it is read again on the next run.
   */
  drainForShutdown(): void {
    for (const t of this.discovery.trackers) {
      if (!t.released) this.shipper.drain(t, false);
    }
    this.shipper.pump();
    this.shipper.dropQueued();
  }

  /**
   * `--once` at the end of its files: a last line without its "\n" is the end of the file, so
   * it is shipped too. True when that queued records.
   */
  finishLines(): boolean {
    const before = this.shipper.queued + this.counters.recordsShipped;
    for (const t of this.discovery.trackers) {
      if (!t.released && t.handle !== undefined) this.shipper.drain(t, true);
    }
    this.shipper.pump();
    return this.shipper.queued + this.counters.recordsShipped > before;
  }

  /** Closes every handle. */
  async close(): Promise<void> {
    await this.discovery.close();
  }

  /**
   * Committed positions to write, and let go of trackers that are done. Call `durable()` once
   * the state is on disk: the records it covers then leave the commit window.
   */
  commitPoint(): CommitPoint {
    const out: FileState[] = [];
    const marks: { t: TrackedFile; records: number; bytes: number }[] = [];
    for (const t of this.discovery.trackers) {
      if (t.released && t.offsets.pending === 0) {
        this.discovery.forget(t);
        marks.push({ t, records: t.putRecords, bytes: t.putBytes });
        continue;
      }
      marks.push({ t, records: t.offsets.committedRecords, bytes: t.offsets.committedBytes });
      out.push({
        flow: this.flow.name,
        path: t.path,
        dev: t.dev,
        ino: t.ino,
        fingerprint: t.fingerprint.toString('base64'),
        offset: t.offsets.committed,
      });
    }
    // Saved entries not matched yet (before the start-up scans end) are kept as they were.
    const window = this.shipper.window;
    return {
      files: out.concat(this.discovery.unmatchedSaved),
      durable: () => {
        for (const { t, records, bytes } of marks) {
          if (records <= t.durableRecords) continue;
          window.release(records - t.durableRecords, bytes - t.durableBytes);
          t.durableRecords = records;
          t.durableBytes = bytes;
        }
      },
    };
  }

  /** Per-file view for stats: path, size, committed offset. */
  files(): { path: string; size: number; committed: number; readPos: number }[] {
    const out = [];
    for (const t of this.discovery.trackers) {
      if (t.released) continue;
      out.push({ path: t.path, size: t.size, committed: t.offsets.committed, readPos: t.readPos });
    }
    return out;
  }

  /**
   * Re-reads the size of every open file: "behind" keeps growing while reading waits for
   * Kinesis (an outage), instead of freezing at the size of the last read turn.
   */
  async refreshSizes(): Promise<void> {
    // Only while reading waits: otherwise each read turn learns the sizes anyway, and an idle
    // daemon should not stat every file every second.
    if (this.shipper.queued === 0 && !this.shipper.window.full) return;
    for (const t of [...this.discovery.trackers]) {
      const h = t.handle;
      if (h === undefined || t.released) continue;
      try {
        const { size } = await h.stat();
        if (size >= t.readPos) t.size = size;
      } catch {
        // The next read turn says why, once.
      }
    }
  }

  /** Per file with something read and not acknowledged: records and bytes left (for `--once`). */
  unacknowledged(): { path: string; records: number; bytes: number }[] {
    const out = [];
    for (const t of this.discovery.trackers) {
      const bytes = t.readPos - t.offsets.committed;
      if (t.offsets.pending > 0 || bytes > 0)
        out.push({ path: t.path, records: t.offsets.pending, bytes });
    }
    return out;
  }

  /** Records put and not yet settled, over all files. */
  get pendingRecords(): number {
    let n = 0;
    for (const t of this.discovery.trackers) n += t.offsets.pending;
    return n;
  }

  private maybeRelease(t: TrackedFile, now: number): void {
    if (!this.discovery.releaseDue(t, now)) return;
    // Read to its end: ship the open entry and a last line that never got its "\n".
    this.shipper.drain(t, true);
    this.discovery.release(t);
    // A file with nothing outstanding commits its end now.
    t.offsets.advanceIdle(t.readPos);
    this.hooks.onProgress(false);
  }
}

/**
 * What writes a flow's access records from their bytes: in JSON output, the WebAssembly writer
 * where it runs (lending the buffers it writes into), else the JS writer.
 */
function accessWriterOf(flow: ShipFlow): AccessJsonWriter | AccessJsonWasm | undefined {
  if (flow.output === ShipOutputs.LINE) return undefined;
  return accessJsonWasmOf(flow.parser) ?? accessJsonWriterOf(flow.parser);
}
