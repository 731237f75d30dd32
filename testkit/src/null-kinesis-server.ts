/**
 * A Kinesis endpoint that accepts everything and stores nothing: the far end of benchmarks, so
 * they measure the client and not an emulator. Its timed path is kept cheap on purpose: a
 * benchmark runs it on the same cores as the client it measures (real Kinesis costs the client's
 * machine nothing), so every microsecond it spends per record is taken from that client.
 * PutRecords bodies are therefore never kept nor parsed when counting: entries are counted chunk
 * by chunk as the body arrives (`"PartitionKey":` in JSON, the `Records` head in CBOR, see
 * put-records-entry-counter.ts) and answered by a writer that copies prepared entry bytes into
 * one Buffer (put-records-answer-writer.ts). Requests in CBOR (`application/x-amz-cbor-1.1`) are
 * answered in CBOR, errors too. Only the `hashKey` routing mode and the verifying mode parse
 * bodies: the first must read each entry's key, the second decodes every entry (KPL aggregates,
 * gzip) down to the payloads the producer was given and counts each one under a key the caller
 * picks, so loss and duplicates show.
 *
 *   PutRecords ─► count chunks (or: whole body ─► parse ─► deaggregate ─► gunzip ─► key ─► tally)
 *              ─► per entry: fail a fraction? ─► answer writer ─► one end(headers + body)
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
  sendAwsBody,
  sendAwsError,
  sendAwsValue,
  type WireProtocol,
} from './kinesis-wire/aws-json.js';
import { createEntryCounter } from './kinesis-wire/put-records-entry-counter.js';
import {
  PutRecordsAnswerWriter,
  sequenceNumberText,
} from './kinesis-wire/put-records-answer-writer.js';
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
  const shardIds = ranges.map((range) => range.shardId);
  const shardIndex = new Map(shardIds.map((id, i) => [id, i]));
  const layout = {
    prefix: NullKinesisDefaults.SEQUENCE_PREFIX,
    digits: NullKinesisDefaults.SEQUENCE_DIGITS,
  };
  const writers = {
    [WireProtocols.JSON]: new PutRecordsAnswerWriter(shardIds, WireProtocols.JSON, layout),
    [WireProtocols.CBOR]: new PutRecordsAnswerWriter(shardIds, WireProtocols.CBOR, layout),
  };
  /** Bodies are parsed only to route by key or to verify payloads; else entries are counted. */
  const parsing = routing === NullKinesisRouting.HASH_KEY || verifyKey !== undefined;
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
    return `{"SequenceNumber":"${sequenceNumberText(layout.prefix, layout.digits, sequence)}","ShardId":"${shardId}"}`;
  };

  /**
   * Answers `count` entries (`records`: the parsed ones, when parsing): per entry, throttled or
   * given the next sequence number on its shard (routed, or the next in turn).
   */
  const answerPutRecords = (
    res: ServerResponse,
    protocol: WireProtocol,
    count: number,
    records?: readonly unknown[],
  ): void => {
    const writer = writers[protocol];
    writer.begin(count);
    let failed = 0;
    for (let i = 0; i < count; i++) {
      const record = records?.[i];
      const routed =
        routing === NullKinesisRouting.HASH_KEY ? routeIndexOf(record, ranges, shardIndex) : -1;
      if (failFraction > 0 && failsNext()) {
        failed++;
        // The message names the shard the entry would have gone to; the turn does not move.
        writer.fail(routed === -1 ? nextShard : routed);
        continue;
      }
      if (record !== undefined) tally(dataOf(record));
      let shard = routed;
      if (shard === -1) {
        shard = nextShard;
        nextShard = (nextShard + 1) % shardCount;
      }
      sequence++;
      writer.ok(shard, sequence);
    }
    stats.entries += count - failed;
    stats.failedEntries += failed;
    sendAwsBody(res, 200, writer.end(), protocol);
  };

  /** Counting mode: entries counted chunk by chunk, the body never kept. */
  const countPutRecords = (
    req: IncomingMessage,
    res: ServerResponse,
    protocol: WireProtocol,
  ): Promise<void> =>
    new Promise((resolve, reject) => {
      const counter = createEntryCounter(protocol);
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        counter.push(chunk);
      });
      req.once('end', () => {
        try {
          stats.bytes += bytes;
          answerPutRecords(res, protocol, counter.count());
          resolve();
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
      req.once('error', reject);
    });

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
    if (operation === KinesisWire.OPERATIONS.PUT_RECORDS) {
      stats.putRequests++;
      if (protocol === WireProtocols.CBOR) stats.cborPutRequests++;
      if (!parsing) return countPutRecords(req, res, protocol);
    }
    const body = await readBody(req);
    switch (operation) {
      case KinesisWire.OPERATIONS.PUT_RECORDS:
        stats.bytes += body.length;
        return answerPutRecords(res, protocol, ...countedRecords(parseRequest(body, protocol)));
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

/** The entries of a parsed PutRecords body, as the count and the list (none: 0 entries). */
function countedRecords(input: Record<string, unknown>): [number, readonly unknown[]] {
  const records = Array.isArray(input.Records) ? (input.Records as unknown[]) : [];
  return [records.length, records];
}

function dataOf(record: unknown): unknown {
  return record !== null && typeof record === 'object'
    ? (record as Record<string, unknown>).Data
    : undefined;
}

/** The index of the shard {@link routeOf} picks; -1 when the entry does not say. */
function routeIndexOf(
  record: unknown,
  ranges: readonly HashKeyRange[],
  shardIndex: ReadonlyMap<string, number>,
): number {
  const shardId = routeOf(record, ranges);
  return shardId === undefined ? -1 : (shardIndex.get(shardId) ?? -1);
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
