/**
 * The `kinlog ship` engine, as a library: it never ends the process and installs no signal handlers.
 *
 *   ShipDaemon.start ─► StateStore.open (or StateDirError) ─► one FlowRunner + KinesisSink per flow
 *        loop: every runner.turn() ─► idle? sleep pollIntervalMs
 *        acks ─► onProgress ─► commit (coalesced) ─► state file ─► durable: reading may go on
 *   Per flow, at most maxUncommittedRecords (default: COMMIT_WINDOW_REQUESTS × maxInFlight full
 *   requests, and at most DEFAULT_MAX_UNCOMMITTED_BYTES of them) are put and not yet durable.
 *   stop(): stop reading ─► ship open multi-line entries ─► sink.close() (flush) ─► commit ─► close
 *   stop({ drainMs }): the same within drainMs; unacknowledged lines stay uncommitted (re-read)
 */
import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isDynamicPattern } from 'tinyglobby';
import type { Writable } from 'node:stream';
import type { AwsConnectionOptions } from '@kinlog/core';
import { KinesisSink } from '../sink/kinesis-sink.js';
import { DirWatch } from './dir-watch.js';
import { FileBudget, openFilesAllowed, softOpenFileLimit } from './file-budget.js';
import { FlowRunner } from './flow-runner.js';
import { ShipDefaults, type ShipConfig } from './ship-config.js';
import { emptyShipCounters, type ShipCounters } from './ship-counters.js';
import { startShipMetrics, type ShipMetricsServer } from './ship-metrics.js';
import { formatStatsLine, type ShipStats } from './ship-stats.js';
import { StateStore } from './state-store.js';

/** How often file sizes are re-read for "behind" while reading waits (an outage). */
const SIZE_REFRESH_MS = 1_000;

/** Longest wait at start for the shard maps of routed sinks before reading begins. */
const SHARD_MAP_WAIT_MS = 1_000;

/** Options of {@link ShipDaemon.start}. */
export interface ShipDaemonOptions {
  config: ShipConfig;
  /** Print events to `stdout` instead of sending them; the state is not written. */
  dryRun?: boolean;
  /** Read every file to its current end, deliver, commit, and stop by itself. */
  once?: boolean;
  stdout?: Writable;
  /** Stats lines and warnings. */
  stderr?: Writable;
  credentials?: AwsConnectionOptions['credentials'];
}

/** Events of a {@link ShipDaemon}. */
export interface ShipDaemonEvents {
  warning: [string];
  stats: [ShipStats];
}

/**
 * Follows the files of every flow and ships their lines to Kinesis, at least once.
 *
 * @example
 * ```ts
 * const daemon = await ShipDaemon.start({ config: await loadShipConfig('ship.yaml') });
 * process.once('SIGTERM', () => void daemon.stop());
 * await daemon.done;
 * ```
 */
export class ShipDaemon extends EventEmitter<ShipDaemonEvents> {
  /** Resolves when the daemon has stopped (after {@link stop}, or by itself with `once`). */
  readonly done: Promise<void>;
  /** The metrics endpoint's port, when `metricsPort` was set. */
  metricsPort: number | undefined;
  private readonly runners: FlowRunner[];
  private readonly sinks: KinesisSink[];
  private metrics: ShipMetricsServer | undefined;
  private stopping = false;
  private stopPromise: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private idleMs = 0;
  private readonly dirWatch: DirWatch;
  private commitTimer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private commitTimerUrgent = false;
  private lastCommitError: string | undefined;
  private readonly lastSinkError = new Map<FlowRunner, string>();
  private statsTimer: NodeJS.Timeout | undefined;
  private sizeTimer: NodeJS.Timeout | undefined;
  private refreshing = false;
  private loop: Promise<void> = Promise.resolve();
  private resolveDone!: () => void;
  private lastRate = { atMs: Date.now(), acked: 0 };

  private constructor(
    private readonly options: ShipDaemonOptions,
    private readonly store: StateStore | undefined,
  ) {
    super();
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    const { config } = options;
    const stdout = options.stdout ?? process.stdout;
    this.sinks = [];
    this.dirWatch = new DirWatch(
      config.flows.flatMap((f) => f.paths),
      () => this.wake?.(),
    );
    const saved = store?.loaded.files ?? [];
    const budget = fileBudget(config);
    this.runners = config.flows.map((flow) => {
      let sink: KinesisSink | undefined;
      if (!options.dryRun) {
        sink = new KinesisSink({
          streamName: flow.stream,
          region: config.region,
          endpoint: config.endpoint,
          credentials: options.credentials,
          flushIntervalMs: ShipDefaults.FLUSH_INTERVAL_MS,
          shutdownTimeoutMs: ShipDefaults.SHUTDOWN_TIMEOUT_MS,
          maxBufferBytes: ShipDefaults.MAX_BUFFER_BYTES,
          ...(config.sink.aggregation === true
            ? { maxBatchBytes: ShipDefaults.AGGREGATED_REQUEST_BYTES }
            : {}),
          ...config.sink,
          // Nothing is given up while Kinesis is away: the bounded buffer blocks reading instead.
          maxRetries: Infinity,
          recordTtlMs: Infinity,
          whenFull: 'block',
        });
        sink.on('error', (err) => {
          this.lastSinkError.set(runner, err.message);
          this.warn(`stream ${flow.stream}: ${err.message}`);
        });
        this.sinks.push(sink);
      }
      const runner: FlowRunner = new FlowRunner(flow, saved, {
        sink,
        stdout,
        warn: (m) => this.warn(m),
        onProgress: (urgent) => this.scheduleCommit(urgent),
        releaseIdleMs: config.releaseIdleMs,
        maxUncommittedRecords: config.maxUncommittedRecords ?? inFlightWindow(sink),
        maxUncommittedBytes:
          config.maxUncommittedRecords === undefined
            ? ShipDefaults.DEFAULT_MAX_UNCOMMITTED_BYTES
            : undefined,
        pollIntervalMs: config.pollIntervalMs,
        budget,
      });
      return runner;
    });
  }

  /**
   * Opens the state directory (throws {@link StateDirError} when it is not writable), starts
   * the metrics endpoint when asked, and starts following files.
   */
  static async start(options: ShipDaemonOptions): Promise<ShipDaemon> {
    const store = options.dryRun ? undefined : await StateStore.open(options.config.stateDir);
    const daemon = new ShipDaemon(options, store);
    for (const w of store?.warnings ?? []) daemon.warn(w);
    for (const flow of options.config.flows) {
      for (const p of await pathProblems(flow.paths, flow.exclude)) daemon.warn(p);
    }
    const { metricsPort, statsIntervalMs } = options.config;
    if (metricsPort !== undefined) {
      daemon.metrics = await startShipMetrics(metricsPort, () => daemon.stats());
      daemon.metricsPort = daemon.metrics.port;
    }
    daemon.sizeTimer = setInterval(() => void daemon.refreshSizes(), SIZE_REFRESH_MS).unref();
    if (statsIntervalMs > 0) {
      daemon.statsTimer = setInterval(() => daemon.emitStats(), statsIntervalMs).unref();
    }
    daemon.loop = daemon.run();
    return daemon;
  }

  /**
   * Stops reading, delivers what was read, commits, releases everything. Idempotent (the first
   * call's `drainMs` applies).
   *
   * @param options.drainMs - bound of the whole delivery (default: the sink's
   *   `shutdownTimeoutMs`): what is not acknowledged by then stays uncommitted and is read again
   *   at the next start, so nothing is lost; {@link undelivered} lists it.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void daemon.stop({ drainMs: 3_000 }));
   * ```
   */
  stop(options: { drainMs?: number } = {}): Promise<void> {
    this.stopPromise ??= this.shutdown(options.drainMs);
    return this.stopPromise;
  }

  /** A snapshot of files, counters and sink counters. */
  stats(): ShipStats {
    const counters = emptyShipCounters();
    const files = [];
    for (const r of this.runners) {
      addCounters(counters, r.counters);
      for (const f of r.files()) {
        files.push({
          flow: r.flow.name,
          path: f.path,
          size: f.size,
          behindBytes: Math.max(0, f.size - f.committed),
        });
      }
    }
    const sink = {
      recordsSent: 0,
      putRecordsCalls: 0,
      entriesRetried: 0,
      requestRetries: 0,
      droppedTotal: 0,
      bufferedRecords: 0,
    };
    for (const s of this.sinks) {
      const st = s.stats();
      for (const k of Object.keys(sink) as (keyof typeof sink)[]) sink[k] += st[k];
    }
    const now = Date.now();
    const elapsed = Math.max(1, now - this.lastRate.atMs);
    const recordsPerSecond = ((counters.recordsAcked - this.lastRate.acked) * 1000) / elapsed;
    const streams = this.sinks.map((s) => {
      const { bytesSentByShard, entriesFailedByShard } = s.stats();
      return { stream: s.options.streamName, bytesSentByShard, entriesFailedByShard };
    });
    return { files, counters, sink, recordsPerSecond, streams };
  }

  private async refreshSizes(): Promise<void> {
    if (this.refreshing || this.stopping) return;
    this.refreshing = true;
    try {
      for (const r of this.runners) await r.refreshSizes();
    } finally {
      this.refreshing = false;
    }
  }

  private emitStats(): void {
    const s = this.stats();
    this.lastRate = { atMs: Date.now(), acked: s.counters.recordsAcked };
    this.emit('stats', s);
    this.options.stderr?.write(formatStatsLine(s) + '\n');
  }

  private warn(message: string): void {
    if (this.listenerCount('warning') > 0) this.emit('warning', message);
    else this.options.stderr?.write(`kinlog ship: ${message}\n`);
  }

  /**
   * After a `once` run: what it read and did not get acknowledged, and paths it could not read,
   * one line each; empty when everything read was delivered and committed.
   */
  async undelivered(): Promise<string[]> {
    const out: string[] = [];
    for (const r of this.runners) {
      for (const f of r.unacknowledged()) {
        out.push(
          `${f.path}: ${f.records} record(s), ${f.bytes} byte(s) not acknowledged by stream ${r.flow.stream}`,
        );
      }
      for (const message of r.unreadable.values()) out.push(message);
      if (r.waitingFiles > 0)
        out.push(
          `${r.waitingFiles} matching file(s) not read: they waited for the open-file limit`,
        );
      out.push(...(await pathProblems(r.flow.paths, r.flow.exclude)));
      const err = this.lastSinkError.get(r);
      if (err !== undefined && out.length > 0)
        out.push(`last error of stream ${r.flow.stream}: ${err}`);
    }
    if (this.lastCommitError !== undefined) out.push(this.lastCommitError);
    return out;
  }

  private async run(): Promise<void> {
    // A routed sink (aggregation) loads its shard map before the first lines are read: lines put
    // before it is there wait one by one and are placed one by one. Bounded: an endpoint that
    // does not answer delays reading no longer than this.
    await settlesWithin(Promise.all(this.sinks.map((s) => s.prepare())), SHARD_MAP_WAIT_MS);
    let first = true;
    let linesFinished = false;
    while (!this.stopping) {
      let more = false;
      for (const runner of this.runners) {
        try {
          if (await runner.turn(first)) more = true;
        } catch (err) {
          this.warn(`flow ${runner.flow.name}: ${(err as Error).message}`);
        }
      }
      first = false;
      if (this.options.once && !more && !linesFinished) {
        // The end of the file ends its last line, "\n" or not.
        linesFinished = true;
        for (const r of this.runners) if (r.finishLines()) more = true;
      }
      if (this.options.once && !more) {
        void this.stop();
        return;
      }
      if (!more && !this.stopping) await this.sleep(this.idleSleepMs());
      else this.idleMs = 0;
    }
  }

  /**
   * How long an idle turn sleeps: the poll interval, or, while every directory is watched and
   * nothing is due by time, twice the last sleep up to WATCHED_POLL_INTERVAL_MS (a file event
   * wakes the daemon at once; the slow poll catches what a file system does not report).
   */
  private idleSleepMs(): number {
    const poll = this.options.config.pollIntervalMs;
    if (this.options.once) return poll;
    this.dirWatch.refresh();
    const quiet =
      this.dirWatch.allWatched &&
      !this.dirWatch.takeChanged() &&
      !this.runners.some((r) => r.timedWorkPending());
    this.idleMs = quiet
      ? Math.min(
          Math.max(poll, this.idleMs * 2),
          Math.max(poll, ShipDefaults.WATCHED_POLL_INTERVAL_MS),
        )
      : poll;
    return this.idleMs;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      // Referenced: this timer is what keeps a running daemon's process alive.
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async shutdown(drainMs: number | undefined): Promise<void> {
    const endAt = Date.now() + (drainMs ?? Infinity);
    const left = (): number => Math.max(0, endAt - Date.now());
    this.stopping = true;
    for (const r of this.runners) r.stop();
    this.dirWatch.close();
    this.wake?.();
    // A read blocked on a full sink (Kinesis silent) ends only when the sink closes below.
    const loopEnded = await settlesWithin(this.loop, left());
    // Open multi-line entries are shipped only when no read is still running.
    if (loopEnded) for (const r of this.runners) r.drainForShutdown();
    await Promise.all(this.sinks.map((s) => s.close({ timeoutMs: left() })));
    await this.loop;
    if (this.commitTimer !== undefined) clearCommitTimer(this.commitTimer);
    this.commitTimer = undefined;
    // Up to the contiguous acknowledged point only: the rest is read again at the next start.
    await this.commit();
    for (const r of this.runners) await r.close();
    if (this.statsTimer !== undefined) clearInterval(this.statsTimer);
    if (this.sizeTimer !== undefined) clearInterval(this.sizeTimer);
    await this.metrics?.close();
    this.resolveDone();
  }

  /** `urgent`: a flow waits for this commit to read on, so commitIntervalMs does not apply. */
  private scheduleCommit(urgent: boolean): void {
    if (this.store === undefined) return;
    if (this.commitTimer !== undefined) {
      if (!urgent || this.commitTimerUrgent) return;
      clearCommitTimer(this.commitTimer);
    }
    this.commitTimerUrgent = urgent;
    const run = (): void => {
      this.commitTimer = undefined;
      void this.commit();
    };
    // A flow is waiting: right after this turn's acks, not a timer tick (≥ 1 ms) later.
    this.commitTimer = urgent
      ? setImmediate(run).unref()
      : setTimeout(run, this.options.config.commitIntervalMs).unref();
  }

  private async commit(): Promise<void> {
    if (this.store === undefined) return;
    const points = this.runners.map((r) => r.commitPoint());
    try {
      await this.store.save({ version: 1, files: points.flatMap((p) => p.files) });
    } catch (err) {
      // Retried when a flow waits for room in its commit window; said once per distinct error.
      const message = `cannot write state to ${this.store.file}: ${(err as Error).message} (will retry)`;
      if (message !== this.lastCommitError) this.warn(message);
      this.lastCommitError = message;
      return;
    }
    this.lastCommitError = undefined;
    for (const p of points) p.durable();
  }
}

/** The open-file budget all flows share, and the warning that explains it. */
function fileBudget(config: ShipConfig): FileBudget {
  const soft = softOpenFileLimit();
  const max = openFilesAllowed(config.maxOpenFiles, soft, config.flows.length);
  const limit = Number.isFinite(soft) ? `, open-file limit ${soft}` : '';
  return new FileBudget(
    max,
    `more files match than the ${max} kept open (maxOpenFiles ${config.maxOpenFiles}${limit}): ` +
      'files at their end are closed and reopened in turn, so new lines may wait longer; raise ' +
      'LimitNOFILE (ulimit -n) or maxOpenFiles to keep more open',
  );
}

/** Paths given by name (not globs) that are missing or are directories, for `once`. */
async function pathProblems(paths: string[], exclude: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    // A glob that matches nothing yet is normal (logs not written yet); a named path is not.
    if (isDynamicPattern(p) || exclude.includes(p)) continue;
    try {
      if ((await stat(p)).isDirectory())
        out.push(`${p}: is a directory (give a glob such as ${join(p, '*.log')})`);
    } catch (err) {
      out.push(
        `${p}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
      );
    }
  }
  return out;
}

/** Whether `promise` settled within `ms` (an unbounded wait when `ms` is Infinity). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  if (ms === Infinity) {
    await promise;
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function clearCommitTimer(timer: NodeJS.Timeout | NodeJS.Immediate): void {
  if ('refresh' in timer) clearTimeout(timer);
  else clearImmediate(timer);
}

/**
 * The default bound of records put and not yet durable per flow, which is what a kill -9 may
 * re-send: COMMIT_WINDOW_REQUESTS × `maxInFlight` full requests, so the sink keeps that many in
 * flight (pipelining) and acknowledged ones wait for a grouped commit, while offsets still
 * commit only up to the contiguous acknowledged point.
 */
function inFlightWindow(sink: KinesisSink | undefined): number {
  if (sink === undefined) return Infinity;
  if (sink.options.aggregation) return ShipDefaults.AGGREGATED_MAX_UNCOMMITTED_RECORDS;
  return (
    ShipDefaults.COMMIT_WINDOW_REQUESTS * sink.options.maxInFlight * sink.options.maxBatchRecords
  );
}

function addCounters(into: ShipCounters, from: ShipCounters): void {
  for (const k of Object.keys(from) as (keyof ShipCounters)[]) {
    if (k === 'recordsDropped') {
      for (const [r, n] of Object.entries(from.recordsDropped))
        into.recordsDropped[r] = (into.recordsDropped[r] ?? 0) + n;
    } else into[k] += from[k];
  }
}
