/**
 * A Kinesis endpoint that accepts everything and stores nothing: the far end of benchmarks, so
 * they measure the client and not an emulator. PutRecords bodies are never parsed: entries are
 * counted by scanning for `"PartitionKey":`, which cannot occur elsewhere in the SDK's compact
 * JSON (Data is base64, and quotes inside a key are escaped), or, in CBOR, read off the head of
 * the `Records` array. Requests in CBOR (`application/x-amz-cbor-1.1`) are answered in CBOR,
 * errors too. Only the `hashKey` routing mode
 * and the verifying mode parse bodies: the first must read each entry's key, the second decodes
 * every entry (KPL aggregates, gzip) down to the payloads the producer was given and counts each
 * one under a key the caller picks, so loss and duplicates show.
 *
 *   PutRecords ─► fail a fraction? ─► count (or: parse ─► deaggregate ─► gunzip ─► key ─► tally)
 */
import { listenLocal } from './kinesis-wire/listen-local.js';
import { createSelfSignedCertificate } from './kinesis-wire/self-signed-certificate.js';
import { userPayloads } from './kinesis-wire/user-payloads.js';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import {
  AwsErrorTypes,
  KinesisWire,
  WireProtocols,
  operationOf,
  parseRequest,
  readBody,
  requestProtocolOf,
  sendAwsError,
  sendAwsValue,
  type WireProtocol,
} from './kinesis-wire/aws-json.js';
import { cborRecordCount } from './kinesis-wire/aws-cbor.js';
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
  /**
   * Serve HTTPS with a throwaway self-signed certificate made at start (see
   * {@link NullKinesis.ca}), so a benchmark pays for TLS as it would against AWS.
   */
  tls?: boolean;
  /**
   * This fraction of put entries (0 to < 1), spread evenly, is answered with
   * `ProvisionedThroughputExceededException`, as a throttled stream answers; retries count too.
   */
  failFraction?: number;
  /**
   * Verifying mode: every accepted entry is decoded down to its payloads (KPL user records,
   * gunzipped) and each payload is counted under the key this returns (`undefined`: unkeyed).
   * Costs CPU: for correctness runs, not timed ones.
   */
  verifyKey?: (payload: Buffer) => string | undefined;
}

/**
 * What a verifying null endpoint received.
 *
 * @example
 * ```ts
 * const { byKey } = sink.received();
 * const duplicated = [...byKey].filter(([, n]) => n > 1);
 * ```
 */
export interface NullKinesisReceipt {
  /** Payloads decoded from accepted entries. */
  payloads: number;
  /** How many times each key arrived. */
  byKey: ReadonlyMap<string, number>;
  /** Payloads `verifyKey` gave no key. */
  unkeyed: number;
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
  /** Of those, the ones in CBOR (`application/x-amz-cbor-1.1`). */
  cborPutRequests: number;
  /** Entries accepted. */
  entries: number;
  /** Entries answered as throttled (`failFraction`). */
  failedEntries: number;
  /** Request body bytes of put requests (JSON, base64 data: about 4/3 of the payload; CBOR: raw). */
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
  /** Endpoint to give the SDK (`https://` with `tls`). */
  readonly url: string;
  readonly port: number;
  /**
   * With `tls`, the PEM certificate to trust: an https Agent's `ca`, or a file named by
   * `NODE_EXTRA_CA_CERTS` for a child process.
   */
  readonly ca: string | undefined;
  stats(): NullKinesisStats;
  /** Counts of the verifying mode (empty without `verifyKey`). */
  received(): NullKinesisReceipt;
  resetStats(): void;
  /** Stops listening and drops every connection; safe to call more than once. */
  close(): Promise<void>;
}

const ENTRY_MARKER = Buffer.from('"PartitionKey":');
/** A throttled entry, worded as Kinesis words it: the message names the shard. */
const failedEntry = (shardId: string): string =>
  `{"ErrorCode":"${AwsErrorTypes.THROUGHPUT}","ErrorMessage":"Rate exceeded for shard ${shardId} in the null endpoint."}`;

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
  const failFraction = options.failFraction ?? 0;
  if (!(failFraction >= 0 && failFraction < 1)) {
    throw new RangeError(`failFraction must be from 0 to less than 1, got ${failFraction}`);
  }
  const verifyKey = options.verifyKey;
  const ranges = evenHashKeyRanges(shardCount);
  const createdAtSeconds = Math.floor(Date.now() / 1000);
  const zeroStats = (): NullKinesisStats => ({
    requests: 0,
    putRequests: 0,
    cborPutRequests: 0,
    entries: 0,
    failedEntries: 0,
    bytes: 0,
  });
  let stats = zeroStats();
  let sequence = 0;
  let nextShard = 0;
  let entriesSeen = 0;
  const byKey = new Map<string, number>();
  let payloads = 0;
  let unkeyed = 0;

  /** Whether the next entry is one of the `failFraction` that fail: evenly spread, no randomness. */
  const failsNext = (): boolean => {
    const seen = entriesSeen++;
    return Math.floor((seen + 1) * failFraction) > Math.floor(seen * failFraction);
  };

  const tally = (data: unknown): void => {
    if (verifyKey === undefined) return;
    const bytes =
      typeof data === 'string'
        ? Buffer.from(data, 'base64')
        : Buffer.isBuffer(data)
          ? data
          : Buffer.alloc(0);
    for (const payload of userPayloads(bytes)) {
      payloads++;
      const key = verifyKey(payload);
      if (key === undefined) unkeyed++;
      else byKey.set(key, (byKey.get(key) ?? 0) + 1);
    }
  };

  const nextEntry = (routedTo?: string): string => {
    let shardId = routedTo;
    if (shardId === undefined) {
      shardId = ranges[nextShard]!.shardId;
      nextShard = (nextShard + 1) % shardCount;
    }
    sequence++;
    return `{"SequenceNumber":"${NullKinesisDefaults.SEQUENCE_PREFIX}${String(sequence).padStart(NullKinesisDefaults.SEQUENCE_DIGITS, '0')}","ShardId":"${shardId}"}`;
  };

  const putRecords = (body: Buffer, res: ServerResponse, protocol: WireProtocol): void => {
    const cbor = protocol === WireProtocols.CBOR;
    const parsed = routing === NullKinesisRouting.HASH_KEY || verifyKey !== undefined;
    const records = parsed ? recordsOf(parseRequest(body, protocol)) : undefined;
    let count = records?.length ?? 0;
    if (records === undefined && cbor) count = countCborRecords(body);
    else if (records === undefined) {
      for (
        let at = body.indexOf(ENTRY_MARKER);
        at !== -1;
        at = body.indexOf(ENTRY_MARKER, at + 1)
      ) {
        count++;
      }
    }
    const entries = new Array<string>(count);
    let failed = 0;
    for (let i = 0; i < count; i++) {
      if (failFraction > 0 && failsNext()) {
        failed++;
        const routed =
          routing === NullKinesisRouting.HASH_KEY ? routeOf(records?.[i], ranges) : undefined;
        entries[i] = failedEntry(routed ?? ranges[nextShard]!.shardId);
        continue;
      }
      const record = records?.[i];
      if (record !== undefined) tally(dataOf(record));
      entries[i] = nextEntry(
        routing === NullKinesisRouting.HASH_KEY ? routeOf(record, ranges) : undefined,
      );
    }
    stats.entries += count - failed;
    stats.failedEntries += failed;
    // The answer is made as JSON text either way, and turned into CBOR for a CBOR request.
    sendAwsValue(
      res,
      200,
      `{"FailedRecordCount":${failed},"Records":[${entries.join(',')}]}`,
      protocol,
    );
  };

  const putRecord = (body: Buffer, res: ServerResponse, protocol: WireProtocol): void => {
    if (failFraction > 0 && failsNext()) {
      stats.failedEntries++;
      return sendAwsError(res, 400, AwsErrorTypes.THROUGHPUT, 'Rate exceeded for shard.', protocol);
    }
    const record = parseRequest(body, protocol);
    stats.entries++;
    tally(record.Data);
    sendAwsValue(
      res,
      200,
      nextEntry(routing === NullKinesisRouting.HASH_KEY ? routeOf(record, ranges) : undefined),
      protocol,
    );
  };

  const describe = (
    body: Buffer,
    operation: string,
    res: ServerResponse,
    protocol: WireProtocol,
  ): void => {
    const input = parseRequest(body, protocol);
    const name =
      typeof input.StreamName === 'string' ? input.StreamName : streamNameOf(input.StreamARN);
    const stream = describeStream(name, ranges, createdAtSeconds);
    if (operation === KinesisWire.OPERATIONS.LIST_SHARDS) {
      return sendAwsValue(res, 200, { Shards: stream.Shards }, protocol);
    }
    if (operation === KinesisWire.OPERATIONS.DESCRIBE_STREAM) {
      return sendAwsValue(res, 200, { StreamDescription: stream }, protocol);
    }
    const { Shards: _shards, HasMoreShards: _more, ...summary } = stream;
    sendAwsValue(
      res,
      200,
      { StreamDescriptionSummary: { ...summary, OpenShardCount: shardCount, ConsumerCount: 0 } },
      protocol,
    );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const operation = operationOf(req);
    const protocol = requestProtocolOf(req);
    stats.requests++;
    const body = await readBody(req);
    switch (operation) {
      case KinesisWire.OPERATIONS.PUT_RECORDS:
        stats.putRequests++;
        if (protocol === WireProtocols.CBOR) stats.cborPutRequests++;
        stats.bytes += body.length;
        return putRecords(body, res, protocol);
      case KinesisWire.OPERATIONS.PUT_RECORD:
        stats.putRequests++;
        if (protocol === WireProtocols.CBOR) stats.cborPutRequests++;
        stats.bytes += body.length;
        return putRecord(body, res, protocol);
      case KinesisWire.OPERATIONS.DESCRIBE_STREAM_SUMMARY:
      case KinesisWire.OPERATIONS.DESCRIBE_STREAM:
      case KinesisWire.OPERATIONS.LIST_SHARDS:
        return describe(body, operation, res, protocol);
      default:
        return sendAwsError(
          res,
          400,
          AwsErrorTypes.UNKNOWN_OPERATION,
          `The null Kinesis endpoint does not implement ${operation}.`,
          protocol,
        );
    }
  };

  const onRequest: RequestListener = (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void req.socket.destroy();
      sendAwsError(res, 500, AwsErrorTypes.INTERNAL_FAILURE, String(err), requestProtocolOf(req));
    });
  };
  const certificate = options.tls === true ? createSelfSignedCertificate() : undefined;
  const server: Server =
    certificate === undefined ? createServer(onRequest) : createHttpsServer(certificate, onRequest);
  const listener = await listenLocal(
    server,
    NullKinesisDefaults.HOST,
    NullKinesisDefaults.KEEP_ALIVE_TIMEOUT_MS,
  );
  return {
    url: certificate === undefined ? listener.url : listener.url.replace(/^http:/, 'https:'),
    port: listener.port,
    ca: certificate?.cert,
    stats: () => ({ ...stats }),
    resetStats() {
      stats = zeroStats();
    },
    received: () => ({ payloads, byKey: new Map(byKey), unkeyed }),
    close: () => listener.close(),
  };
}

/** Entries of a CBOR PutRecords body, from the head of its `Records` (0 if it has none). */
function countCborRecords(body: Buffer): number {
  try {
    return cborRecordCount(body) ?? 0;
  } catch {
    return 0;
  }
}

function recordsOf(input: Record<string, unknown>): unknown[] {
  return Array.isArray(input.Records) ? (input.Records as unknown[]) : [];
}

function dataOf(record: unknown): unknown {
  return record !== null && typeof record === 'object'
    ? (record as Record<string, unknown>).Data
    : undefined;
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
