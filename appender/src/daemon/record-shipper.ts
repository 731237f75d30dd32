/**
 * Hands one flow's records to its sink, within the commit window.
 *
 *   record ─► encoded, ticket taken (offsets) ─► queue ─► put while the CommitWindow has room
 *                                                            │
 *   settled ─► ack the ticket (or leave it for the next run) ─► onProgress ─► commit ─► durable
 *
 *   The window holds the records put since the last durable commit to maxUncommittedRecords: a
 *   kill -9 re-sends no more than that. Reading runs up to READ_AHEAD_RECORDS ahead of the
 *   window, so the next batch is ready while the previous commit is being written.
 */
import type { Writable } from 'node:stream';
import type { KinesisSink, SettleResult } from '../sink/kinesis-sink.js';
import { DropReasons } from '../sink/drop-reasons.js';
import { CommitWindow } from './commit-window.js';
import type { RecordEncoder } from './record-encoder.js';
import { ShipOutputs, type ShipFlow } from './ship-config.js';
import type { ShipCounters } from './ship-counters.js';
import type { FileRecord, TrackedFile } from './tracked-file.js';

/** Records parsed and encoded ahead of the commit window before reading pauses. */
const READ_AHEAD_RECORDS = 2_048;

/** Drops that leave the line unacknowledged: it is read again on the next run. */
const RETRY_NEXT_RUN: ReadonlySet<string> = new Set([
  DropReasons.SHUTDOWN_TIMEOUT,
  DropReasons.CLOSED,
  DropReasons.REJECTED,
]);

/** A record ready to put: encoded, with its place in its file's offsets. */
interface Prepared {
  t: TrackedFile;
  ticket: number;
  data: string;
  key: string | undefined;
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
  /** How long a wait for the commit window lasts before it asks for a commit again. */
  pollIntervalMs: number;
}

/**
 * One flow's records on their way to the sink: encoding, offsets tickets, the read-ahead queue,
 * the commit window and acknowledgements.
 *
 * @example
 * ```ts
 * const shipper = new RecordShipper(flow, encoder, counters, hooks);
 * shipper.shipAll(t, t.take(chunk));
 * shipper.pump();
 * ```
 */
export class RecordShipper {
  readonly window: CommitWindow;
  private queue: (Prepared | undefined)[] = [];
  private queueHead = 0;
  /** The sink asked to slow down: await its ready() before putting more. */
  private sinkSlow = false;
  private stopping = false;

  constructor(
    private readonly flow: ShipFlow,
    private readonly encoder: RecordEncoder,
    private readonly counters: ShipCounters,
    private readonly hooks: RecordShipperHooks,
  ) {
    this.window = new CommitWindow(
      hooks.sink === undefined ? Infinity : hooks.maxUncommittedRecords,
    );
  }

  /** Records encoded and not put yet. */
  get queued(): number {
    return this.queue.length - this.queueHead;
  }

  /** Wakes every wait; no more waiting for room. */
  stop(): void {
    this.stopping = true;
    this.window.wakeAll();
  }

  /** Forgets records not put (they are read again on the next run). */
  dropQueued(): void {
    this.queue = [];
    this.queueHead = 0;
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
      if (this.queued < READ_AHEAD_RECORDS) return true;
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
    // Nothing more joins the records the sink holds until a commit: send them now, and commit
    // what is acknowledged now rather than after commitIntervalMs.
    void sink.flush();
    this.hooks.onProgress(true);
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
    while (this.queueHead < q.length && !this.window.full) {
      const p = q[this.queueHead]!;
      q[this.queueHead++] = undefined;
      p.t.putRecords++;
      this.window.put();
      if (!sink.putEncoded(p.data, p.key, (res) => this.settled(p.t, p.ticket, res))) {
        this.sinkSlow = true;
      }
    }
    if (this.queueHead === q.length) {
      this.queue = [];
      this.queueHead = 0;
    } else if (this.queueHead > READ_AHEAD_RECORDS && this.queueHead * 2 > q.length) {
      this.queue = q.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  /** Prepares records for the queue (dry run: prints them). */
  shipAll(t: TrackedFile, records: FileRecord[]): void {
    for (const r of records) this.ship(t, r);
  }

  private ship(t: TrackedFile, r: FileRecord): void {
    const line = r.line;
    if (line !== undefined) {
      this.counters.linesRead++;
      if (line.invalidUtf8) this.counters.invalidUtf8Lines++;
      if (line.cut === 'split') this.counters.linesSplit++;
      else if (line.cut === 'truncated') this.counters.linesTruncated++;
    }
    if (r.text.length === 0) {
      t.offsets.advanceIdle(r.end);
      return;
    }
    // A record over the Kinesis limit is cut by the sink (longest fields, marked), as in the
    // transports; the whole line was parsed first, so its other fields are kept.
    if (this.flow.output === ShipOutputs.LINE) {
      this.enqueue(t, r, r.text, this.encoder.lineKey(t.path, r.text));
      return;
    }
    const e = this.encoder.encode(t.path, r.text, line);
    if (e.parserFailed) this.counters.parserFailures++;
    if (e.parseError) this.counters.parseErrors++;
    this.enqueue(t, r, e.data, e.key);
  }

  /** Takes a ticket for a record and queues it (dry run: prints it, one record a line). */
  private enqueue(t: TrackedFile, r: FileRecord, body: string, key: string | undefined): void {
    const ticket = t.offsets.add(r.end);
    this.counters.recordsShipped++;
    const sink = this.hooks.sink;
    if (sink === undefined) {
      this.hooks.stdout.write(body + '\n');
      t.offsets.ack(ticket);
      this.counters.recordsAcked++;
      return;
    }
    this.queue.push({ t, ticket, data: body + this.flow.recordDelimiter, key });
  }

  private settled(t: TrackedFile, ticket: number, res: SettleResult): void {
    if (res.ok) {
      this.counters.recordsAcked++;
      t.offsets.ack(ticket);
    } else {
      const d = this.counters.recordsDropped;
      d[res.reason] = (d[res.reason] ?? 0) + 1;
      // Drops the operator chose (oversize: drop, finite retries/TTL) move on; the others are
      // read again on the next run.
      if (!RETRY_NEXT_RUN.has(res.reason)) t.offsets.ack(ticket);
    }
    this.hooks.onProgress(this.window.full);
  }
}
