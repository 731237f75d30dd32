/**
 * A Kinesis endpoint that accepts everything and stores nothing: the far end of benchmarks, so
 * they measure the client and not an emulator. PutRecords bodies are never parsed: entries are
 * counted by scanning for `"PartitionKey":`, which cannot occur elsewhere in the SDK's compact
 * JSON (Data is base64, and quotes inside a key are escaped). Only the `hashKey` routing mode
 * parses bodies, because it must read each entry's key.
 */
import { listenLocal } from './kinesis-wire/listen-local.js';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  AwsErrorTypes,
  KinesisWire,
  operationOf,
  readBody,
  sendAwsError,
  sendAwsJson,
} from './kinesis-wire/aws-json.js';
import { evenHashKeyRanges, hashKeyOf, shardIdFor } from './kinesis-wire/hash-key-ranges.js';
import type { HashKeyRange } from './kinesis-wire/hash-key-ranges.js';

/**
 * Defaults of {@link startNullKinesis}.
 *
 * @example
 * ```ts
 * await startNullKinesis({ shardCount: NullKinesisDefaults.SHARD_COUNT });
 * ```
 */
export const NullKinesisDefaults = {
  SHARD_COUNT: 4,
  MAX_SHARD_COUNT: 10_000,
  HOST: '127.0.0.1',
  KEEP_ALIVE_TIMEOUT_MS: 65_000,
  RETENTION_PERIOD_HOURS: 24,
  ACCOUNT_ID: '000000000000',
  REGION: 'us-east-1',
  /** Sequence numbers are this prefix followed by a zero-padded counter: 56 digits, like AWS. */
  SEQUENCE_PREFIX: '4960',
  SEQUENCE_DIGITS: 52,
} as const;

/**
 * Which ShardId a put entry is answered with.
 *
 * @example
 * ```ts
 * await startNullKinesis({ routing: NullKinesisRouting.HASH_KEY });
 * ```
 */
export const NullKinesisRouting = {
  /** Shards in turn, without reading the body: cheapest, for clients that do not route. */
  ROUND_ROBIN: 'roundRobin',
  /**
   * The shard whose range holds the entry's ExplicitHashKey or MD5(PartitionKey), as Kinesis
   * does: clients that predict shards (KPL aggregation, per-shard pacing) see their prediction
   * confirmed instead of a resharding.
   */
  HASH_KEY: 'hashKey',
} as const;
export type NullKinesisRouting = (typeof NullKinesisRouting)[keyof typeof NullKinesisRouting];

/**
 * Options of {@link startNullKinesis}.
 *
 * @example
 * ```ts
 * const options: NullKinesisOptions = { shardCount: 8 };
 * ```
 */
export interface NullKinesisOptions {
  /** Shards every stream appears to have; default {@link NullKinesisDefaults.SHARD_COUNT}. */
  shardCount?: number;
  /** Default {@link NullKinesisRouting.ROUND_ROBIN}. */
  routing?: NullKinesisRouting;
}

/**
 * Counters of a null endpoint.
 *
 * @example
 * ```ts
 * const { entries, bytes } = sink.stats();
 * ```
 */
export interface NullKinesisStats {
  /** Requests of every operation. */
  requests: number;
  /** PutRecords and PutRecord requests. */
  putRequests: number;
  /** Entries accepted. */
  entries: number;
  /** Request body bytes of put requests (JSON, base64 data: about 4/3 of the payload). */
  bytes: number;
}

/**
 * A running null endpoint. Answers give entries ShardIds as `routing` says and
 * sequence numbers that grow across all shards.
 *
 * @example
 * ```ts
 * const sink = await startNullKinesis();
 * await sink.close();
 * ```
 */
export interface NullKinesis {
  /** Endpoint to give the SDK. */
  readonly url: string;
  readonly port: number;
  stats(): NullKinesisStats;
  resetStats(): void;
  /** Stops listening and drops every connection; safe to call more than once. */
  close(): Promise<void>;
}

const ENTRY_MARKER = Buffer.from('"PartitionKey":');

/**
 * Starts a Kinesis endpoint on 127.0.0.1 (free port) that answers PutRecords with success for
 * every entry, describes any stream name as an ACTIVE stream of `shardCount` shards, and
 * answers other operations with `UnknownOperationException`.
 *
 * @example
 * ```ts
 * const sink = await startNullKinesis({ shardCount: 8 });
 * const kinesis = new KinesisClient(awsClientConfig({ endpoint: sink.url }));
 * // ... run the benchmark, then:
 * console.log(sink.stats().entries);
 * await sink.close();
 * ```
 */
export async function startNullKinesis(options: NullKinesisOptions = {}): Promise<NullKinesis> {
  const shardCount = options.shardCount ?? NullKinesisDefaults.SHARD_COUNT;
  if (
    !Number.isInteger(shardCount) ||
    shardCount < 1 ||
    shardCount > NullKinesisDefaults.MAX_SHARD_COUNT
  ) {
    throw new RangeError(
      `shardCount must be an integer from 1 to ${NullKinesisDefaults.MAX_SHARD_COUNT}, got ${shardCount}`,
    );
  }
  const routing = options.routing ?? NullKinesisRouting.ROUND_ROBIN;
  if (!Object.values(NullKinesisRouting).includes(routing)) {
    throw new RangeError(
      `routing must be one of ${Object.values(NullKinesisRouting).join(', ')}, got ${String(routing)}`,
    );
  }
  const ranges = evenHashKeyRanges(shardCount);
  const createdAtSeconds = Math.floor(Date.now() / 1000);
  let stats: NullKinesisStats = { requests: 0, putRequests: 0, entries: 0, bytes: 0 };
  let sequence = 0;
  let nextShard = 0;

  const nextEntry = (routedTo?: string): string => {
    let shardId = routedTo;
    if (shardId === undefined) {
      shardId = ranges[nextShard]!.shardId;
      nextShard = (nextShard + 1) % shardCount;
    }
    sequence++;
    return `{"SequenceNumber":"${NullKinesisDefaults.SEQUENCE_PREFIX}${String(sequence).padStart(NullKinesisDefaults.SEQUENCE_DIGITS, '0')}","ShardId":"${shardId}"}`;
  };

  const putRecords = (body: Buffer, res: ServerResponse): void => {
    if (routing === NullKinesisRouting.HASH_KEY) return putRecordsRouted(body, res);
    let count = 0;
    for (let at = body.indexOf(ENTRY_MARKER); at !== -1; at = body.indexOf(ENTRY_MARKER, at + 1)) {
      count++;
    }
    stats.entries += count;
    const entries = new Array<string>(count);
    for (let i = 0; i < count; i++) entries[i] = nextEntry();
    sendAwsJson(res, 200, `{"FailedRecordCount":0,"Records":[${entries.join(',')}]}`);
  };

  const putRecordsRouted = (body: Buffer, res: ServerResponse): void => {
    const input = parseObject(body);
    const records = Array.isArray(input.Records) ? (input.Records as unknown[]) : [];
    stats.entries += records.length;
    const entries = records.map((record) => nextEntry(routeOf(record, ranges)));
    sendAwsJson(res, 200, `{"FailedRecordCount":0,"Records":[${entries.join(',')}]}`);
  };

  const describe = (body: Buffer, operation: string, res: ServerResponse): void => {
    const input = parseObject(body);
    const name =
      typeof input.StreamName === 'string' ? input.StreamName : streamNameOf(input.StreamARN);
    const stream = describeStream(name, ranges, createdAtSeconds);
    if (operation === KinesisWire.OPERATIONS.LIST_SHARDS) {
      return sendAwsJson(res, 200, JSON.stringify({ Shards: stream.Shards }));
    }
    if (operation === KinesisWire.OPERATIONS.DESCRIBE_STREAM) {
      return sendAwsJson(res, 200, JSON.stringify({ StreamDescription: stream }));
    }
    const { Shards: _shards, HasMoreShards: _more, ...summary } = stream;
    sendAwsJson(
      res,
      200,
      JSON.stringify({
        StreamDescriptionSummary: { ...summary, OpenShardCount: shardCount, ConsumerCount: 0 },
      }),
    );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const operation = operationOf(req);
    stats.requests++;
    const body = await readBody(req);
    switch (operation) {
      case KinesisWire.OPERATIONS.PUT_RECORDS:
        stats.putRequests++;
        stats.bytes += body.length;
        return putRecords(body, res);
      case KinesisWire.OPERATIONS.PUT_RECORD:
        stats.putRequests++;
        stats.bytes += body.length;
        stats.entries++;
        return sendAwsJson(res, 200, nextEntry());
      case KinesisWire.OPERATIONS.DESCRIBE_STREAM_SUMMARY:
      case KinesisWire.OPERATIONS.DESCRIBE_STREAM:
      case KinesisWire.OPERATIONS.LIST_SHARDS:
        return describe(body, operation, res);
      default:
        return sendAwsError(
          res,
          400,
          AwsErrorTypes.UNKNOWN_OPERATION,
          `The null Kinesis endpoint does not implement ${operation}.`,
        );
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void req.socket.destroy();
      sendAwsError(res, 500, AwsErrorTypes.INTERNAL_FAILURE, String(err));
    });
  });
  const listener = await listenLocal(
    server,
    NullKinesisDefaults.HOST,
    NullKinesisDefaults.KEEP_ALIVE_TIMEOUT_MS,
  );
  return {
    url: listener.url,
    port: listener.port,
    stats: () => ({ ...stats }),
    resetStats() {
      stats = { requests: 0, putRequests: 0, entries: 0, bytes: 0 };
    },
    close: () => listener.close(),
  };
}

function parseObject(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString());
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The shard Kinesis would pick for one PutRecords entry, if the entry says enough to tell. */
function routeOf(record: unknown, ranges: readonly HashKeyRange[]): string | undefined {
  if (record === null || typeof record !== 'object') return undefined;
  const { ExplicitHashKey: explicit, PartitionKey: key } = record as Record<string, unknown>;
  let hashKey: bigint | undefined;
  if (typeof explicit === 'string' && /^\d{1,39}$/.test(explicit)) hashKey = BigInt(explicit);
  else if (typeof key === 'string') hashKey = hashKeyOf(key);
  return hashKey === undefined ? undefined : shardIdFor(hashKey, ranges);
}

function streamNameOf(arn: unknown): string {
  return typeof arn === 'string' ? (arn.split('/').pop() ?? arn) : 'null-stream';
}

function describeStream(name: string, ranges: readonly HashKeyRange[], createdAtSeconds: number) {
  return {
    StreamName: name,
    StreamARN: `arn:aws:kinesis:${NullKinesisDefaults.REGION}:${NullKinesisDefaults.ACCOUNT_ID}:stream/${name}`,
    StreamStatus: 'ACTIVE',
    StreamModeDetails: { StreamMode: 'PROVISIONED' },
    RetentionPeriodHours: NullKinesisDefaults.RETENTION_PERIOD_HOURS,
    StreamCreationTimestamp: createdAtSeconds,
    EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
    EncryptionType: 'NONE',
    HasMoreShards: false,
    Shards: ranges.map((range) => ({
      ShardId: range.shardId,
      HashKeyRange: {
        StartingHashKey: range.startingHashKey.toString(),
        EndingHashKey: range.endingHashKey.toString(),
      },
      SequenceNumberRange: {
        StartingSequenceNumber: `${NullKinesisDefaults.SEQUENCE_PREFIX}${'0'.repeat(NullKinesisDefaults.SEQUENCE_DIGITS)}`,
      },
    })),
  };
}
