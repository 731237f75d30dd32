/**
 * A fault-injecting HTTP/1.1 proxy in front of a local Kinesis emulator, for tests of
 * everything that must survive a misbehaving Kinesis.
 *
 * ```
 *  SDK ──► proxy ─┬─ outage window? ─────────────► 503 ServiceUnavailable | connection reset
 *                 ├─ reset / 500 / throttle? ────► reset | InternalFailure | 400 throttling
 *                 ├─ PutRecords: fail entries ──► drop them, forward the rest ──► upstream
 *                 │       ◄── merge answers back in the original order, FailedRecordCount fixed
 *                 └─ anything else ─────────────► forwarded verbatim ──► upstream
 * ```
 *
 * Faults are drawn from a seeded generator in arrival order, so a sequential client sees the
 * same faults on every run with the same seed. Requests in JSON and in CBOR
 * (`application/x-amz-cbor-1.1`) are read alike and answered in their own protocol.
 */
import { listenLocal } from './kinesis-wire/listen-local.js';
import { createServer } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { PutRecordsEntryErrors } from '@kinlog/core';
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
import { decodeCborValue, encodeCborValue } from './kinesis-wire/aws-cbor.js';
import { hashKeyOf, shardIdFor } from './kinesis-wire/hash-key-ranges.js';
import type { HashKeyRange } from './kinesis-wire/hash-key-ranges.js';
import { NO_FAULTS, OutageModes, resolveFaultPlan } from './fault-proxy/fault-plan.js';
import type { FaultPlan, OutageMode, ResolvedFaultPlan } from './fault-proxy/fault-plan.js';
import {
  RequestFaultKinds,
  copyFaultProxyStats,
  emptyFaultProxyStats,
} from './fault-proxy/fault-proxy-stats.js';
import type { FaultProxyStats, RequestFaultKind } from './fault-proxy/fault-proxy-stats.js';
import { mergePutRecordsResults } from './fault-proxy/put-records-merge.js';
import type {
  EntryFailure,
  PutRecordsOutputWire,
  PutRecordsRequestEntryWire,
} from './fault-proxy/put-records-merge.js';
import { pick, seededRandom } from '@kinlog/core';
import { ShardBudget } from './fault-proxy/shard-budget.js';
import { UpstreamClient, endToEndHeaders } from './fault-proxy/upstream-client.js';
import type { UpstreamResponse } from './fault-proxy/upstream-client.js';

/**
 * Defaults and bounds of {@link startFaultProxy}.
 *
 * @example
 * ```ts
 * await startFaultProxy({ upstream, seed: FaultProxyDefaults.SEED });
 * ```
 */
export const FaultProxyDefaults = {
  SEED: 1,
  HOST: '127.0.0.1',
  /** Longer than client keep-alive, so the proxy never closes a socket a client is reusing. */
  KEEP_ALIVE_TIMEOUT_MS: 65_000,
  /** Shard maps are re-read this often, so splits and merges show up. */
  SHARD_MAP_TTL_MS: 5_000,
  /** Bound on cached shard maps (one per stream). */
  MAX_CACHED_STREAMS: 100,
  /** Account id in AWS-like error messages. */
  ACCOUNT_ID: '000000000000',
} as const;

/**
 * Options of {@link startFaultProxy}.
 *
 * @example
 * ```ts
 * const options: FaultProxyOptions = { upstream: 'http://127.0.0.1:4567', faults: { resetRate: 0.01 }, seed: 9 };
 * ```
 */
export interface FaultProxyOptions {
  /** The real (local) Kinesis, e.g. `http://127.0.0.1:4567`. */
  upstream: string;
  /** Initial faults; none by default. */
  faults?: FaultPlan;
  /** Seed of the fault generator; default {@link FaultProxyDefaults.SEED}. */
  seed?: number;
}

/**
 * A running fault proxy. Faults are drawn in arrival order: with one request at a time, a seed
 * gives the same faults on every run; concurrent requests may arrive in another order.
 *
 * @example
 * ```ts
 * proxy.setFaults({ entryFailureRate: 0 });
 * proxy.outage(1_000);
 * const { entriesFailed } = proxy.stats();
 * ```
 */
export interface FaultProxy {
  /** Endpoint to give the SDK, e.g. `http://127.0.0.1:43121`. */
  readonly url: string;
  readonly port: number;
  /** Merges `changes` into the current plan; `outageMs` (with `outageAtMs`) starts a window. */
  setFaults(changes: FaultPlan): void;
  /** The plan in force. */
  faults(): ResolvedFaultPlan;
  /** Fails every request for the next `ms`, in the plan's `outageMode` unless given. */
  outage(ms: number, mode?: OutageMode): void;
  /**
   * Holds one PutRecords request, the `skip`+1-th from now, `holdMs` before handling it, while
   * the requests after it go through; it is never forwarded if its client went away meanwhile
   * (a killed producer). Resolves, once it is held, with its entries' data.
   */
  holdPutRecords(skip: number, holdMs: number): Promise<Buffer[]>;
  /** A snapshot of the counters. */
  stats(): FaultProxyStats;
  /** Zeroes the counters. */
  resetStats(): void;
  /** Stops listening and drops every connection; safe to call more than once. */
  close(): Promise<void>;
}

interface PutRecordsInputWire {
  Records: PutRecordsRequestEntryWire[];
  StreamName?: string;
  StreamARN?: string;
}

interface OutageWindow {
  fromMs: number;
  untilMs: number;
  mode: OutageMode;
}

/**
 * Starts a fault proxy on 127.0.0.1, on a free port.
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy({ upstream: kinesaliteUrl, faults: { entryFailureRate: 0.1 }, seed: 7 });
 * const kinesis = new KinesisClient(awsClientConfig({ endpoint: proxy.url }));
 * // ... PutRecords answers now fail ~10% of entries, as AWS does under load
 * await proxy.close();
 * ```
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let plan = NO_FAULTS;
  let outageWindow: OutageWindow | undefined;
  let budget = new ShardBudget(plan.shardRecordsPerSecond, plan.shardBytesPerSecond);
  let stats = emptyFaultProxyStats();
  const random = seededRandom(options.seed ?? FaultProxyDefaults.SEED);
  const upstream = new UpstreamClient(options.upstream);
  const shardMaps = new Map<string, { ranges: HashKeyRange[]; fetchedAtMs: number }>();

  const setFaults = (changes: FaultPlan): void => {
    const next = resolveFaultPlan(plan, changes);
    if (
      next.shardRecordsPerSecond !== plan.shardRecordsPerSecond ||
      next.shardBytesPerSecond !== plan.shardBytesPerSecond
    ) {
      budget = new ShardBudget(next.shardRecordsPerSecond, next.shardBytesPerSecond);
    }
    plan = next;
    if (changes.outageMs !== undefined) {
      const fromMs = Date.now() + (changes.outageAtMs ?? 0);
      outageWindow = { fromMs, untilMs: fromMs + changes.outageMs, mode: plan.outageMode };
    }
  };
  setFaults(options.faults ?? {});

  let hold: { skip: number; holdMs: number; resolve: (data: Buffer[]) => void } | undefined;

  const countFailedRequest = (kind: RequestFaultKind, put: PutRecordsInputWire | undefined) => {
    stats.requestsFailedByKind[kind]++;
    if (put) stats.entriesInFailedRequests += put.Records.length;
  };

  const reset = (req: IncomingMessage): void => {
    stats.resets++;
    req.socket.resetAndDestroy();
  };

  /** Drops an answer upstream already gave: the client cannot tell whether the write happened. */
  const loseAnswer = (req: IncomingMessage, entriesWritten: number): void => {
    stats.requestsFailedByKind[RequestFaultKinds.LOST_RESPONSE]++;
    stats.entriesInLostResponses += entriesWritten;
    reset(req);
  };

  /** Draws the whole-request fault, if any; one draw per active rate, in a fixed order. */
  const drawRequestFault = (operation: string): RequestFaultKind | undefined => {
    if (!plan.faultOperations.includes(operation)) return undefined;
    if (plan.resetRate > 0 && random() < plan.resetRate) return RequestFaultKinds.RESET;
    if (plan.requestErrorRate > 0 && random() < plan.requestErrorRate) {
      return RequestFaultKinds.REQUEST_ERROR;
    }
    if (plan.throttleRate > 0 && random() < plan.throttleRate) return RequestFaultKinds.THROTTLE;
    return undefined;
  };

  const drawEntryFailures = (put: PutRecordsInputWire): (EntryFailure | undefined)[] => {
    const rate = plan.entryFailureRate;
    const stream = put.StreamName ?? put.StreamARN ?? '';
    return put.Records.map(() => {
      if (rate === 0 || random() >= rate) return undefined;
      const code = pick(random, plan.entryErrorCodes);
      return code === PutRecordsEntryErrors.INTERNAL
        ? { code, message: 'Internal service failure.' }
        : {
            code,
            message: `Rate exceeded for shard in stream ${stream} under account ${FaultProxyDefaults.ACCOUNT_ID}.`,
          };
    });
  };

  const shardRanges = async (
    put: PutRecordsInputWire,
    auth: OutgoingHttpHeaders,
  ): Promise<HashKeyRange[]> => {
    const key = put.StreamARN ?? put.StreamName ?? '';
    const cached = shardMaps.get(key);
    const now = Date.now();
    if (cached && now - cached.fetchedAtMs < FaultProxyDefaults.SHARD_MAP_TTL_MS) {
      return cached.ranges;
    }
    const stream = put.StreamARN ? { StreamARN: put.StreamARN } : { StreamName: key };
    const ranges = await upstream.listOpenShards(stream, auth);
    if (shardMaps.size >= FaultProxyDefaults.MAX_CACHED_STREAMS) shardMaps.clear();
    shardMaps.set(key, { ranges, fetchedAtMs: now });
    return ranges;
  };

  const applyShardBudget = async (
    put: PutRecordsInputWire,
    failures: (EntryFailure | undefined)[],
    req: IncomingMessage,
    arrivedAtMs: number,
  ): Promise<void> => {
    const auth: OutgoingHttpHeaders = {};
    for (const name of ['authorization', 'x-amz-date', 'x-amz-security-token']) {
      const value = req.headers[name];
      if (value !== undefined) auth[name] = value;
    }
    const ranges = await shardRanges(put, auth);
    put.Records.forEach((entry, i) => {
      if (failures[i]) return;
      const shardId = shardIdFor(hashKeyOf(entry.PartitionKey, entry.ExplicitHashKey), ranges);
      if (shardId === undefined) return;
      const bytes = dataOf(entry).length + Buffer.byteLength(entry.PartitionKey, 'utf8');
      if (budget.take(shardId, bytes, arrivedAtMs)) return;
      stats.entriesShardThrottled++;
      failures[i] = {
        code: PutRecordsEntryErrors.THROUGHPUT,
        message: `Rate exceeded for shard ${shardId} in stream ${put.StreamName ?? put.StreamARN ?? ''} under account ${FaultProxyDefaults.ACCOUNT_ID}.`,
      };
    });
  };

  const forwardPutRecords = async (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    put: PutRecordsInputWire,
    failures: (EntryFailure | undefined)[],
    loseResponse: boolean,
    arrivedAtMs: number,
    protocol: WireProtocol,
  ): Promise<void> => {
    // Accounted at arrival, as Kinesis does: the proxy's own shard lookup must not move a
    // request into a later window.
    if (budget.limited) await applyShardBudget(put, failures, req, arrivedAtMs);
    const forwarded = put.Records.filter((_, i) => failures[i] === undefined);
    for (const failure of failures) {
      if (!failure) continue;
      stats.entriesFailed++;
      stats.entriesFailedByCode[failure.code] = (stats.entriesFailedByCode[failure.code] ?? 0) + 1;
    }
    let output: PutRecordsOutputWire;
    if (forwarded.length === 0) {
      output = mergePutRecordsResults(failures, []);
    } else {
      const unchanged = forwarded.length === put.Records.length;
      const rewritten = { ...put, Records: forwarded };
      const upstreamBody = unchanged
        ? body
        : protocol === WireProtocols.CBOR
          ? encodeCborValue(rewritten)
          : Buffer.from(JSON.stringify(rewritten));
      const answer = await upstream.send(
        'POST',
        req.url ?? '/',
        endToEndHeaders(req.headers),
        upstreamBody,
      );
      stats.entriesForwarded += forwarded.length;
      if (loseResponse) return loseAnswer(req, forwarded.length);
      if (answer.statusCode !== 200) return relay(res, answer);
      const parsed = parseAnswer(answer);
      stats.entriesFailedUpstream += parsed.FailedRecordCount;
      output = mergePutRecordsResults(failures, parsed.Records);
      if (parsed.EncryptionType !== undefined) output.EncryptionType = parsed.EncryptionType;
    }
    if (loseResponse) return loseAnswer(req, 0);
    sendAwsValue(res, 200, output, protocol);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const operation = operationOf(req);
    const protocol = requestProtocolOf(req);
    stats.requestsByOperation[operation] = (stats.requestsByOperation[operation] ?? 0) + 1;
    const body = await readBody(req);
    const put =
      operation === KinesisWire.OPERATIONS.PUT_RECORDS && isKinesisWire(req)
        ? parsePutRecords(body, protocol)
        : undefined;
    if (operation === KinesisWire.OPERATIONS.PUT_RECORDS) stats.putRecordsRequests++;
    if (put) stats.entriesReceived += put.Records.length;

    if (put && hold !== undefined && hold.skip-- === 0) {
      const { holdMs, resolve } = hold;
      hold = undefined;
      resolve(put.Records.map(dataOf));
      await delay(holdMs, undefined, { ref: false });
      if (req.socket.destroyed) return;
    }
    const now = Date.now();
    if (outageWindow && now >= outageWindow.fromMs && now < outageWindow.untilMs) {
      countFailedRequest(RequestFaultKinds.OUTAGE, put);
      if (outageWindow.mode === OutageModes.RESET) return reset(req);
      return sendAwsError(
        res,
        503,
        AwsErrorTypes.SERVICE_UNAVAILABLE,
        'Service unavailable.',
        protocol,
      );
    }
    // Every draw happens here, before any wait, so faults follow arrival order.
    const fault = drawRequestFault(operation);
    const failures = put && !fault ? drawEntryFailures(put) : undefined;
    const loseResponse =
      !fault &&
      plan.lostResponseRate > 0 &&
      plan.faultOperations.includes(operation) &&
      random() < plan.lostResponseRate;
    const throttleType =
      fault === RequestFaultKinds.THROTTLE ? pick(random, plan.throttleErrorTypes) : undefined;
    if (plan.latencyMs > 0) await delay(plan.latencyMs, undefined, { ref: false });

    if (fault) {
      countFailedRequest(fault, put);
      if (fault === RequestFaultKinds.RESET) return reset(req);
      if (fault === RequestFaultKinds.REQUEST_ERROR) {
        return sendAwsError(
          res,
          500,
          AwsErrorTypes.INTERNAL_FAILURE,
          'Internal service failure.',
          protocol,
        );
      }
      return sendAwsError(
        res,
        400,
        throttleType ?? AwsErrorTypes.THROUGHPUT,
        `Rate exceeded for stream ${put?.StreamName ?? put?.StreamARN ?? ''} under account ${FaultProxyDefaults.ACCOUNT_ID}.`,
        protocol,
      );
    }
    if (put && failures) {
      return forwardPutRecords(req, res, body, put, failures, loseResponse, now, protocol);
    }
    const answer = await upstream.send(
      req.method ?? 'POST',
      req.url ?? '/',
      endToEndHeaders(req.headers),
      body,
    );
    if (loseResponse) return loseAnswer(req, 0);
    relay(res, answer);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      countFailedRequest(RequestFaultKinds.UPSTREAM, undefined);
      if (res.headersSent || req.socket.destroyed) return void req.socket.destroy();
      sendAwsError(
        res,
        502,
        AwsErrorTypes.INTERNAL_FAILURE,
        `fault proxy: ${String(err)}`,
        requestProtocolOf(req),
      );
    });
  });
  const listener = await listenLocal(
    server,
    FaultProxyDefaults.HOST,
    FaultProxyDefaults.KEEP_ALIVE_TIMEOUT_MS,
    () => upstream.close(),
  );
  return {
    url: listener.url,
    port: listener.port,
    setFaults,
    faults: () => plan,
    outage(ms, mode = plan.outageMode) {
      const fromMs = Date.now();
      outageWindow = { fromMs, untilMs: fromMs + ms, mode };
    },
    holdPutRecords(skip, holdMs) {
      return new Promise((resolve) => (hold = { skip, holdMs, resolve }));
    },
    stats: () => copyFaultProxyStats(stats),
    resetStats() {
      stats = emptyFaultProxyStats();
    },
    close: () => listener.close(),
  };
}

/** Whether a request is in a protocol the proxy reads (AWS JSON 1.1 or CBOR 1.1). */
function isKinesisWire(req: IncomingMessage): boolean {
  const type = req.headers['content-type'] ?? '';
  return (
    type.startsWith(KinesisWire.CONTENT_TYPE) || type.startsWith(KinesisWire.CBOR_CONTENT_TYPE)
  );
}

/** The PutRecords input, or `undefined` when it is not one the proxy can rewrite. */
function parsePutRecords(body: Buffer, protocol: WireProtocol): PutRecordsInputWire | undefined {
  const input = parseRequest(body, protocol) as Partial<PutRecordsInputWire>;
  return Array.isArray(input.Records) ? (input as PutRecordsInputWire) : undefined;
}

/** The bytes of an entry's data: decoded from base64 (JSON) or as sent (CBOR). */
function dataOf(entry: PutRecordsRequestEntryWire): Buffer {
  return typeof entry.Data === 'string' ? Buffer.from(entry.Data, 'base64') : entry.Data;
}

/** A successful PutRecords answer of upstream, in the protocol it answered in. */
function parseAnswer(answer: UpstreamResponse): PutRecordsOutputWire {
  const type = answer.headers['content-type'];
  const cbor = typeof type === 'string' && type.startsWith(KinesisWire.CBOR_CONTENT_TYPE);
  return (
    cbor ? decodeCborValue(answer.body) : JSON.parse(answer.body.toString())
  ) as PutRecordsOutputWire;
}

function relay(res: ServerResponse, answer: UpstreamResponse): void {
  res.writeHead(answer.statusCode, {
    ...endToEndHeaders(answer.headers),
    'content-length': answer.body.length,
  });
  res.end(answer.body);
}
