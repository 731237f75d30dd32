/*
 * The only file that calls Kinesis for the analyzer. Every SDK error is translated here:
 *   ResourceNotFound on ListShards ────────────────▶ StreamNotFoundError
 *   ProvisionedThroughputExceeded / LimitExceeded ─▶ ReadThrottledError   (reader backs off)
 *   ExpiredIterator ───────────────────────────────▶ IteratorExpiredError (reader re-acquires)
 *   anything else ─────────────────────────────────▶ StreamReadError
 */
import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  LimitExceededException,
  ListShardsCommand,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import { awsClientConfig, takeJsonAnswer, type AwsConnectionOptions } from '@kinlog/core';
import { AnalyzerError, StreamNotFoundError, StreamReadError } from '../errors.js';
import { recordsPageOf } from './records-page-of.js';
import type { IteratorStart, RecordsPage, ShardInfo, StreamRecord } from './shard-info.js';

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

  constructor(connection: AwsConnectionOptions = {}) {
    this.client = new KinesisClient(awsClientConfig(connection));
  }

  /** Every shard (open and closed, within retention), following NextToken to the end. */
  async listShards(stream: string): Promise<ShardInfo[]> {
    const shards: ShardInfo[] = [];
    let nextToken: string | undefined;
    do {
      let out;
      try {
        out = await this.client.send(
          new ListShardsCommand(
            nextToken === undefined ? { StreamName: stream } : { NextToken: nextToken },
          ),
        );
      } catch (err) {
        if (err instanceof ResourceNotFoundException) throw new StreamNotFoundError(stream, err);
        throw translate(err, `ListShards on ${stream}`);
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
      const out = await this.client.send(new GetShardIteratorCommand(input));
      if (out.ShardIterator === undefined) {
        throw new StreamReadError(`GetShardIterator on ${shardId} returned no iterator`, false);
      }
      return out.ShardIterator;
    } catch (err) {
      if (err instanceof ResourceNotFoundException) throw new StreamNotFoundError(stream, err);
      throw translate(err, `GetShardIterator on ${stream}/${shardId}`);
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
      out = await this.client.send(command);
    } catch (err) {
      throw translate(err, 'GetRecords');
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

function translate(err: unknown, what: string): AnalyzerError {
  if (err instanceof AnalyzerError) return err;
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  if (
    err instanceof ProvisionedThroughputExceededException ||
    err instanceof LimitExceededException
  ) {
    return new ReadThrottledError(`${what} throttled: ${detail}`, err);
  }
  if (err instanceof ExpiredIteratorException)
    return new IteratorExpiredError(`${what}: ${detail}`, err);
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  // 4xx other than throttling are our mistake or a permission problem: retrying will not help.
  const retryable = status === undefined || status >= 500;
  return new StreamReadError(`${what} failed: ${detail}`, retryable, err);
}
