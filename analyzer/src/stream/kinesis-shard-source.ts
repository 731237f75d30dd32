/*
 * The only file that calls Kinesis for the analyzer. Every SDK error is read by core's
 * classifier and translated here:
 *   notFound ─────────────────────────────────────▶ StreamNotFoundError
 *   throttled ────────────────────────────────────▶ ReadThrottledError   (reader backs off)
 *   iteratorExpired ──────────────────────────────▶ IteratorExpiredError (reader re-acquires)
 *   a sequence number the stream never issued ───▶ StreamRecreatedError (checkpoints of an
 *                                                   earlier stream of the same name)
 *   anything else ────────────────────────────────▶ StreamReadError (retryable or not)
 * Every call ends within the request timeout (answer read included) or when `signal` aborts.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import {
  AwsClientDefaults,
  AwsErrorKinds,
  awsClientConfig,
  classifyAwsError,
  StreamNotFoundError,
  RequestDeadlineError,
  takeJsonAnswer,
  withRequestDeadline,
  type AwsConnectionOptions,
} from '@kinlog/core';
import { AnalyzerError, StreamReadError, StreamRecreatedError } from '../errors.js';
import { recordsPageOf } from './records-page-of.js';
import type { IteratorStart, RecordsPage, ShardInfo, StreamRecord } from './shard-info.js';

/** Bounds of {@link KinesisShardSource}. */
export const KinesisShardSourceDefaults = {
  /**
   * Bound of a GetShardIterator AT_TIMESTAMP request before a LATEST iterator is asked for
   * instead (see `timestampIterator`); a metadata call that Kinesis answers in milliseconds.
   */
  AT_TIMESTAMP_TIMEOUT_MS: 3_000,
} as const;

/** What the SDK deserializes once the GetRecords answer was read here. */
const EMPTY_ANSWER = '{}';

/** Kinesis said to slow down (per-shard read limits). */
export class ReadThrottledError extends AnalyzerError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'READ_THROTTLED', retryable: true, cause });
  }
}

/** A shard iterator is older than five minutes; get a new one from the last sequence number. */
export class IteratorExpiredError extends AnalyzerError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'ITERATOR_EXPIRED', retryable: true, cause });
  }
}

/** What the window code needs from Kinesis; {@link KinesisShardSource} is the real one. */
export interface ShardSource {
  listShards(stream: string): Promise<ShardInfo[]>;
  getIterator(stream: string, shardId: string, start: IteratorStart): Promise<string>;
  getRecords(iterator: string, limit: number): Promise<RecordsPage>;
  close(): void;
}

/**
 * Reads shards and records of one Kinesis endpoint with kinlog's SDK configuration.
 *
 * @example
 * ```ts
 * const source = new KinesisShardSource({ endpoint: 'http://127.0.0.1:4567' });
 * const shards = await source.listShards('logs');
 * ```
 */
export class KinesisShardSource implements ShardSource {
  private readonly client: KinesisClient;
  private readonly requestTimeoutMs: number;
  private readonly signal: AbortSignal | undefined;

  constructor(connection: AwsConnectionOptions & { signal?: AbortSignal } = {}) {
    this.client = new KinesisClient(awsClientConfig(connection));
    this.requestTimeoutMs = connection.requestTimeoutMs ?? AwsClientDefaults.REQUEST_TIMEOUT_MS;
    this.signal = connection.signal;
  }

  /** One SDK call, bounded by the request timeout and ended by the signal. */
  private call<T>(
    send: (options: { abortSignal: AbortSignal }) => Promise<T>,
    timeoutMs = this.requestTimeoutMs,
  ): Promise<T> {
    return withRequestDeadline(timeoutMs, this.signal, (abortSignal) => send({ abortSignal }));
  }

  /** Every shard (open and closed, within retention), following NextToken to the end. */
  async listShards(stream: string): Promise<ShardInfo[]> {
    const shards: ShardInfo[] = [];
    let nextToken: string | undefined;
    do {
      let out;
      try {
        const input = nextToken === undefined ? { StreamName: stream } : { NextToken: nextToken };
        out = await this.call((o) => this.client.send(new ListShardsCommand(input), o));
      } catch (err) {
        throw translate(err, `ListShards on ${stream}`, stream);
      }
      for (const shard of out.Shards ?? []) {
        if (shard.ShardId === undefined) continue;
        const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter(
          (id): id is string => typeof id === 'string' && id !== '',
        );
        const ending = shard.SequenceNumberRange?.EndingSequenceNumber;
        const range = shard.HashKeyRange;
        shards.push({
          shardId: shard.ShardId,
          parentShardIds: parents,
          ...(ending === undefined ? {} : { endingSequenceNumber: ending }),
          ...(range?.StartingHashKey === undefined || range.EndingHashKey === undefined
            ? {}
            : {
                hashKeyRange: {
                  startingHashKey: range.StartingHashKey,
                  endingHashKey: range.EndingHashKey,
                },
              }),
        });
      }
      nextToken = out.NextToken;
    } while (nextToken !== undefined);
    return shards;
  }

  async getIterator(stream: string, shardId: string, start: IteratorStart): Promise<string> {
    const input: {
      StreamName: string;
      ShardId: string;
      ShardIteratorType: ShardIteratorType;
      StartingSequenceNumber?: string;
      Timestamp?: Date;
    } = { StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' };
    if (start.type === 'afterSequenceNumber') {
      input.ShardIteratorType = 'AFTER_SEQUENCE_NUMBER';
      input.StartingSequenceNumber = start.sequenceNumber;
    } else if (start.type === 'atTimestamp') {
      input.ShardIteratorType = 'AT_TIMESTAMP';
      input.Timestamp = new Date(start.timestampMs);
    }
    try {
      const out =
        start.type === 'atTimestamp'
          ? await this.timestampIterator(input)
          : await this.call((o) => this.client.send(new GetShardIteratorCommand(input), o));
      if (out.ShardIterator === undefined) {
        throw new StreamReadError(`GetShardIterator on ${shardId} returned no iterator`, false);
      }
      return out.ShardIterator;
    } catch (err) {
      if (start.type === 'afterSequenceNumber' && isForeignSequenceNumber(err)) {
        throw new StreamRecreatedError(stream, shardId, start.sequenceNumber, err);
      }
      throw translate(err, `GetShardIterator on ${stream}/${shardId}`, stream);
    }
  }

  /**
   * An AT_TIMESTAMP iterator. kinesalite never answers one when no record arrived at or after
   * the timestamp (`--since 0m`, or a stream idle since then), where Kinesis gives an iterator
   * at the tip. So the request gets a short bound, and when it passes while a LATEST request is
   * answered at once, the LATEST iterator is that tip.
   */
  private async timestampIterator(input: {
    StreamName: string;
    ShardId: string;
    ShardIteratorType: ShardIteratorType;
    Timestamp?: Date;
  }): Promise<{ ShardIterator?: string | undefined }> {
    const boundMs = Math.min(
      this.requestTimeoutMs,
      KinesisShardSourceDefaults.AT_TIMESTAMP_TIMEOUT_MS,
    );
    try {
      return await this.call(
        (o) => this.client.send(new GetShardIteratorCommand(input), o),
        boundMs,
      );
    } catch (err) {
      if (!(err instanceof RequestDeadlineError)) throw err;
      const latest = { StreamName: input.StreamName, ShardId: input.ShardId };
      try {
        return await this.call((o) =>
          this.client.send(
            new GetShardIteratorCommand({ ...latest, ShardIteratorType: 'LATEST' }),
            o,
          ),
        );
      } catch {
        throw err; // the endpoint is not answering at all: the first timeout says so
      }
    }
  }

  async getRecords(iterator: string, limit: number): Promise<RecordsPage> {
    const command = new GetRecordsCommand({ ShardIterator: iterator, Limit: limit });
    // A page of up to 10,000 records is read with JSON.parse and native base64 (the SDK's own
    // deserializer took longer than analyzing the records); errors stay the SDK's to raise.
    let answer: unknown;
    command.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        answer = await takeJsonAnswer(out.response, EMPTY_ANSWER);
        return out;
      },
      { step: 'deserialize', priority: 'low', name: 'kinlogGetRecordsAnswer' },
    );
    let out;
    try {
      out = await this.call((o) => this.client.send(command, o));
    } catch (err) {
      throw translate(err, 'GetRecords', undefined);
    }
    if (answer !== undefined) {
      const page = recordsPageOf(answer);
      if (page === undefined) {
        throw new StreamReadError('GetRecords failed: the answer holds no Records list', true);
      }
      return page;
    }
    const records: StreamRecord[] = [];
    for (const r of out.Records ?? []) {
      if (r.SequenceNumber === undefined || r.Data === undefined) continue;
      records.push({
        sequenceNumber: r.SequenceNumber,
        data: r.Data,
        arrivalMs: r.ApproximateArrivalTimestamp?.getTime() ?? Number.NaN,
        partitionKey: r.PartitionKey,
      });
    }
    return {
      records,
      nextIterator: out.NextShardIterator ?? undefined,
      millisBehindLatest: out.MillisBehindLatest,
    };
  }

  close(): void {
    this.client.destroy();
  }
}

function translate(err: unknown, what: string, stream: string | undefined): Error {
  if (err instanceof AnalyzerError || err instanceof StreamNotFoundError) return err;
  const c = classifyAwsError(err);
  switch (c.kind) {
    case AwsErrorKinds.notFound:
      return stream === undefined
        ? new StreamReadError(`${what} failed: ${c.detail}`, false, err)
        : new StreamNotFoundError({ streamName: stream }, err);
    case AwsErrorKinds.throttled:
      return new ReadThrottledError(`${what} throttled: ${c.detail}`, err);
    case AwsErrorKinds.iteratorExpired:
      return new IteratorExpiredError(`${what}: ${c.detail}`, err);
    case AwsErrorKinds.aborted:
      // A stop asked for (SIGTERM): the reason as it was given, not a read failure.
      return err instanceof Error ? err : new StreamReadError(`${what} aborted`, false, err);
    default:
      return new StreamReadError(`${what} failed: ${c.detail}`, c.retryable, err);
  }
}

/**
 * Whether Kinesis refused a starting sequence number as one it never issued on this stream:
 * the stream was deleted and created again under the same name since it was stored.
 */
function isForeignSequenceNumber(err: unknown): boolean {
  const c = classifyAwsError(err);
  return (
    c.kind === AwsErrorKinds.validation &&
    /did not come from this stream|Invalid StartingSequenceNumber/i.test(c.message)
  );
}
