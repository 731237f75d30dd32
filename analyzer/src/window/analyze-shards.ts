/*
 *   plans ─▶ readShardsInOrder ─▶ page ─▶ RecordDecoder ─▶ classifyEvent ─▶ TopNAggregator
 *                                          (screens: bytes, then  (line, time: errors only)
 *                                           parsed: mayBeError)
 *                              └▶ end  ─▶ ShardWindow (startAfterSeq, lastSeq], records, closed
 */
import type { LogEvent } from '@kinlog/core';
import { TopNAggregator, TopNDefaults } from '../aggregate/top-n-aggregator.js';
import type { TopNResult } from '../aggregate/top-n-result.js';
import { classifyEvent, EventKinds, type ClassifyOptions } from '../classify/classify-event.js';
import { eventTimeMs } from '../classify/event-time-ms.js';
import { createMayBeErrorBytes, mayBeError } from '../classify/may-be-error.js';
import { geoipRegionOf } from '../classify/geoip-region.js';
import {
  RecordDecoder,
  SCREENED_OUT,
  type DecodedEventHandler,
  type DecodeFormatCounts,
  type DecodeStats,
  type DecoderParser,
  type OwnerRange,
} from '../decode/record-decoder.js';
import { JsonEventReader } from '../classify/json-event-reader.js';
import { skipWhileUseless } from '../decode/skip-while-useless.js';
import type { ShardSource } from '../stream/kinesis-shard-source.js';
import type { ShardInfo, StreamRecord } from '../stream/shard-info.js';
import { readShardsInOrder } from '../stream/read-shards-in-order.js';
import type { ShardReadPlan } from '../stream/shard-reader.js';
import type { ShardWindow } from '../stream/shard-window.js';
import type { WindowRecordOrigin, WindowSink } from './window-hook.js';

/** One shard to analyze: read per `ShardReadPlan`, or (with `carried`) taken as is. */
export interface AnalyzePlan extends ShardReadPlan {
  readonly parentShardIds: readonly string[];
  readonly carried?: ShardWindow;
}

/** Progress of a window read, for progress bars. */
export interface AnalyzeProgress {
  readonly records: number;
  readonly shardsDone: number;
  readonly shardsTotal: number;
  /** Largest MillisBehindLatest last seen over the shards still being read. */
  readonly millisBehind: number;
}

/** Tuning of classification, counting and reading. */
export interface AnalyzeSettings {
  /** Rows shown (`--top`). */
  readonly topN?: number;
  /** Rows stored, when more than `topN`: so a later `kinlog report --top` up to it is true.
   * Default `TopNDefaults.storedRows` (50). */
  readonly storedRows?: number;
  readonly count4xx?: boolean;
  readonly parser?: DecoderParser;
  readonly maxDistinctKeys?: number;
  readonly concurrency?: number;
  readonly pageLimit?: number;
  readonly minCallIntervalMs?: number;
  /** A shard read stops retrying consecutive failures this long after the first. */
  readonly retryBudgetMs?: number;
  readonly onProgress?: (progress: AnalyzeProgress) => void;
}

export interface AnalyzeShardsOptions extends AnalyzeSettings {
  readonly stream: string;
  readonly cutoffArrivalMs?: number;
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
  readonly previous?: TopNResult;
  /** Count into this aggregator instead of a new one (a per-shard partial reads it after). */
  readonly aggregator?: TopNAggregator;
  /** The stream's shards, when the caller listed them already (no ListShards per call). */
  readonly listedShards?: readonly ShardInfo[];
  /** Also hands every record, fully decoded, to this sink (saved queries read the window so). */
  readonly windowSink?: WindowSink;
}

/** What reading a set of shard windows produced. */
export interface AnalyzeOutcome {
  readonly window: ShardWindow[];
  readonly result: TopNResult;
  readonly decode: DecodeStats;
  /** Events per format that read them (they add up to `result.totals.events`). */
  readonly formats: DecodeFormatCounts;
}

/**
 * Reads, decodes, classifies and counts the planned shards, in plan order.
 *
 * @example
 * ```ts
 * const { window, result } = await analyzeShards(source, plans, { stream: 'logs', topN: 10 });
 * ```
 */
export async function analyzeShards(
  source: ShardSource,
  plans: readonly AnalyzePlan[],
  options: AnalyzeShardsOptions,
): Promise<AnalyzeOutcome> {
  // Records that cannot be errors are counted without being normalized (see mayBeError), and
  // mostly without being decoded (the bytes screen), unless that screen rarely turns any down.
  // Most errors are not normalized: the fields classification reads are read as normalized.
  const reader = new JsonEventReader();
  let readEvent: object | undefined;
  const decoder = new RecordDecoder({
    screen: mayBeError,
    screenBytes: skipWhileUseless(createMayBeErrorBytes()),
    readParsed: (parsed) => (readEvent = reader.read(parsed) as LogEvent | undefined),
    ...(options.parser === undefined ? {} : { parser: options.parser }),
  });
  const topN =
    options.aggregator ??
    new TopNAggregator(
      options.maxDistinctKeys === undefined ? {} : { maxDistinctKeys: options.maxDistinctKeys },
    );
  const classifyOptions: ClassifyOptions = {
    regionOf: geoipRegionOf,
    ...(options.count4xx === undefined ? {} : { count4xx: options.count4xx }),
  };
  const toRead = plans.filter((p) => p.carried === undefined);
  const ends = new Map<string, ShardWindow>();
  const behind = new Map<string, number>();
  let records = 0;
  const report = (): void =>
    options.onProgress?.({
      records,
      shardsDone: ends.size,
      shardsTotal: toRead.length,
      millisBehind: Math.max(0, ...behind.values()),
    });

  // The record being decoded, for the arrival time of an error without a time of its own: kept
  // as the record, since a time copied out per record was a number allocated per record.
  let current: StreamRecord | undefined;
  // Most records are screened out, and all of those classify the same: classified once here.
  const screenedOut = classifyEvent(SCREENED_OUT, classifyOptions);
  const emit = (event: Parameters<typeof classifyEvent>[0], line: string): void => {
    if (event === SCREENED_OUT) {
      topN.add(screenedOut);
      return;
    }
    const classified = classifyEvent(event, classifyOptions);
    if (classified.kind === EventKinds.ok || classified.kind === EventKinds.unparsed) {
      // Only errors keep a line or a time: parsing the time of every record would cost more
      // than classifying it.
      topN.add(classified);
      return;
    }
    const timeMs =
      event === readEvent
        ? reader.timeMs
        : typeof event.time === 'string'
          ? eventTimeMs(event.time)
          : Number.NaN;
    topN.add(classified, line, Number.isNaN(timeMs) ? (current?.arrivalMs ?? Number.NaN) : timeMs);
  };
  const steps = readShardsInOrder(source, toRead, {
    stream: options.stream,
    ...(options.cutoffArrivalMs === undefined ? {} : { cutoffArrivalMs: options.cutoffArrivalMs }),
    ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.pageLimit === undefined ? {} : { pageLimit: options.pageLimit }),
    ...(options.retryBudgetMs === undefined ? {} : { retryBudgetMs: options.retryBudgetMs }),
    ...(options.minCallIntervalMs === undefined
      ? {}
      : { minCallIntervalMs: options.minCallIntervalMs }),
    onBehind: (shardId, ms) => behind.set(shardId, ms),
  });
  const sink = options.windowSink;
  // The sink gets every event parsed: its own decoder, without the top-N's screen.
  const sinkDecoder =
    sink === undefined
      ? undefined
      : new RecordDecoder(options.parser === undefined ? {} : { parser: options.parser });
  let origin: WindowRecordOrigin | undefined;
  const toSink: DecodedEventHandler = (event, line) =>
    sink!.event(event, line, origin!, sinkDecoder!.lastFormat);
  const byId = new Map(toRead.map((p) => [p.shardId, p]));
  const owners = await shardOwners(source, options.stream, toRead.length > 0, options.listedShards);
  for await (const step of steps) {
    if (step.type === 'page') {
      const owner = owners.get(step.shardId);
      for (const record of step.records) {
        current = record;
        decoder.decode(record.data, emit, owner);
        if (sinkDecoder !== undefined) {
          origin = {
            shardId: step.shardId,
            sequenceNumber: record.sequenceNumber,
            arrivalMs: record.arrivalMs,
            partitionKey: record.partitionKey,
            data: record.data,
          };
          sinkDecoder.decode(record.data, toSink, owner);
        }
      }
      records += step.records.length;
      await sink?.afterPage?.();
    } else {
      const plan = byId.get(step.shardId)!;
      const { lastSeq, closed, stopReason } = step.end;
      ends.set(step.shardId, {
        shardId: step.shardId,
        parentShardIds: plan.parentShardIds,
        ...(plan.startAfterSeq === undefined ? {} : { startAfterSeq: plan.startAfterSeq }),
        ...(lastSeq === undefined ? {} : { endSeq: lastSeq }),
        records: step.end.records,
        closed,
        stopReason,
      });
      behind.delete(step.shardId);
    }
    report();
  }
  const window = plans.map((p) => p.carried ?? ends.get(p.shardId)!);
  return {
    window,
    result: topN.result(
      Math.max(options.topN ?? TopNDefaults.topN, options.storedRows ?? TopNDefaults.storedRows),
      options.previous,
    ),
    decode: { ...decoder.stats },
    formats: { ...decoder.formatCounts },
  };
}

/** Hash key range of every listed shard, so aggregated user records can be checked on read. */
async function shardOwners(
  source: ShardSource,
  stream: string,
  needed: boolean,
  listed: readonly ShardInfo[] | undefined,
): Promise<Map<string, OwnerRange>> {
  const owners = new Map<string, OwnerRange>();
  if (!needed) return owners;
  for (const shard of listed ?? (await source.listShards(stream))) {
    const range = shard.hashKeyRange;
    if (range === undefined) continue;
    owners.set(shard.shardId, {
      startingHashKey: BigInt(range.startingHashKey),
      endingHashKey: BigInt(range.endingHashKey),
    });
  }
  return owners;
}
