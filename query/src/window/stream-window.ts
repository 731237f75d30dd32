/*
 *   --name N --iteration k ─▶ report item (N, k) ─▶ its stored per-shard (startAfterSeq, endSeq]
 *   --whole-stream [--since] ─▶ every listed shard from TRIM_HORIZON (or since) to now
 * Neither writes anything: windows advance only through `kinlog analyze`.
 */
import {
  AnalyzerDefaults,
  compareShardIds,
  streamCutsOf,
  type DynamoCheckpointStore,
  type ShardSource,
} from '@kinlog/analyzer';
import { StreamNotInWindowError, WindowNotStoredError } from '../errors.js';

/** One shard's part of a window. */
export interface ShardSlice {
  readonly shardId: string;
  readonly startAfterSeq?: string;
  /** Inclusive end; absent with `expectedRecords` 0 = nothing to read. */
  readonly endSeq?: string;
  readonly sinceMs?: number;
  /** Records the analyzer counted in this slice; a replay must read exactly as many. */
  readonly expectedRecords?: number;
}

/** Exactly which records of one stream a table holds. */
export interface StreamWindow {
  readonly stream: string;
  readonly shards: readonly ShardSlice[];
  /** Whole-stream reads stop at records that arrived after they began. */
  readonly cutoffArrivalMs?: number;
  /** What the window is, for messages: `iteration 3 of web`, `whole stream`. */
  readonly label: string;
}

/**
 * The window iteration `iteration` of `name` stored for `stream`, read from the analyzer's
 * report item (the cut it counted and checkpointed).
 *
 * @throws {WindowNotStoredError} when no report of that iteration is stored.
 * @throws {StreamNotInWindowError} when the iteration cut another stream.
 * @example
 * ```ts
 * const window = await iterationWindow(store, 'web', 3, 'web-logs');
 * ```
 */
export async function iterationWindow(
  store: DynamoCheckpointStore,
  name: string,
  iteration: number,
  stream: string,
): Promise<StreamWindow> {
  const report = await store.getReport(name, iteration);
  if (report === undefined) throw new WindowNotStoredError(name, iteration);
  // A name over several streams stores one cut per stream (format 4); older reports cut one.
  const cuts = streamCutsOf(report);
  const cut = cuts.find((c) => c.stream === stream);
  if (cut === undefined)
    throw new StreamNotInWindowError(
      name,
      iteration,
      stream,
      cuts.map((c) => c.stream),
    );
  return {
    stream,
    label: `iteration ${iteration} of ${name}`,
    shards: cut.window.map((w) => ({
      shardId: w.shardId,
      ...(w.startAfterSeq === undefined ? {} : { startAfterSeq: w.startAfterSeq }),
      ...(w.endSeq === undefined ? {} : { endSeq: w.endSeq }),
      expectedRecords: w.records,
    })),
  };
}

/**
 * Everything `stream` retains (or since `sinceMs`) up to now.
 *
 * @example
 * ```ts
 * const window = await wholeStreamWindow(source, 'web-logs', Date.now() - 86_400_000);
 * ```
 */
export async function wholeStreamWindow(
  source: ShardSource,
  stream: string,
  sinceMs?: number,
  nowMs: number = Date.now(),
): Promise<StreamWindow> {
  const shards = await source.listShards(stream);
  return {
    stream,
    label:
      sinceMs === undefined ? 'whole stream' : `stream since ${new Date(sinceMs).toISOString()}`,
    cutoffArrivalMs: nowMs + AnalyzerDefaults.ARRIVAL_SKEW_TOLERANCE_MS,
    shards: [...shards]
      .sort((a, b) => compareShardIds(a.shardId, b.shardId))
      .map((s) => ({ shardId: s.shardId, ...(sinceMs === undefined ? {} : { sinceMs }) })),
  };
}
