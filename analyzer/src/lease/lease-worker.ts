/*
 *   runIteration (every worker of a name runs it at once; any number of them):
 *     k = last committed + 1 ─▶ cut of k stored? ─ no ─▶ list shards, plan from k−1's window,
 *                                     │               end = arrivals by now + skew ─▶ putCut
 *                                     ▼               (first put wins; everyone uses the stored one)
 *     leases for the cut's shards ─▶ loop: read each leased shard of the cut with no partial
 *       (its own aggregator, up to the cut) ─▶ encode ─▶ publish on the lease (counter checked)
 *       every shard has a partial? ─▶ claim k (one merger) ─▶ merge in cut order ─▶ store report
 *       ─▶ checkpoints ─▶ commit ─▶ delete k's partials (and older ones a crash left: sweep)
 *                                           k committed by anyone? ─▶ return its report
 *
 * A worker killed mid-read stores nothing: its leases expire and another worker reads the same
 * (startAfterSeq, cutoff] again. A stale owner's partial is refused by the lease counter.
 *
 *   rerunIteration(k) (every worker rerunning k at once; any number of them): committed k's
 *     stored window ─▶ replay cut g under <name>#rerun-<k> (g: an unfinished one to join, else
 *     the next) ─▶ the same lease loop over (startAfterSeq, endSeq] ─▶ every worker merges the
 *     partials ─▶ each shard's records and end checked against the stored window; nothing written
 *     to the iteration ─▶ the last worker to leave the replay removes its partials, leases, cuts
 *
 *   close() or the signal, mid-iteration: reads end, held leases are handed back at once, and
 *   the iteration rejects with WorkerStoppedError (the others finish it).
 */
import { setTimeout as delay } from 'node:timers/promises';
import {
  ConfigError,
  FORMAT_DETECTOR_VERSION,
  isParserName,
  retryWithBackoff,
  type ParserName,
} from '@kinlog/core';
import { TopNAggregator, TopNDefaults } from '../aggregate/top-n-aggregator.js';
import { SIGNATURE_RULES_VERSION } from '../classify/message-signature.js';
import type { DynamoCheckpointStore } from '../checkpoint/dynamo-checkpoint-store.js';
import { IterationStatuses } from '../checkpoint/stored-items.js';
import {
  STORED_REPORT_FORMAT,
  StoredReportFormats,
  type StoredReport,
} from '../checkpoint/stored-report.js';
import { AUTO_PARSER, emptyDecodeStats } from '../decode/record-decoder.js';
import {
  AnalyzerError,
  IterationConflictError,
  IterationNotFoundError,
  LeaseLostError,
  PreviousIterationMissingError,
  WindowNotReplayableError,
  WorkerStoppedError,
} from '../errors.js';
import type { ShardSource } from '../stream/kinesis-shard-source.js';
import { ReadShardsDefaults } from '../stream/read-shards-in-order.js';
import { streamCutsOf } from '../checkpoint/stored-report.js';
import type { ShardInfo } from '../stream/shard-info.js';
import { analyzeShards, type AnalyzeSettings } from '../window/analyze-shards.js';
import { AnalyzerDefaults, type IterationOutcome } from '../window/analyzer.js';
import { planWindow } from '../window/plan-window.js';
import { LeaseCoordinator, type LeaseTick } from './lease-coordinator.js';
import { leaseKeyOf, type CutShard, type IterationCut, type LeaseStore } from './lease-store.js';
import { PartialMerger, type MergedPartials } from './merge-partials.js';
import { removeReplay, sweepCommittedPartials } from './partial-sweeper.js';
import {
  decodePartial,
  emptyColumns,
  encodePartial,
  PARTIAL_FORMAT,
  type ShardPartial,
} from './shard-partial.js';

/** Defaults of {@link LeaseWorkerOptions}. */
export const LeaseWorkerDefaults = {
  /** How often a waiting worker looks for partials and for the commit. */
  POLL_INTERVAL_MS: 250,
  CHECKPOINT_WRITE_CONCURRENCY: 16,
  /** A shard listing that fails retryably (a dropped connection, throttling) is tried again. */
  LIST_SHARDS_ATTEMPTS: 4,
  LIST_SHARDS_BACKOFF_BASE_MS: 200,
  LIST_SHARDS_BACKOFF_MAX_MS: 2_000,
} as const;

/**
 * Where one round of shard reads keeps its leases, cut and partials: the name's own (a new
 * iteration) or a replay's (`<name>#rerun-<k>`), with the coordinator of those leases.
 */
interface Lane {
  readonly name: string;
  readonly coordinator: LeaseCoordinator;
  /** The iteration (or replay generation) the cut and partials are stored under. */
  readonly iteration: number;
  /** How text records are read: a replay reads as its iteration did. */
  readonly parser: ParserName;
}

/** The iteration and report items a lease worker uses (the DynamoDB checkpoint store). */
export type IterationStore = Pick<
  DynamoCheckpointStore,
  | 'latestIteration'
  | 'getIteration'
  | 'claimIteration'
  | 'getReport'
  | 'putReport'
  | 'putCheckpoint'
  | 'commitIteration'
>;

export interface LeaseWorkerOptions extends AnalyzeSettings {
  readonly name: string;
  readonly stream: string;
  readonly source: ShardSource;
  readonly store: IterationStore;
  readonly leases: LeaseStore;
  /** Default `host:pid`. */
  readonly workerId?: string;
  /** A lease not renewed for this long is taken by another worker. Default 10 s. */
  readonly failoverMs?: number;
  readonly iterationTimeoutMs?: number;
  readonly pollIntervalMs?: number;
  readonly signal?: AbortSignal;
  /** Told what each lease tick did (see `LeaseCoordinatorOptions.onTick`). */
  readonly onLeaseTick?: (tick: LeaseTick) => void;
  readonly onLeaseTickError?: (err: unknown) => void;
  /**
   * Told when deleting a committed iteration's partials (or a finished replay) failed: the
   * iteration stands, and the next commit sweeps what is left.
   */
  readonly onCleanupError?: (err: unknown) => void;
}

/**
 * One of several workers analyzing one logical name together: each reads the shards it leases,
 * and every iteration's report is the same as one worker alone would store.
 *
 * @example
 * ```ts
 * const worker = new LeaseWorker({ name: 'web', stream: 'logs', source, store, leases, workerId: 'a' });
 * const { iteration, report } = await worker.runIteration();
 * await worker.close();
 * ```
 */
export class LeaseWorker {
  readonly coordinator: LeaseCoordinator;
  private readonly options: LeaseWorkerOptions;
  /** Aborted by {@link close}; with the caller's signal, ends every read and wait. */
  private readonly stopper = new AbortController();
  private readonly signal: AbortSignal;
  /** The iteration or rerun running now, which {@link close} lets settle. */
  private running: Promise<unknown> | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: LeaseWorkerOptions) {
    for (const key of ['iterationTimeoutMs', 'pollIntervalMs'] as const) {
      const v = options[key];
      if (v !== undefined && !(Number.isInteger(v) && v > 0)) {
        throw new ConfigError([{ path: key, message: 'must be a positive integer' }]);
      }
    }
    this.options = options;
    this.coordinator = this.coordinatorOf(options.name);
    this.signal =
      options.signal === undefined
        ? this.stopper.signal
        : AbortSignal.any([options.signal, this.stopper.signal]);
  }

  private get parser(): ParserName {
    return this.options.parser ?? AUTO_PARSER;
  }

  private coordinatorOf(name: string): LeaseCoordinator {
    const options = this.options;
    return new LeaseCoordinator({
      store: options.leases,
      name,
      ...(options.workerId === undefined ? {} : { workerId: options.workerId }),
      ...(options.failoverMs === undefined ? {} : { failoverMs: options.failoverMs }),
      ...(options.onLeaseTick === undefined ? {} : { onTick: options.onLeaseTick }),
      ...(options.onLeaseTickError === undefined ? {} : { onTickError: options.onLeaseTickError }),
    });
  }

  get workerId(): string {
    return this.coordinator.workerId;
  }

  /**
   * Stops renewing and hands every held lease back, so the others take them at once; an
   * iteration running now ends first (rejecting with {@link WorkerStoppedError}). Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopper.abort();
      await this.running?.catch(() => undefined);
      await this.coordinator.stop({ release: true });
    })();
    return this.closing;
  }

  /**
   * Runs one iteration or rerun; once stopped (close() or the signal) it hands the leases back
   * and rejects with {@link WorkerStoppedError}, whatever the stop interrupted.
   */
  private async stoppable<T>(during: string, run: () => Promise<T>): Promise<T> {
    const stopped = (cause?: unknown) =>
      new WorkerStoppedError(this.options.name, this.workerId, during, cause);
    if (this.signal.aborted) throw stopped(this.signal.reason);
    const running = run();
    this.running = running;
    try {
      return await running;
    } catch (err) {
      if (!this.signal.aborted) throw err;
      // The registration stays until close(): a worker stopped by its signal may run again.
      await this.coordinator.stop({ release: true, forget: false });
      throw stopped(err);
    } finally {
      if (this.running === running) this.running = undefined;
    }
  }

  /**
   * Takes part in the next iteration until some worker commits it.
   *
   * @throws {PreviousIterationMissingError} when k−1's report is missing.
   */
  async runIteration(): Promise<IterationOutcome> {
    return this.stoppable('an iteration', () => this.runIterationNow());
  }

  private async runIterationNow(): Promise<IterationOutcome> {
    const { name, stream, store } = this.options;
    // Known to the others from now on: none of them takes this worker's share of free leases.
    await this.coordinator.register();
    const latest = await store.latestIteration(name);
    if (latest !== undefined && latest.stream !== stream) {
      throw new ConfigError([
        { path: 'stream', message: `name ${name} analyzes stream ${latest.stream}, not ${stream}` },
      ]);
    }
    const k =
      latest === undefined
        ? 1
        : latest.status === IterationStatuses.committed
          ? latest.iteration + 1
          : latest.iteration;
    const previous = k > 1 ? await store.getReport(name, k - 1) : undefined;
    if (k > 1 && previous === undefined) throw new PreviousIterationMissingError(name, k);
    const cut = await this.cutOf(k, previous);
    // Listed once per iteration: the hash ranges that check aggregated records' shards.
    const listed = await this.listShards();
    // A carried shard closed and was read to its end in an iteration committed before k: its
    // lease would be renewed and counted forever. Its children are in the cut, leased below.
    const listedLeases = new Set(
      (await this.options.leases.listLeases(name)).map((l) => l.leaseKey),
    );
    await this.coordinator.retire(
      cut.shards
        .filter((s) => s.carried !== undefined)
        .map((s) => leaseKeyOf(s.stream, s.shardId))
        .filter((key) => listedLeases.has(key)),
    );
    const lane: Lane = { name, coordinator: this.coordinator, iteration: k, parser: this.parser };
    return this.readUntil(lane, cut, listed, async (complete) => {
      const item = await store.getIteration(name, k);
      if (item?.status === IterationStatuses.committed) {
        const report = await store.getReport(name, k);
        if (report !== undefined) return { iteration: k, report, recovered: false };
      }
      if (!complete) return undefined;
      const report = await this.merge(k, cut, previous);
      return report === undefined ? undefined : { iteration: k, report, recovered: false };
    });
  }

  /**
   * Replays committed iteration k over exactly its stored window, together with every worker
   * rerunning k at the same time (each reads the shards it leases); nothing is written to the
   * iteration. The report is the stored one with the result, decode and format counts of the
   * replay, as a single process's rerun gives.
   *
   * @throws {IterationNotFoundError} when k is not committed.
   * @throws {WindowNotReplayableError} when a shard's records are no longer all in the stream.
   * @example
   * ```ts
   * const { report } = await worker.rerunIteration(7); // on each worker
   * ```
   */
  async rerunIteration(k: number): Promise<IterationOutcome> {
    return this.stoppable(`a rerun of iteration ${k}`, () => this.rerunIterationNow(k));
  }

  private async rerunIterationNow(k: number): Promise<IterationOutcome> {
    const { name, stream, store, leases } = this.options;
    const item = await store.getIteration(name, k);
    const stored =
      item?.status === IterationStatuses.committed ? await store.getReport(name, k) : undefined;
    if (stored === undefined) throw new IterationNotFoundError(name, k);
    const storedFormats = stored.formats;
    if (storedFormats?.detectorVersion !== FORMAT_DETECTOR_VERSION) {
      return {
        iteration: k,
        report: stored,
        recovered: false,
        countedByOtherDetector: { detectorVersion: storedFormats?.detectorVersion ?? null },
      };
    }
    if (streamCutsOf(stored).length > 1 || stored.stream !== stream) {
      throw new ConfigError([
        {
          path: 'stream',
          message: `iteration ${k} of ${name} cut ${streamCutsOf(stored)
            .map((c) => c.stream)
            .join(', ')}: rerun it without --workers`,
        },
      ]);
    }
    const previous = k > 1 ? await store.getReport(name, k - 1) : undefined;
    const replayName = `${name}#rerun-${k}`;
    const listed = await this.listShards();
    const shards = stored.window.map((w): CutShard => {
      const empty = w.endSeq === undefined || w.endSeq === w.startAfterSeq;
      return {
        stream,
        shardId: w.shardId,
        parentShardIds: w.parentShardIds,
        ...(w.startAfterSeq === undefined ? {} : { startAfterSeq: w.startAfterSeq }),
        ...(w.endSeq === undefined ? {} : { endSeq: w.endSeq }),
        ...(empty ? { carried: w } : {}),
      };
    });
    const toRead = shards.filter((s) => s.carried === undefined);
    // Join a replay still reading; a finished one (or none) starts the next generation.
    const latest = await leases.latestCut(replayName);
    let generation = latest?.iteration ?? 1;
    if (latest !== undefined) {
      const published = new Map(
        (await leases.listLeases(replayName)).map((l) => [l.leaseKey, l.partial?.iteration]),
      );
      const finished = toRead.every(
        (s) => published.get(leaseKeyOf(s.stream, s.shardId)) === latest.iteration,
      );
      if (finished) generation = latest.iteration + 1;
    }
    const startedMs = Date.now();
    const cut = await leases.putCut({
      formatVersion: 1,
      name: replayName,
      iteration: generation,
      createdBy: this.workerId,
      createdAtMs: startedMs,
      // Every shard ends at its stored endSeq: the arrival cutoff never binds.
      cutoffArrivalMs: Number.MAX_SAFE_INTEGER,
      deadlineMs:
        startedMs + (this.options.iterationTimeoutMs ?? AnalyzerDefaults.ITERATION_TIMEOUT_MS),
      shards,
    });
    const coordinator = this.coordinatorOf(replayName);
    const parser = storedFormats.parser;
    const lane: Lane = {
      name: replayName,
      coordinator,
      iteration: cut.iteration,
      // Read as the iteration was: the same parser gives the same counts.
      parser: isParserName(parser) ? parser : AUTO_PARSER,
    };
    let outcome: IterationOutcome;
    try {
      outcome = await this.readUntil(lane, cut, listed, async (complete) => {
        if (!complete) return undefined;
        const merged = await this.mergePartials(lane, cut, previous);
        if (merged === undefined) return undefined;
        merged.window.forEach((w, i) => {
          const want = stored.window[i]!;
          if (w.records !== want.records || w.endSeq !== want.endSeq) {
            throw new WindowNotReplayableError(
              w.shardId,
              `expected ${want.records} records up to ${String(want.endSeq)}, read ${w.records} up to ${String(w.endSeq)}`,
            );
          }
        });
        const report: StoredReport = {
          ...stored,
          result: merged.result,
          decode: merged.decode,
          formats: { ...storedFormats, counts: merged.formats?.counts ?? storedFormats.counts },
        };
        return { iteration: k, report, recovered: false };
      });
    } finally {
      await coordinator.stop({ release: true });
    }
    await this.removeReplayWhenLast(coordinator, cut);
    return outcome;
  }

  /**
   * Once this worker left the replay: if no other worker is still in it (a live one removes it
   * when it leaves), its partials, leases and cuts are removed. A registration that has not
   * beaten for the failover time is a dead worker's and does not hold the removal back.
   */
  private async removeReplayWhenLast(
    coordinator: LeaseCoordinator,
    cut: IterationCut,
  ): Promise<void> {
    const pollMs = this.options.pollIntervalMs ?? LeaseWorkerDefaults.POLL_INTERVAL_MS;
    try {
      for (;;) {
        const live = await coordinator.othersLive();
        if (live === true) return;
        if (live === false) break;
        await delay(pollMs, undefined, { signal: this.signal });
      }
      await removeReplay(this.options.leases, cut);
    } catch (err) {
      // Stopped while waiting, or DynamoDB refused: the rerun's result stands, and the next
      // rerun of the iteration removes what is left.
      if (!this.signal.aborted) this.options.onCleanupError?.(err);
    }
  }

  /**
   * The lease loop of one cut: renew and balance the lane's leases, read each leased shard with
   * no partial yet, until `check` (told whether every shard has a partial) gives an outcome.
   */
  private async readUntil(
    lane: Lane,
    cut: IterationCut,
    listed: readonly ShardInfo[],
    check: (complete: boolean) => Promise<IterationOutcome | undefined>,
  ): Promise<IterationOutcome> {
    const toRead = cut.shards.filter((s) => s.carried === undefined);
    await lane.coordinator.register();
    await this.options.leases.ensureLeases(lane.name, toRead);
    lane.coordinator.start();
    await lane.coordinator.tick();
    const pollMs = this.options.pollIntervalMs ?? LeaseWorkerDefaults.POLL_INTERVAL_MS;
    for (;;) {
      this.signal.throwIfAborted();
      const leases = new Map(
        (await this.options.leases.listLeases(lane.name)).map((l) => [l.leaseKey, l]),
      );
      // Removed under us (a replay's last worker left as this one joined): made again, read again.
      if (toRead.some((s) => !leases.has(leaseKeyOf(s.stream, s.shardId)))) {
        await this.options.leases.ensureLeases(lane.name, toRead);
      }
      const missing = toRead.filter(
        (s) => leases.get(leaseKeyOf(s.stream, s.shardId))?.partial?.iteration !== lane.iteration,
      );
      const outcome = await check(missing.length === 0);
      if (outcome !== undefined) return outcome;
      const mine = missing.filter((s) => lane.coordinator.holds(leaseKeyOf(s.stream, s.shardId)));
      const limit = this.options.concurrency ?? ReadShardsDefaults.CONCURRENCY;
      let read = false;
      let at = 0;
      const reader = async (): Promise<void> => {
        while (at < mine.length) {
          const shard = mine[at++]!;
          if (await this.readShard(lane, cut, shard, listed)) read = true;
        }
      };
      await Promise.all(Array.from({ length: Math.min(limit, mine.length) }, reader));
      // Awaited by the caller, so it keeps the process alive (unlike the lease ticks).
      if (!read) await delay(pollMs, undefined, { signal: this.signal });
    }
  }

  /** The stream's shards; every worker lists them each iteration, so a dropped call is retried. */
  private listShards(): Promise<ShardInfo[]> {
    return retryWithBackoff(() => this.options.source.listShards(this.options.stream), {
      maxAttempts: LeaseWorkerDefaults.LIST_SHARDS_ATTEMPTS,
      baseMs: LeaseWorkerDefaults.LIST_SHARDS_BACKOFF_BASE_MS,
      maxMs: LeaseWorkerDefaults.LIST_SHARDS_BACKOFF_MAX_MS,
      shouldRetry: (err) => err instanceof AnalyzerError && err.retryable,
      unref: true,
      signal: this.signal,
    });
  }

  /** The stored cut of k, or a new one stored now (the first stored wins). */
  private async cutOf(k: number, previous: StoredReport | undefined): Promise<IterationCut> {
    const { name, stream, leases } = this.options;
    const stored = await leases.getCut(name, k);
    if (stored !== undefined) return stored;
    const startedMs = Date.now();
    const planned = planWindow(await this.listShards(), previous?.window ?? []);
    const shards = planned.map((p): CutShard => ({
      stream,
      shardId: p.shardId,
      parentShardIds: p.parentShardIds,
      ...(p.startAfterSeq === undefined ? {} : { startAfterSeq: p.startAfterSeq }),
      ...(p.carried === undefined ? {} : { carried: p.carried }),
    }));
    return leases.putCut({
      formatVersion: 1,
      name,
      iteration: k,
      createdBy: this.workerId,
      createdAtMs: startedMs,
      cutoffArrivalMs: startedMs + AnalyzerDefaults.ARRIVAL_SKEW_TOLERANCE_MS,
      deadlineMs:
        startedMs + (this.options.iterationTimeoutMs ?? AnalyzerDefaults.ITERATION_TIMEOUT_MS),
      shards,
    });
  }

  /** Reads one leased shard up to the cut and publishes its partial; false if the lease went. */
  private async readShard(
    lane: Lane,
    cut: IterationCut,
    shard: CutShard,
    listed: readonly ShardInfo[],
  ): Promise<boolean> {
    const k = lane.iteration;
    const leaseKey = leaseKeyOf(shard.stream, shard.shardId);
    const lost = lane.coordinator.signalOf(leaseKey);
    if (lost === undefined) return false;
    const signal = AbortSignal.any([lost, this.signal]);
    const aggregator = new TopNAggregator(
      this.options.maxDistinctKeys === undefined
        ? {}
        : { maxDistinctKeys: this.options.maxDistinctKeys },
    );
    let outcome;
    try {
      outcome = await analyzeShards(
        this.options.source,
        [
          {
            shardId: shard.shardId,
            parentShardIds: shard.parentShardIds,
            ...(shard.startAfterSeq === undefined ? {} : { startAfterSeq: shard.startAfterSeq }),
            ...(shard.endSeq === undefined ? {} : { endSeq: shard.endSeq }),
          },
        ],
        {
          ...this.options,
          parser: lane.parser,
          stream: shard.stream,
          aggregator,
          signal,
          cutoffArrivalMs: cut.cutoffArrivalMs,
          deadlineMs: cut.deadlineMs,
          listedShards: listed,
        },
      );
    } catch (err) {
      if (lost.aborted && !this.signal.aborted) return false;
      // A transient read failure: the lease is still ours, the next round reads it again.
      if (err instanceof AnalyzerError && err.retryable) return false;
      throw err;
    }
    const bytes = encodePartial({
      iteration: k,
      stream: shard.stream,
      window: outcome.window[0]!,
      decode: outcome.decode,
      formats: {
        detectorVersion: FORMAT_DETECTOR_VERSION,
        parser: lane.parser,
        counts: outcome.formats,
      },
      snapshot: aggregator.snapshot(),
      signatureRulesVersion: SIGNATURE_RULES_VERSION,
    });
    try {
      await lane.coordinator.withLease(leaseKey, (lease) =>
        this.options.leases.putPartial(lane.name, lease, k, bytes),
      );
      return true;
    } catch (err) {
      if (err instanceof LeaseLostError) return false;
      throw err;
    }
  }

  /** Merges every partial of k into its report and commits k; undefined if another worker is. */
  private async merge(
    k: number,
    cut: IterationCut,
    previous: StoredReport | undefined,
  ): Promise<StoredReport | undefined> {
    const { name, stream, store } = this.options;
    try {
      await store.claimIteration(name, k, stream, this.workerId, this.coordinator.failoverMs);
    } catch (err) {
      if (err instanceof IterationConflictError) return undefined;
      throw err;
    }
    try {
      return await this.mergeClaimed(k, cut, previous);
    } catch (err) {
      // Our claim ran out and another worker finished k: its report is the same.
      if (err instanceof IterationConflictError) return undefined;
      // That worker may have deleted k's partials under this merge once it committed.
      if (!this.signal.aborted) {
        const item = await store.getIteration(name, k);
        if (item?.status === IterationStatuses.committed) return undefined;
      }
      throw err;
    }
  }

  /** Every partial of the lane's cut merged in cut order; undefined if one is missing. */
  private async mergePartials(
    lane: Lane,
    cut: IterationCut,
    previous: StoredReport | undefined,
  ): Promise<MergedPartials | undefined> {
    const k = lane.iteration;
    // One partial decoded at a time: the merger keeps one entry per key, not the partials.
    const merger = new PartialMerger();
    for (const shard of cut.shards) {
      if (shard.carried !== undefined) {
        merger.add(carriedPartial(k, shard));
        continue;
      }
      const key = leaseKeyOf(shard.stream, shard.shardId);
      const bytes = await this.options.leases.getPartial(lane.name, key, k);
      // Never replaced once published for k; gone only once k is committed (or its replay
      // removed), which the caller finds out.
      if (bytes === undefined) return undefined;
      merger.add(decodePartial(bytes, `${lane.name} partial ${k} ${key}`));
    }
    return merger.finish({
      // As many rows as a single run stores, whatever the report shows.
      topN: Math.max(
        this.options.topN ?? TopNDefaults.topN,
        this.options.storedRows ?? TopNDefaults.storedRows,
      ),
      ...(previous === undefined ? {} : { previous: previous.result }),
      formats: { detectorVersion: FORMAT_DETECTOR_VERSION, parser: lane.parser },
    });
  }

  private async mergeClaimed(
    k: number,
    cut: IterationCut,
    previous: StoredReport | undefined,
  ): Promise<StoredReport | undefined> {
    const { name, stream, store } = this.options;
    let report = await store.getReport(name, k);
    if (report === undefined) {
      const lane: Lane = { name, coordinator: this.coordinator, iteration: k, parser: this.parser };
      const merged = await this.mergePartials(lane, cut, previous);
      if (merged === undefined) return undefined;
      const computed: StoredReport = {
        // Partials of older workers (or counted by other detector versions) give no formats.
        formatVersion: merged.formats === undefined ? StoredReportFormats.v2 : STORED_REPORT_FORMAT,
        name,
        stream,
        iteration: k,
        window: merged.window,
        result: merged.result,
        decode: merged.decode,
        ...(merged.formats === undefined ? {} : { formats: merged.formats }),
        startedAt: new Date(cut.createdAtMs).toISOString(),
        finishedAt: new Date().toISOString(),
        leased: {
          cutBy: cut.createdBy,
          mergedBy: this.workerId,
          boundedShards: merged.boundedShards,
        },
      };
      try {
        await store.putReport(computed);
        report = computed;
      } catch (err) {
        if (!(err instanceof IterationConflictError)) throw err;
        report = await store.getReport(name, k);
        if (report === undefined) throw err;
      }
    }
    const step = LeaseWorkerDefaults.CHECKPOINT_WRITE_CONCURRENCY;
    for (let i = 0; i < report.window.length; i += step) {
      await Promise.all(
        report.window.slice(i, i + step).map((w) => store.putCheckpoint(name, stream, k, w)),
      );
    }
    await store.commitIteration(name, k, this.workerId);
    try {
      // k's partials are read by nobody now; older ones a killed merger left go with them.
      await sweepCommittedPartials(this.options.leases, name, k);
    } catch (err) {
      if (!this.signal.aborted) this.options.onCleanupError?.(err);
    }
    return report;
  }
}

/** The empty partial of a closed shard finished in an earlier iteration. */
function carriedPartial(k: number, shard: CutShard): ShardPartial {
  return {
    formatVersion: PARTIAL_FORMAT,
    iteration: k,
    stream: shard.stream,
    window: shard.carried!,
    decode: emptyDecodeStats(),
    events: 0,
    errors5xx: 0,
    errors4xx: 0,
    errorsLevel: 0,
    unparsed: 0,
    distinctKeys: 0,
    bounded: false,
    errorBound: 0,
    signatureRulesVersion: SIGNATURE_RULES_VERSION,
    keys: emptyColumns(),
  };
}
