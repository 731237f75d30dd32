/*
 *   runIteration:  latest item ─▶ n ─▶ n−1 committed? ─▶ claim n (lease) ─┬─ report stored? ─▶ recover
 *                                                                        └─ list shards ─▶ plan from
 *                  n−1's window ─▶ read to the end captured now ─▶ store report (conditional)
 *                  ─▶ checkpoints (idempotent) ─▶ commit
 *   rerunIteration: stored window of n ─▶ read exactly (startAfterSeq, endSeq] ─▶ same report
 *   wholeStream:    every shard from its start (or --since) to now; nothing written
 *   wholeStreamRun: the same read, its report stored as the next numbered run of the name
 *                   (PK = <name>#RUN); no checkpoint, no iteration
 *   windowHook:     a new iteration's read feeds a sink; once the report is stored, sink.end(report)
 *                   runs before the commit. A recovered (or lost-race) iteration reads its stored
 *                   cut again for the hook, so what the hook stores always belongs to the cut.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import {
  ConfigError,
  FORMAT_DETECTOR_VERSION,
  isParserName,
  retryBudgetMs,
  type AwsConnectionOptions,
} from '@kinlog/core';
import type { TopNResult } from '../aggregate/top-n-result.js';
import {
  DynamoCheckpointStore,
  type CheckpointStoreOptions,
} from '../checkpoint/dynamo-checkpoint-store.js';
import { IterationStatuses } from '../checkpoint/stored-items.js';
import {
  MULTI_STREAM_REPORT_FORMAT,
  RUN_REPORT_FORMAT,
  STORED_REPORT_FORMAT,
  streamCutsOf,
  type StoredReport,
  type StoredStreamCut,
} from '../checkpoint/stored-report.js';
import { TopNAggregator } from '../aggregate/top-n-aggregator.js';
import { AUTO_PARSER } from '../decode/record-decoder.js';
import {
  IterationConflictError,
  IterationNotFoundError,
  PreviousIterationMissingError,
  WindowNotReplayableError,
} from '../errors.js';
import { KinesisShardSource, type ShardSource } from '../stream/kinesis-shard-source.js';
import {
  analyzeShards,
  type AnalyzeOutcome,
  type AnalyzePlan,
  type AnalyzeSettings,
  type AnalyzeShardsOptions,
} from './analyze-shards.js';
import { compareShardIds, planWindow } from './plan-window.js';
import type { ShardWindow } from '../stream/shard-window.js';
import { WindowReadKinds, type WindowHook, type WindowSink } from './window-hook.js';

/** Defaults of {@link AnalyzerOptions}. */
export const AnalyzerDefaults = {
  LEASE_MS: 60_000,
  ITERATION_TIMEOUT_MS: 10 * 60_000,
  CHECKPOINT_WRITE_CONCURRENCY: 16,
  /**
   * Records stamped up to this long after the iteration began still belong to it. Arrival stamps
   * come from the service's clock, which may run ahead of ours (kinesalite stamps a new child
   * shard's first records up to 1 s in the future); a record this tolerance lets in is simply not
   * read by the next iteration, so nothing is lost either way.
   */
  ARRIVAL_SKEW_TOLERANCE_MS: 5_000,
} as const;

export interface AnalyzerOptions extends AnalyzeSettings {
  /** Logical name: iterations and checkpoints are kept per name. */
  readonly name: string;
  readonly stream: string;
  /**
   * Several streams under one name: each iteration cuts every one of them at the same moment
   * (one consistent batch), and its top-N counts them all. `stream` must be the first.
   */
  readonly streams?: readonly string[];
  readonly kinesis?: AwsConnectionOptions;
  readonly dynamodb?: CheckpointStoreOptions;
  /** Ready-made clients (tests, or sharing one across runs); closed by their owner. */
  readonly source?: ShardSource;
  readonly store?: DynamoCheckpointStore;
  /** Identifies this run in iteration leases. Default `host:pid:random`. */
  readonly owner?: string;
  /** How long a claim holds without renewal; renewed every third of it while running. */
  readonly leaseMs?: number;
  /** A shard's read stops at this much time after the iteration began. */
  readonly iterationTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /**
   * Receives the decoded records of each iteration's window, once, as they are read (saved
   * queries); reruns feed it too. Not used by {@link Analyzer.wholeStream}.
   */
  readonly windowHook?: WindowHook;
}

/** The outcome of one iteration. */
export interface IterationOutcome {
  readonly iteration: number;
  readonly report: StoredReport;
  /** The report was found stored by a run that crashed before committing. */
  readonly recovered: boolean;
  /**
   * Set by a rerun of an iteration that another version of the format detector counted: its
   * stored report is returned as it is, not recounted (records would be read differently).
   * `detectorVersion` is `null` for reports stored before formats were recorded (formats 1 and 2).
   */
  readonly countedByOtherDetector?: { readonly detectorVersion: number | null };
}

/** The outcome of a whole-stream read. */
export interface WholeStreamOutcome {
  readonly window: ShardWindow[];
  readonly result: TopNResult;
  readonly decode: StoredReport['decode'];
  readonly formats: NonNullable<StoredReport['formats']>['counts'];
}

/**
 * Runs iterations of one logical name over one stream.
 *
 * @example
 * ```ts
 * const analyzer = new Analyzer({ name: 'web', stream: 'logs', kinesis: { endpoint }, dynamodb: { endpoint: ddb } });
 * const { iteration, report } = await analyzer.runIteration();
 * analyzer.close();
 * ```
 */
export class Analyzer {
  private readonly options: AnalyzerOptions;
  private readonly source: ShardSource;
  private readonly store: DynamoCheckpointStore;
  private readonly ownsClients: boolean[];
  private readonly owner: string;

  constructor(options: AnalyzerOptions) {
    const problems = [];
    if (typeof options.name !== 'string' || !/^[\w.-]{1,128}$/.test(options.name)) {
      problems.push({ path: 'name', message: 'must be 1 to 128 letters, digits, _ . or -' });
    }
    if (typeof options.stream !== 'string' || !/^[\w.-]{1,128}$/.test(options.stream)) {
      problems.push({
        path: 'stream',
        message: 'must be a Kinesis stream name (1 to 128 of [a-zA-Z0-9_.-])',
      });
    }
    if (options.streams !== undefined) {
      const streams = options.streams;
      if (streams[0] !== options.stream)
        problems.push({ path: 'streams', message: 'must start with stream' });
      if (new Set(streams).size !== streams.length)
        problems.push({ path: 'streams', message: 'must not name a stream twice' });
      for (const s of streams) {
        if (typeof s !== 'string' || !/^[\w.-]{1,128}$/.test(s))
          problems.push({ path: 'streams', message: `${String(s)} is not a Kinesis stream name` });
      }
      if (streams.length > 1 && options.windowHook !== undefined)
        problems.push({
          path: 'windowHook',
          message: 'reads one stream: not with several streams',
        });
    }
    for (const key of ['leaseMs', 'iterationTimeoutMs'] as const) {
      const v = options[key];
      if (v !== undefined && !(Number.isInteger(v) && v > 0))
        problems.push({ path: key, message: 'must be a positive integer' });
    }
    if (problems.length > 0) throw new ConfigError(problems, 'invalid analyzer options');
    this.options = {
      ...options,
      retryBudgetMs: options.retryBudgetMs ?? retryBudgetMs(options.kinesis?.requestTimeoutMs),
    };
    const signal = options.signal === undefined ? {} : { signal: options.signal };
    this.source = options.source ?? new KinesisShardSource({ ...options.kinesis, ...signal });
    this.store = options.store ?? new DynamoCheckpointStore({ ...options.dynamodb, ...signal });
    this.ownsClients = [options.source === undefined, options.store === undefined];
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  /** The DynamoDB store (for `--create-tables` and reading reports). */
  get checkpointStore(): DynamoCheckpointStore {
    return this.store;
  }

  /** Releases the clients this analyzer created. */
  close(): void {
    if (this.ownsClients[0] === true) this.source.close();
    if (this.ownsClients[1] === true) this.store.close();
  }

  /**
   * Runs the next iteration (or finishes one a crashed run left behind) and commits it.
   *
   * @throws {IterationConflictError} when another run holds the iteration.
   * @throws {PreviousIterationMissingError} when n−1 is not committed.
   */
  async runIteration(): Promise<IterationOutcome> {
    const { name } = this.options;
    // The iteration item names the stream list: a name keeps the streams it started with.
    const stream = this.streams().join(',');
    const latest = await this.store.latestIteration(name);
    if (latest !== undefined && latest.stream !== stream) {
      throw new ConfigError([
        { path: 'stream', message: `name ${name} analyzes stream ${latest.stream}, not ${stream}` },
      ]);
    }
    const n =
      latest === undefined
        ? 1
        : latest.status === IterationStatuses.committed
          ? latest.iteration + 1
          : latest.iteration;
    if (n > 1) {
      const before = await this.store.getIteration(name, n - 1);
      if (before?.status !== IterationStatuses.committed)
        throw new PreviousIterationMissingError(name, n);
    }
    const leaseMs = this.options.leaseMs ?? AnalyzerDefaults.LEASE_MS;
    await this.store.claimIteration(name, n, stream, this.owner, leaseMs);

    const lease = new AbortController();
    let leaseError: unknown;
    const renew = setInterval(
      () => {
        this.store.renewLease(name, n, this.owner, leaseMs).catch((err: unknown) => {
          leaseError = err;
          lease.abort(err);
        });
      },
      Math.max(1, Math.floor(leaseMs / 3)),
    );
    renew.unref();
    const signal =
      this.options.signal === undefined
        ? lease.signal
        : AbortSignal.any([lease.signal, this.options.signal]);
    let sink: WindowSink | undefined;
    try {
      let report = await this.store.getReport(name, n);
      const recovered = report !== undefined;
      // The sink saw this run's read: it matches the stored cut only if this run stored it.
      let sinkHoldsCut = false;
      if (report === undefined) {
        sink = await this.options.windowHook?.begin({
          name,
          stream,
          iteration: n,
          kind: WindowReadKinds.iteration,
        });
        const computed = await this.computeIteration(n, signal, sink);
        try {
          await this.store.putReport(computed);
          report = computed;
          sinkHoldsCut = true;
        } catch (err) {
          // Another run took over our expired lease and stored n first: its report is the truth.
          if (!(err instanceof IterationConflictError)) throw err;
          report = await this.store.getReport(name, n);
          if (report === undefined) throw err;
        }
      }
      signal.throwIfAborted();
      if (sink !== undefined && sinkHoldsCut) await sink.end(report);
      else if (this.options.windowHook !== undefined) {
        await sink?.close();
        await this.replayForHook(this.options.windowHook, report, signal);
      }
      await this.writeCheckpoints(n, report);
      await this.store.commitIteration(name, n, this.owner);
      return { iteration: n, report, recovered };
    } catch (err) {
      throw leaseError ?? err;
    } finally {
      clearInterval(renew);
      await sink?.close();
    }
  }

  /**
   * Replays committed iteration n over exactly its stored window; nothing is written.
   *
   * @throws {IterationNotFoundError} when n is not committed.
   * @throws {WindowNotReplayableError} when the window's records are no longer all in the stream.
   */
  async rerunIteration(n: number): Promise<IterationOutcome> {
    const { name } = this.options;
    const item = await this.store.getIteration(name, n);
    const stored =
      item?.status === IterationStatuses.committed
        ? await this.store.getReport(name, n)
        : undefined;
    if (stored === undefined) throw new IterationNotFoundError(name, n);
    const storedFormats = stored.formats;
    if (storedFormats?.detectorVersion !== FORMAT_DETECTOR_VERSION) {
      return {
        iteration: n,
        report: stored,
        recovered: false,
        countedByOtherDetector: { detectorVersion: storedFormats?.detectorVersion ?? null },
      };
    }
    const previous = n > 1 ? await this.store.getReport(name, n - 1) : undefined;
    const sink = await this.options.windowHook?.begin({
      name,
      stream: stored.stream,
      iteration: n,
      kind: WindowReadKinds.rerun,
    });
    try {
      const outcome = await this.readStoredCut(stored, {
        ...(previous === undefined ? {} : { previous: previous.result }),
        ...(this.options.signal === undefined ? {} : { signal: this.options.signal }),
        ...(sink === undefined ? {} : { windowSink: sink }),
      });
      const report: StoredReport = {
        ...stored,
        result: outcome.result,
        decode: outcome.decode,
        formats: { ...storedFormats, counts: outcome.formats },
      };
      await sink?.end(report);
      return { iteration: n, report, recovered: false };
    } finally {
      await sink?.close();
    }
  }

  /** Reads exactly a stored cut again, as it was read (same parser), checking every shard. */
  private async readStoredCut(
    stored: StoredReport,
    extra: Pick<AnalyzeShardsOptions, 'previous' | 'signal' | 'windowSink'>,
  ): Promise<AnalyzeOutcome> {
    const cuts = streamCutsOf(stored);
    if (cuts.length > 1 && extra.windowSink !== undefined) {
      throw new ConfigError([
        {
          path: 'windowHook',
          message: `iteration ${stored.iteration} of ${stored.name} cut several streams: a window hook reads one (use kinlog query)`,
        },
      ]);
    }
    // Several streams count into one aggregator, as the iteration did.
    const aggregator = cuts.length > 1 ? this.sharedAggregator() : undefined;
    const outcomes: AnalyzeOutcome[] = [];
    for (const cut of cuts) {
      const plans: AnalyzePlan[] = cut.window.map((w) => {
        const empty = w.endSeq === undefined || w.endSeq === w.startAfterSeq;
        return {
          shardId: w.shardId,
          parentShardIds: w.parentShardIds,
          ...(w.startAfterSeq === undefined ? {} : { startAfterSeq: w.startAfterSeq }),
          ...(w.endSeq === undefined ? {} : { endSeq: w.endSeq }),
          ...(empty ? { carried: w } : {}),
        };
      });
      const parser = stored.formats?.parser;
      const outcome = await analyzeShards(this.source, plans, {
        ...this.options,
        stream: cut.stream,
        // Read as the iteration was: the same parser gives the same counts.
        parser: parser !== undefined && isParserName(parser) ? parser : AUTO_PARSER,
        ...(aggregator === undefined ? {} : { aggregator }),
        ...extra,
      });
      outcome.window.forEach((w, i) => {
        const want = cut.window[i]!;
        if (w.records !== want.records || w.endSeq !== want.endSeq) {
          throw new WindowNotReplayableError(
            w.shardId,
            `expected ${want.records} records up to ${String(want.endSeq)}, read ${w.records} up to ${String(w.endSeq)}`,
          );
        }
      });
      outcomes.push(outcome);
    }
    return sumOutcomes(outcomes);
  }

  /** Feeds the hook iteration n's stored cut (a recovered iteration: this run did not read it). */
  private async replayForHook(
    hook: WindowHook,
    report: StoredReport,
    signal: AbortSignal,
  ): Promise<void> {
    const sink = await hook.begin({
      name: report.name,
      stream: report.stream,
      iteration: report.iteration,
      kind: WindowReadKinds.iteration,
    });
    try {
      await this.readStoredCut(report, { signal, windowSink: sink });
      await sink.end(report);
    } finally {
      await sink.close();
    }
  }

  /**
   * Reads every shard from its start (or `since`) to now and counts it; writes nothing.
   *
   * @example
   * ```ts
   * const { result } = await analyzer.wholeStream({ since: new Date(Date.now() - 3_600_000) });
   * ```
   */
  async wholeStream(options: { since?: Date } = {}): Promise<WholeStreamOutcome> {
    const startedMs = Date.now();
    const shards = await this.source.listShards(this.options.stream);
    const plans: AnalyzePlan[] = [...shards]
      .sort((a, b) => compareShardIds(a.shardId, b.shardId))
      .map((s) => ({
        shardId: s.shardId,
        parentShardIds: s.parentShardIds,
        ...(options.since === undefined ? {} : { sinceMs: options.since.getTime() }),
      }));
    return analyzeShards(this.source, plans, {
      ...this.options,
      cutoffArrivalMs: startedMs + AnalyzerDefaults.ARRIVAL_SKEW_TOLERANCE_MS,
      deadlineMs:
        startedMs + (this.options.iterationTimeoutMs ?? AnalyzerDefaults.ITERATION_TIMEOUT_MS),
    });
  }

  /**
   * Reads the whole stream as {@link wholeStream} does and stores its report as the next
   * numbered run of the name (a sliding-window report): no checkpoint, no iteration.
   *
   * @returns the stored report; its `iteration` is the run's number.
   * @example
   * ```ts
   * const run = await analyzer.wholeStreamRun({ since: new Date(Date.now() - 6 * 3_600_000) });
   * console.log(`run ${run.iteration}`);
   * ```
   */
  async wholeStreamRun(options: { since?: Date } = {}): Promise<StoredReport> {
    const { name, stream } = this.options;
    const startedAt = new Date().toISOString();
    const out = await this.wholeStream(options);
    return this.store.putRun({
      formatVersion: RUN_REPORT_FORMAT,
      name,
      stream,
      // Replaced by the run's number when stored.
      iteration: 1,
      window: out.window,
      result: out.result,
      decode: out.decode,
      formats: {
        detectorVersion: FORMAT_DETECTOR_VERSION,
        parser: this.options.parser ?? AUTO_PARSER,
        counts: out.formats,
      },
      startedAt,
      finishedAt: new Date().toISOString(),
      run: { since: options.since?.toISOString() ?? null },
    });
  }

  private async computeIteration(
    n: number,
    signal: AbortSignal,
    windowSink: WindowSink | undefined,
  ): Promise<StoredReport> {
    const { name, stream } = this.options;
    const previous = n > 1 ? await this.store.getReport(name, n - 1) : undefined;
    if (n > 1 && previous === undefined) throw new PreviousIterationMissingError(name, n);
    const startedMs = Date.now();
    if (this.streams().length > 1) return this.computeStreams(n, signal, previous, startedMs);
    const shards = await this.source.listShards(stream);
    const planned = planWindow(shards, previous?.window ?? []);
    const outcome = await analyzeShards(this.source, planned, {
      ...this.options,
      stream,
      signal,
      cutoffArrivalMs: startedMs + AnalyzerDefaults.ARRIVAL_SKEW_TOLERANCE_MS,
      deadlineMs:
        startedMs + (this.options.iterationTimeoutMs ?? AnalyzerDefaults.ITERATION_TIMEOUT_MS),
      ...(previous === undefined ? {} : { previous: previous.result }),
      ...(windowSink === undefined ? {} : { windowSink }),
    });
    return {
      formatVersion: STORED_REPORT_FORMAT,
      name,
      stream,
      iteration: n,
      window: outcome.window,
      result: outcome.result,
      decode: outcome.decode,
      formats: {
        detectorVersion: FORMAT_DETECTOR_VERSION,
        parser: this.options.parser ?? AUTO_PARSER,
        counts: outcome.formats,
      },
      startedAt: new Date(startedMs).toISOString(),
      finishedAt: new Date().toISOString(),
    };
  }

  /** Iteration n over several streams: every stream cut at `startedMs`, one top-N over all. */
  private async computeStreams(
    n: number,
    signal: AbortSignal,
    previous: StoredReport | undefined,
    startedMs: number,
  ): Promise<StoredReport> {
    const { name } = this.options;
    const previousCuts = previous === undefined ? [] : streamCutsOf(previous);
    const aggregator = this.sharedAggregator();
    const outcomes: AnalyzeOutcome[] = [];
    const cuts: StoredStreamCut[] = [];
    for (const stream of this.streams()) {
      const shards = await this.source.listShards(stream);
      const before = previousCuts.find((c) => c.stream === stream)?.window ?? [];
      const outcome = await analyzeShards(this.source, planWindow(shards, before), {
        ...this.options,
        stream,
        signal,
        aggregator,
        cutoffArrivalMs: startedMs + AnalyzerDefaults.ARRIVAL_SKEW_TOLERANCE_MS,
        deadlineMs:
          startedMs + (this.options.iterationTimeoutMs ?? AnalyzerDefaults.ITERATION_TIMEOUT_MS),
        ...(previous === undefined ? {} : { previous: previous.result }),
      });
      outcomes.push(outcome);
      cuts.push({ stream, window: outcome.window });
    }
    const total = sumOutcomes(outcomes);
    return {
      formatVersion: MULTI_STREAM_REPORT_FORMAT,
      name,
      stream: cuts[0]!.stream,
      iteration: n,
      window: cuts[0]!.window,
      streams: cuts,
      result: total.result,
      decode: total.decode,
      formats: {
        detectorVersion: FORMAT_DETECTOR_VERSION,
        parser: this.options.parser ?? AUTO_PARSER,
        counts: total.formats,
      },
      startedAt: new Date(startedMs).toISOString(),
      finishedAt: new Date().toISOString(),
    };
  }

  /** One aggregator every stream of an iteration counts into (the last read's result has all). */
  private sharedAggregator(): TopNAggregator {
    return new TopNAggregator(
      this.options.maxDistinctKeys === undefined
        ? {}
        : { maxDistinctKeys: this.options.maxDistinctKeys },
    );
  }

  private async writeCheckpoints(n: number, report: StoredReport): Promise<void> {
    const { name } = this.options;
    const step = AnalyzerDefaults.CHECKPOINT_WRITE_CONCURRENCY;
    for (const { stream, window } of streamCutsOf(report)) {
      for (let i = 0; i < window.length; i += step) {
        await Promise.all(
          window.slice(i, i + step).map((w) => this.store.putCheckpoint(name, stream, n, w)),
        );
      }
    }
  }

  private streams(): readonly string[] {
    return this.options.streams ?? [this.options.stream];
  }
}

/**
 * The reads of an iteration's streams as one: the last result (every stream counted into one
 * aggregator), decode and format counts added up, the windows one after another.
 */
function sumOutcomes(outcomes: readonly AnalyzeOutcome[]): AnalyzeOutcome {
  if (outcomes.length === 1) return outcomes[0]!;
  const decode = { ...outcomes[0]!.decode };
  const formats = { ...outcomes[0]!.formats };
  for (const o of outcomes.slice(1)) {
    for (const key of Object.keys(o.decode) as (keyof typeof decode)[])
      decode[key] = (decode[key] ?? 0) + o.decode[key];
    for (const key of Object.keys(o.formats) as (keyof typeof formats)[])
      formats[key] = (formats[key] ?? 0) + o.formats[key];
  }
  return {
    window: outcomes.flatMap((o) => o.window),
    result: outcomes.at(-1)!.result,
    decode,
    formats,
  };
}
