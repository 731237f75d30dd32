import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { ConfigError, KinesisLimits, type AwsConnectionOptions } from '@kinlog/core';
import { z } from 'zod';
import type { PartitionKeyPolicy } from './partition-key.js';
import { WireProtocolChoice } from './wire-protocol.js';

/** What to do with a new record when `maxBufferBytes` is reached. */
export const WhenFull = {
  /** Accept it, but `put()` returns false and `ready()` waits: the caller slows down. */
  BLOCK: 'block',
  /** Drop the new record and count it. */
  DROP_NEWEST: 'dropNewest',
  /** Drop the oldest buffered records that are not in flight to make room, and count them. */
  DROP_OLDEST: 'dropOldest',
} as const;
export type WhenFull = (typeof WhenFull)[keyof typeof WhenFull];

/** What to do with a record over the record size limit. */
export const OversizePolicy = { TRUNCATE: 'truncate', DROP: 'drop' } as const;
export type OversizePolicy = (typeof OversizePolicy)[keyof typeof OversizePolicy];

/** Defaults and bounds of {@link KinesisSinkOptions}. */
export const SinkDefaults = {
  FLUSH_INTERVAL_MS: 1_000,
  MAX_FLUSH_INTERVAL_MS: 60_000,
  MAX_IN_FLIGHT: 4,
  MAX_MAX_IN_FLIGHT: 64,
  MAX_RETRIES: 10,
  RECORD_TTL_MS: 10 * 60_000,
  BACKOFF_BASE_MS: 100,
  BACKOFF_MAX_MS: 10_000,
  MAX_BUFFER_BYTES: 64 * 1024 * 1024,
  MIN_BUFFER_BYTES: KinesisLimits.MAX_RECORD_BYTES,
  SHUTDOWN_TIMEOUT_MS: 10_000,
  /** KPL's default AggregationMaxSize. */
  MAX_AGGREGATE_BYTES: 50 * 1024,
  MIN_AGGREGATE_BYTES: 1024,
  REQUEST_TIMEOUT_MS: 30_000,
} as const;

/**
 * Options of {@link KinesisSink}. Names follow the Kinesis Log4J appender where they overlap.
 *
 * @example
 * ```ts
 * const options: KinesisSinkOptions = { streamName: 'logs', region: 'eu-west-1', maxRetries: 5 };
 * ```
 */
export interface KinesisSinkOptions extends AwsConnectionOptions {
  /** Target stream. */
  streamName: string;
  /** Bring your own SDK client (then `region`, `endpoint`, `credentials` are ignored). */
  client?: KinesisClient;
  /** Send a partial batch once its oldest record has waited this long. */
  flushIntervalMs?: number;
  /** Records per PutRecords request (≤ 500). */
  maxBatchRecords?: number;
  /** Data plus partition keys per request (≤ 5 MiB). */
  maxBatchBytes?: number;
  /** Data plus partition key per record (≤ 1 MiB unless the stream allows more). */
  maxRecordBytes?: number;
  /** Records over `maxRecordBytes`: `truncate` (default, with a marker) or `drop`. */
  oversize?: OversizePolicy;
  /** How partition keys are chosen (default `random`). */
  partitionKey?: PartitionKeyPolicy;
  /** Concurrent PutRecords requests. */
  maxInFlight?: number;
  /** Attempts after the first before a record is dropped (`Infinity` allowed). */
  maxRetries?: number;
  /** Age after which an undelivered record is dropped (`Infinity` allowed). */
  recordTtlMs?: number;
  /** First backoff ceiling; it doubles per attempt. */
  backoffBaseMs?: number;
  /** Backoff cap. */
  backoffMaxMs?: number;
  /** Bytes held (queued, in flight, awaiting retry) before `whenFull` applies. */
  maxBufferBytes?: number;
  whenFull?: WhenFull;
  /** How long `close()` may keep trying to deliver before dropping what is left. */
  shutdownTimeoutMs?: number;
  /** Serialize an event yourself (default: safe JSON). */
  encode?: (event: unknown) => string;
  /**
   * Pack many records into one Kinesis record in the KPL aggregated format, one aggregate per
   * predicted shard (needs `kinesis:ListShards`). Readers: KCL, `aws-kinesis-agg`, `kinlog analyze`.
   */
  aggregation?: boolean;
  /** Size cap of one aggregate (KPL's AggregationMaxSize). */
  maxAggregateBytes?: number;
  /** `gzip` compresses each record's data (inside aggregates too); off by default. */
  compression?: Compression;
  /**
   * Pace each shard below its write limits (1 MiB/s, 1,000 records/s) times this fraction, so a
   * hot shard is slowed down instead of throttled. Off when undefined (needs `kinesis:ListShards`).
   */
  rateLimitFraction?: number;
  /**
   * How PutRecords requests are encoded: `auto` (default) is CBOR for AWS's own endpoints (no
   * `endpoint`, or one under amazonaws.com(.cn)) and JSON with any other endpoint, since stock
   * emulators (kinesalite) mishandle CBOR; `cbor` forces record bytes sent raw (as the AWS SDK for
   * Java and the KPL send them), `json` base64 data (for a proxy that knows only JSON). Kinesis
   * stores the same records either way. With a `client` of your own, requests go through its
   * SDK, in JSON.
   */
  wireProtocol?: WireProtocolChoice;
}

/** Payload compression. */
export const Compression = { NONE: 'none', GZIP: 'gzip' } as const;
export type Compression = (typeof Compression)[keyof typeof Compression];

const positiveInt = (name: string, min: number, max: number) =>
  z
    .number({ error: `${name} must be a number` })
    .int({ error: `${name} must be a whole number` })
    .min(min, { error: `${name} must be at least ${min}` })
    .max(max, { error: `${name} must be at most ${max}` });

const intOrInfinity = (name: string, min: number) =>
  z.union([positiveInt(name, min, Number.MAX_SAFE_INTEGER), z.literal(Infinity)], {
    error: `${name} must be a whole number ≥ ${min} or Infinity`,
  });

const schema = z.object({
  streamName: z.string({ error: 'streamName is required' }).regex(/^[a-zA-Z0-9_.-]{1,128}$/, {
    error: 'streamName must be 1 to 128 characters of a-z, A-Z, 0-9, _ . -',
  }),
  region: z.string().min(1, { error: 'region must not be empty' }).optional(),
  endpoint: z.url({ error: 'endpoint must be a URL such as http://127.0.0.1:4567' }).optional(),
  flushIntervalMs: positiveInt('flushIntervalMs', 1, SinkDefaults.MAX_FLUSH_INTERVAL_MS).optional(),
  maxBatchRecords: positiveInt(
    'maxBatchRecords',
    1,
    KinesisLimits.MAX_RECORDS_PER_REQUEST,
  ).optional(),
  maxBatchBytes: positiveInt('maxBatchBytes', 1024, KinesisLimits.MAX_REQUEST_BYTES).optional(),
  // Real streams may raise the record limit up to 10 MiB; a batch must still hold one record.
  maxRecordBytes: positiveInt('maxRecordBytes', 1024, KinesisLimits.MAX_REQUEST_BYTES).optional(),
  oversize: z
    .enum(['truncate', 'drop'], { error: 'oversize must be "truncate" or "drop"' })
    .optional(),
  partitionKey: z
    .union(
      [
        z.literal('random'),
        z.object({ field: z.string().min(1) }),
        z.custom<(e: unknown) => unknown>((v) => typeof v === 'function'),
      ],
      {
        error: 'partitionKey must be "random", { field: "name" } or a function',
      },
    )
    .optional(),
  maxInFlight: positiveInt('maxInFlight', 1, SinkDefaults.MAX_MAX_IN_FLIGHT).optional(),
  maxRetries: intOrInfinity('maxRetries', 0).optional(),
  recordTtlMs: intOrInfinity('recordTtlMs', 1).optional(),
  backoffBaseMs: positiveInt('backoffBaseMs', 1, 60_000).optional(),
  backoffMaxMs: positiveInt('backoffMaxMs', 1, 300_000).optional(),
  maxBufferBytes: positiveInt(
    'maxBufferBytes',
    SinkDefaults.MIN_BUFFER_BYTES,
    Number.MAX_SAFE_INTEGER,
  ).optional(),
  whenFull: z
    .enum(['block', 'dropNewest', 'dropOldest'], {
      error: 'whenFull must be "block", "dropNewest" or "dropOldest"',
    })
    .optional(),
  shutdownTimeoutMs: positiveInt('shutdownTimeoutMs', 0, 24 * 3600_000).optional(),
  requestTimeoutMs: positiveInt('requestTimeoutMs', 100, 600_000).optional(),
  connectionTimeoutMs: positiveInt('connectionTimeoutMs', 100, 600_000).optional(),
  keepProcessAlive: z.boolean({ error: 'keepProcessAlive must be true or false' }).optional(),
  maxSockets: positiveInt('maxSockets', 1, 1024).optional(),
  aggregation: z.boolean({ error: 'aggregation must be true or false' }).optional(),
  maxAggregateBytes: positiveInt(
    'maxAggregateBytes',
    SinkDefaults.MIN_AGGREGATE_BYTES,
    KinesisLimits.MAX_RECORD_BYTES - KinesisLimits.MAX_PARTITION_KEY_CHARS * 4,
  ).optional(),
  compression: z
    .enum(['none', 'gzip'], { error: 'compression must be "none" or "gzip"' })
    .optional(),
  rateLimitFraction: z
    .number({ error: 'rateLimitFraction must be a number' })
    .gt(0, { error: 'rateLimitFraction must be greater than 0' })
    .max(1, { error: 'rateLimitFraction must be at most 1' })
    .optional(),
  wireProtocol: z
    .enum(['auto', 'cbor', 'json'], { error: 'wireProtocol must be "auto", "cbor" or "json"' })
    .optional(),
  encode: z
    .custom<(e: unknown) => string>((v) => typeof v === 'function', {
      error: 'encode must be a function',
    })
    .optional(),
});

/** Options with every default applied and every bound checked. */
type OptionalKeys =
  | 'client'
  | 'region'
  | 'endpoint'
  | 'credentials'
  | 'encode'
  | 'maxSockets'
  | 'requestTimeoutMs'
  | 'connectionTimeoutMs'
  | 'keepProcessAlive'
  | 'rateLimitFraction';
export type ResolvedSinkOptions = Required<Omit<KinesisSinkOptions, OptionalKeys>> &
  Pick<KinesisSinkOptions, OptionalKeys>;

/**
 * Validates options eagerly and applies defaults; throws one {@link ConfigError} listing every
 * problem, each naming the option and its limit.
 *
 * @example
 * ```ts
 * resolveSinkOptions({ streamName: 'logs', maxInFlight: 100 });
 * // ConfigError: invalid KinesisSink options: maxInFlight: maxInFlight must be at most 64
 * ```
 */
export function resolveSinkOptions(options: KinesisSinkOptions): ResolvedSinkOptions {
  const parsed = schema.safeParse(options ?? {});
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const o = options ?? ({} as KinesisSinkOptions);
  const maxRecordBytes = o.maxRecordBytes ?? KinesisLimits.MAX_RECORD_BYTES;
  const maxBatchBytes = o.maxBatchBytes ?? KinesisLimits.MAX_REQUEST_BYTES;
  if (parsed.success && maxRecordBytes > maxBatchBytes) {
    problems.push({
      path: 'maxRecordBytes',
      message: `maxRecordBytes (${maxRecordBytes}) must not exceed maxBatchBytes (${maxBatchBytes})`,
    });
  }
  if (parsed.success && (o.backoffBaseMs ?? 0) > (o.backoffMaxMs ?? SinkDefaults.BACKOFF_MAX_MS)) {
    problems.push({ path: 'backoffBaseMs', message: 'backoffBaseMs must not exceed backoffMaxMs' });
  }
  if (problems.length > 0) throw new ConfigError(problems, 'invalid KinesisSink options');
  return {
    ...o,
    streamName: o.streamName,
    flushIntervalMs: o.flushIntervalMs ?? SinkDefaults.FLUSH_INTERVAL_MS,
    maxBatchRecords: o.maxBatchRecords ?? KinesisLimits.MAX_RECORDS_PER_REQUEST,
    maxBatchBytes,
    maxRecordBytes,
    oversize: o.oversize ?? OversizePolicy.TRUNCATE,
    partitionKey: o.partitionKey ?? 'random',
    maxInFlight: o.maxInFlight ?? SinkDefaults.MAX_IN_FLIGHT,
    maxRetries: o.maxRetries ?? SinkDefaults.MAX_RETRIES,
    recordTtlMs: o.recordTtlMs ?? SinkDefaults.RECORD_TTL_MS,
    backoffBaseMs: o.backoffBaseMs ?? SinkDefaults.BACKOFF_BASE_MS,
    backoffMaxMs: o.backoffMaxMs ?? SinkDefaults.BACKOFF_MAX_MS,
    maxBufferBytes: o.maxBufferBytes ?? SinkDefaults.MAX_BUFFER_BYTES,
    whenFull: o.whenFull ?? WhenFull.BLOCK,
    shutdownTimeoutMs: o.shutdownTimeoutMs ?? SinkDefaults.SHUTDOWN_TIMEOUT_MS,
    aggregation: o.aggregation ?? false,
    maxAggregateBytes: Math.min(
      o.maxAggregateBytes ?? SinkDefaults.MAX_AGGREGATE_BYTES,
      maxRecordBytes - KinesisLimits.MAX_PARTITION_KEY_CHARS * 4,
    ),
    compression: o.compression ?? Compression.NONE,
    wireProtocol: o.wireProtocol ?? WireProtocolChoice.AUTO,
  };
}
