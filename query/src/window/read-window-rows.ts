/*
 *   window ─▶ readShardsInOrder (analyzer) ─▶ page ─▶ RecordDecoder (analyzer: gzip, KPL,
 *   JSON/text) ─▶ each event + (stream, shard, seq, arrival, partition key, format, line) ─▶ sink
 *   end of each shard ─▶ records read must equal what the analyzer counted for the slice
 */
import {
  type DecodedFormat,
  isKplAggregate,
  readShardsInOrder,
  RecordDecoder,
  WindowNotReplayableError,
  type DecodeStats,
  type DecoderParser,
  type ShardSource,
  type StreamRecord,
} from '@kinlog/analyzer';
import type { LogEvent } from '@kinlog/core';
import type { StreamWindow } from './stream-window.js';

/** Where one event came from. */
export interface RowOrigin {
  readonly shardId: string;
  readonly sequenceNumber: string;
  /** Epoch ms; NaN when unknown. */
  readonly arrivalMs: number;
  readonly partitionKey: string | undefined;
  /** `json`, `text` or `unparsed`, prefixed `gzip+` / `kpl+` when so packed. */
  readonly format: string;
}

/** Receives rows; `afterPage` lets it write out what it holds (awaited between pages). */
export interface RowSink {
  row(event: LogEvent, line: string, origin: RowOrigin): void;
  afterPage?(): Promise<void>;
}

export interface ReadWindowOptions {
  readonly parser?: DecoderParser;
  readonly signal?: AbortSignal;
  readonly concurrency?: number;
  readonly minCallIntervalMs?: number;
}

/** What a window read saw. */
export interface ReadWindowOutcome {
  readonly records: number;
  readonly decode: DecodeStats;
}

/** Bounds of a window read. */
export const ReadWindowLimits = {
  /**
   * Pages each shard reads ahead of the rows being made. Pages waiting are moved to the old
   * generation with all their records, so one page hides the GetRecords latency and no more.
   */
  BUFFERED_PAGES: 1,
  /** Weight of the pages read ahead by the shards not yet consumed, together. */
  MAX_PREFETCH_BYTES: 4 * 1024 * 1024,
} as const;

const GZIP_0 = 0x1f;
const GZIP_1 = 0x8b;

/**
 * How a record was packed and what read it: the decoder's format (`json`, `access`, `log4j`,
 * `syslog`, `raw`, `unparsed`, …, as the report's per-format counts name them), prefixed `gzip+`
 * / `kpl+` when so packed (the `_format` column).
 *
 * @example
 * ```ts
 * recordFormat(Buffer.from('{"a":1}'), 'json'); // 'json'
 * ```
 */
export function recordFormat(data: Uint8Array, format: DecodedFormat): string {
  const container = containerOf(data);
  return container === '' ? format : `${container}+${format}`;
}

function containerOf(data: Uint8Array): string {
  return data.length >= 2 && data[0] === GZIP_0 && data[1] === GZIP_1
    ? 'gzip'
    : isKplAggregate(data)
      ? 'kpl'
      : '';
}

/**
 * Reads every record of `window` and hands each decoded event to `sink`, in shard order then
 * sequence order: the same events, decoded the same way, as the analyzer's top-N counts.
 *
 * @throws {WindowNotReplayableError} when a stored slice no longer reads as many records.
 * @example
 * ```ts
 * await readWindowRows(source, window, { row: (event, line, origin) => rows.push(event) });
 * ```
 */
export async function readWindowRows(
  source: ShardSource,
  window: StreamWindow,
  sink: RowSink,
  options: ReadWindowOptions = {},
): Promise<ReadWindowOutcome> {
  const decoder = new RecordDecoder(options.parser === undefined ? {} : { parser: options.parser });
  const toRead = window.shards.filter(
    (s) =>
      !(
        s.expectedRecords !== undefined &&
        (s.endSeq === undefined || s.endSeq === s.startAfterSeq)
      ),
  );
  const expected = new Map(toRead.map((s) => [s.shardId, s]));
  const owners = new Map<string, { startingHashKey: bigint; endingHashKey: bigint }>();
  if (toRead.length > 0) {
    for (const shard of await source.listShards(window.stream)) {
      const range = shard.hashKeyRange;
      if (range === undefined) continue;
      owners.set(shard.shardId, {
        startingHashKey: BigInt(range.startingHashKey),
        endingHashKey: BigInt(range.endingHashKey),
      });
    }
  }
  let records = 0;
  let shardId = '';
  let sequenceNumber = '';
  let arrivalMs = Number.NaN;
  let partitionKey: string | undefined;
  let container = '';
  const emit = (event: LogEvent, line: string): void => {
    const content = decoder.lastFormat;
    sink.row(event, line, {
      shardId,
      sequenceNumber,
      arrivalMs,
      partitionKey,
      format: container === '' ? content : `${container}+${content}`,
    });
  };
  const steps = readShardsInOrder(source, toRead, {
    stream: window.stream,
    ...(window.cutoffArrivalMs === undefined ? {} : { cutoffArrivalMs: window.cutoffArrivalMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    bufferedPages: ReadWindowLimits.BUFFERED_PAGES,
    maxPrefetchBytes: ReadWindowLimits.MAX_PREFETCH_BYTES,
    ...(options.minCallIntervalMs === undefined
      ? {}
      : { minCallIntervalMs: options.minCallIntervalMs }),
  });
  for await (const step of steps) {
    if (step.type === 'end') {
      const want = expected.get(step.shardId);
      if (
        want?.expectedRecords !== undefined &&
        (step.end.records !== want.expectedRecords || step.end.lastSeq !== want.endSeq)
      ) {
        throw new WindowNotReplayableError(
          step.shardId,
          `expected ${want.expectedRecords} records up to ${String(want.endSeq)}, read ${step.end.records} up to ${String(step.end.lastSeq)}`,
        );
      }
      continue;
    }
    shardId = step.shardId;
    const owner = owners.get(step.shardId);
    // Each record is let go as soon as its row is made: a page outlives the young-generation
    // collections its own decoding causes, and records still referenced by it then are moved
    // to the old generation, where they wait for the next full collection (~165 MB per
    // 1,000,000 records). The page is this read's own (a fresh array from GetRecords).
    const page = step.records as (StreamRecord | undefined)[];
    const count = page.length;
    for (let i = 0; i < count; i++) {
      const record = page[i]!;
      page[i] = undefined;
      sequenceNumber = record.sequenceNumber;
      arrivalMs = record.arrivalMs;
      partitionKey = record.partitionKey;
      const data = record.data;
      container = containerOf(data);
      decoder.decode(data, emit, owner);
    }
    records += count;
    await sink.afterPage?.();
  }
  return { records, decode: { ...decoder.stats } };
}
