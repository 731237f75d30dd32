import { createRequire } from 'node:module';
import type * as KinesisSdk from '@aws-sdk/client-kinesis';
import type {
  KinesisClient,
  ListShardsCommandInput,
  PutRecordsResultEntry,
  PutRecordsRequestEntry,
} from '@aws-sdk/client-kinesis';
import {
  AwsClientDefaults,
  AwsErrorKinds,
  awsClientConfig,
  classifyAwsError,
  CredentialCache,
  KinlogError,
  StreamNotFoundError,
  takeJsonAnswer,
  withRequestDeadline,
  type AwsConnectionOptions,
  type ShardHashRange,
} from '@kinlog/core';
import {
  KinesisAccessError,
  KinesisRequestError,
  KinesisUnreachableError,
  type KinesisTarget,
} from '../errors.js';
import { BodyPool } from './body-pool.js';
import { LeanPutRecords } from './lean-put-records.js';
import type { PlainRun } from './held-record.js';
import { plainEntries } from './plain-run.js';
import { cborPutRecordsBody } from './cbor-put-records-body.js';
import { putRecordsBody } from './put-records-body.js';
import { putRecordsPrototype } from './put-records-prototype.js';
import { isJsonPutRecordsRequest } from './put-records-request.js';
import {
  entryResultOf,
  EntryResultList,
  recordsOf,
  resultsArray,
  resultsOfAnswer,
  type EntryResult,
  type PutRecordsResults,
} from './put-records-results.js';
import { resolveWireProtocol, WireProtocol, type WireProtocolChoice } from './wire-protocol.js';

export { isJsonPutRecordsRequest } from './put-records-request.js';
export { entryResultOf, type EntryResult, type PutRecordsResults } from './put-records-results.js';

// The SDK is CommonJS: required, not imported. An import makes Node parse its bundles (and those
// they re-export) to list their named exports, about 50 ms of CPU at every start of a command.
const kinesis = createRequire(import.meta.url)('@aws-sdk/client-kinesis') as typeof KinesisSdk;

/** Request bodies kept for reuse when the caller does not say (the sink's default maxInFlight). */
const DEFAULT_KEPT_BODIES = 4;

/** One record as sent. */
export interface PutEntry {
  data: Uint8Array;
  partitionKey: string;
  /** Decimal 128-bit hash key that routes the entry instead of MD5(partitionKey). */
  explicitHashKey?: string | undefined;
  /** Set for a run of plain records: the entry stands for each of them (see plain-run.ts). */
  run?: PlainRun | undefined;
}

/**
 * The only file that calls PutRecords: sends a batch, returns one result per record (a run
 * entry answers one per record it carries), and turns
 * every SDK or network failure of the whole request into a {@link KinlogError} that says
 * whether retrying can help.
 *
 * Two ways to send, one result: with a client of its own (no `client` option), requests are
 * signed and sent by {@link LeanPutRecords} from the request the SDK builds once (endpoint,
 * headers, signing scope), without the SDK's per-request middleware; a `client` passed in, or
 * an SDK request the lean path cannot reproduce (another protocol, not SigV4), is used through
 * the SDK for every request. ListShards always goes through the SDK. Lean requests are CBOR
 * (`wireProtocol`, record bytes raw) or JSON; requests through the SDK are always JSON. By
 * default (`auto`), CBOR goes only to AWS's own endpoints: see {@link resolveWireProtocol}.
 *
 * @example
 * ```ts
 * const client = new PutRecordsClient({ streamName: 'logs', endpoint: 'http://127.0.0.1:4567' });
 * const results = await client.send([{ data: Buffer.from('{}'), partitionKey: 'a' }]);
 * ```
 */
export class PutRecordsClient {
  readonly target: KinesisTarget;
  private readonly client: KinesisClient;
  private readonly ownsClient: boolean;
  private ownBodies = true;
  private readonly requestTimeoutMs: number;
  /** How requests kinlog signs itself are encoded (the SDK's own are JSON). */
  readonly wireProtocol: WireProtocol;
  /** Why {@link wireProtocol} was taken (`auto` and the endpoint, or as configured). */
  readonly wireProtocolReason: string;
  private readonly connection: AwsConnectionOptions;
  /** The lean sender once made; `undefined` before the first request; `false`: SDK only. */
  private lean: LeanPutRecords | false | undefined;
  private leanStarting: Promise<LeanPutRecords | false> | undefined;

  /** Bodies of lean requests, reused once their request is over. */
  private readonly bodies: BodyPool;

  /**
   * @param options.keptBodies - request bodies kept for reuse between requests (the requests in
   *   flight at once, the sink's maxInFlight, is enough); 0 keeps none
   * @param options.wireProtocol - encoding of lean requests (default `auto`: CBOR to AWS's own
   *   endpoints, JSON to any other endpoint override)
   */
  constructor(
    options: AwsConnectionOptions & {
      streamName: string;
      client?: KinesisClient;
      keptBodies?: number;
      wireProtocol?: WireProtocolChoice;
    },
  ) {
    const wire = resolveWireProtocol(options.wireProtocol, endpointOverride(options));
    this.wireProtocol = wire.protocol;
    this.wireProtocolReason = wire.reason;
    this.ownsClient = options.client === undefined;
    this.bodies = new BodyPool(options.keptBodies ?? DEFAULT_KEPT_BODIES);
    this.requestTimeoutMs = options.requestTimeoutMs ?? AwsClientDefaults.REQUEST_TIMEOUT_MS;
    this.client = options.client ?? new kinesis.KinesisClient(awsClientConfig(options));
    this.target = { streamName: options.streamName, endpoint: describeEndpoint(options) };
    this.connection = options;
    // A client passed in is the caller's: its middleware, handler and retries stay in charge.
    if (!this.ownsClient) this.lean = false;
  }

  /**
   * Sends one request; answers one result per record, in order (a run entry answers one per
   * record it carries), read lazily: see {@link PutRecordsResults}.
   */
  async put(entries: readonly PutEntry[], signal?: AbortSignal): Promise<PutRecordsResults> {
    let answered: PutRecordsResults;
    try {
      // The whole call, answer read included, ends within the request timeout.
      answered = await withRequestDeadline(this.requestTimeoutMs, signal, (bounded) =>
        this.sendRequest(entries, bounded),
      );
    } catch (err) {
      throw translatePutRecordsError(err, this.target);
    }
    let sent = 0;
    for (const e of entries) sent += e.run === undefined ? 1 : e.run.to - e.run.from;
    if (answered.length !== sent) {
      throw new KinesisRequestError(
        this.target,
        'InvalidResponse',
        `answered ${answered.length} entries for ${sent} sent`,
        true,
      );
    }
    return answered;
  }

  /** As {@link put}, each record's whole result made at once (sequence numbers decoded). */
  async send(entries: readonly PutEntry[], signal?: AbortSignal): Promise<EntryResult[]> {
    return resultsArray(await this.put(entries, signal));
  }

  /** Whether requests carry a body written by {@link putRecordsBody} (else the SDK's own). */
  get writesOwnBodies(): boolean {
    return this.ownBodies;
  }

  /** Whether requests go out through {@link LeanPutRecords} (known after the first request). */
  get sendsLean(): boolean {
    return this.lean instanceof LeanPutRecords;
  }

  /** Sends one request; answers its entries' results (CBOR or JSON answer, or the SDK's output). */
  private async sendRequest(
    entries: readonly PutEntry[],
    signal: AbortSignal,
  ): Promise<PutRecordsResults> {
    if (this.lean !== false) {
      const lean = this.lean ?? (await this.startLean());
      if (lean !== false) {
        const body =
          this.wireProtocol === WireProtocol.CBOR
            ? cborPutRecordsBody(this.target.streamName, entries, this.bodies)
            : putRecordsBody(this.target.streamName, entries, this.bodies);
        return lean.send(body, signal, () => this.bodies.give(body));
      }
    }
    const options = { abortSignal: signal };
    if (this.ownBodies) {
      // The SDK serializes an empty request (headers, endpoint, signing stay its own); the body
      // is swapped in before the build step computes its length and the signer hashes it.
      const body = putRecordsBody(this.target.streamName, entries);
      const command = new kinesis.PutRecordsCommand({
        StreamName: this.target.streamName,
        Records: [],
      });
      command.middlewareStack.add(
        (next) => (args) => {
          if (!isJsonPutRecordsRequest(args.request)) throw new UnexpectedProtocolError();
          args.request.body = body;
          return next(args);
        },
        { step: 'build', priority: 'high', name: 'kinlogPutRecordsBody' },
      );
      // The answer is read here too, as JSON.parse reads it, and the SDK given an empty one:
      // its schema deserializer costs more than the rest of handling the answer.
      let answered: unknown[] | undefined;
      command.middlewareStack.add(
        (next) => async (args) => {
          const out = await next(args);
          answered = await takeAnswerRecords(out.response);
          return out;
        },
        { step: 'deserialize', priority: 'low', name: 'kinlogPutRecordsAnswer' },
      );
      try {
        const output = await this.client.send(command, options);
        return resultsOfAnswer({ Records: answered ?? output.Records ?? [] });
      } catch (err) {
        if (!(err instanceof UnexpectedProtocolError)) throw err;
        // An SDK that no longer speaks awsJson 1.1 to Kinesis: its own serializer from now on.
        this.ownBodies = false;
      }
    }
    const records: PutRecordsRequestEntry[] = plainEntries(entries).map((e) =>
      e.explicitHashKey === undefined
        ? { Data: e.data, PartitionKey: e.partitionKey }
        : { Data: e.data, PartitionKey: e.partitionKey, ExplicitHashKey: e.explicitHashKey },
    );
    const output = await this.client.send(
      new kinesis.PutRecordsCommand({ StreamName: this.target.streamName, Records: records }),
      options,
    );
    return new EntryResultList((output.Records ?? []).map(entryResultOf));
  }

  /**
   * Makes the lean sender from the SDK's own request (taken once, unsent); concurrent first
   * requests share it. An SDK failure (no region, no credentials) is thrown and the next
   * request tries again; a request the lean path cannot reproduce leaves the SDK in charge.
   * No request's signal ends it (it sends nothing, and it is shared): each waiting request
   * still ends by its own deadline.
   */
  private startLean(): Promise<LeanPutRecords | false> {
    this.leanStarting ??= (async () => {
      try {
        const prototype = await putRecordsPrototype(this.client, this.target.streamName);
        const config = this.client.config;
        const cache = new CredentialCache({ provider: () => config.credentials() });
        this.lean =
          prototype === undefined
            ? false
            : new LeanPutRecords({
                prototype,
                credentials: () => cache.get(),
                maxSockets: this.connection.maxSockets ?? AwsClientDefaults.MAX_SOCKETS,
                connectionTimeoutMs:
                  this.connection.connectionTimeoutMs ?? AwsClientDefaults.CONNECTION_TIMEOUT_MS,
                keepProcessAlive: this.connection.keepProcessAlive ?? true,
                wireProtocol: this.wireProtocol,
                clockOffset: {
                  get: () => config.systemClockOffset,
                  set: (offsetMs) => {
                    config.systemClockOffset = offsetMs;
                  },
                },
              });
        return this.lean;
      } finally {
        this.leanStarting = undefined;
      }
    })();
    return this.leanStarting;
  }

  /**
   * The stream's open shards with their hash key ranges (ListShards, all pages), for routing
   * records per shard.
   */
  async listOpenShards(signal?: AbortSignal): Promise<ShardHashRange[]> {
    const ranges: ShardHashRange[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const input: ListShardsCommandInput =
          nextToken === undefined
            ? { StreamName: this.target.streamName }
            : { NextToken: nextToken };
        const page = await withRequestDeadline(this.requestTimeoutMs, signal, (abortSignal) =>
          this.client.send(new kinesis.ListShardsCommand(input), { abortSignal }),
        );
        for (const shard of page.Shards ?? []) {
          if (shard.SequenceNumberRange?.EndingSequenceNumber !== undefined) continue; // closed
          const range = shard.HashKeyRange;
          if (
            shard.ShardId === undefined ||
            range?.StartingHashKey === undefined ||
            range.EndingHashKey === undefined
          )
            continue;
          ranges.push({
            shardId: shard.ShardId,
            startingHashKey: BigInt(range.StartingHashKey),
            endingHashKey: BigInt(range.EndingHashKey),
          });
        }
        nextToken = page.NextToken;
      } while (nextToken !== undefined);
    } catch (err) {
      throw translatePutRecordsError(err, this.target);
    }
    return ranges;
  }

  /** Closes the sockets of a client this object created; a client passed in is left alone. */
  destroy(): void {
    if (this.lean instanceof LeanPutRecords) this.lean.destroy();
    if (this.ownsClient) this.client.destroy();
  }
}

/**
 * Maps an SDK or socket error to our errors, by {@link classifyAwsError}. Exported for the few
 * other boundary files that call Kinesis on behalf of the sink.
 *
 * @example
 * ```ts
 * catch (err) { throw translatePutRecordsError(err, { streamName, endpoint }); }
 * ```
 */
export function translatePutRecordsError(err: unknown, target: KinesisTarget): KinlogError {
  if (err instanceof KinlogError) return err;
  const c = classifyAwsError(err);
  switch (c.kind) {
    case AwsErrorKinds.notFound:
      return new StreamNotFoundError(target, err);
    case AwsErrorKinds.accessDenied:
      return new KinesisAccessError(target, c.detail, err);
    case AwsErrorKinds.network:
    case AwsErrorKinds.timeout:
      return new KinesisUnreachableError(target, c.detail, err);
    case AwsErrorKinds.aborted:
      return new KinesisRequestError(target, c.name, 'request aborted', true, err);
    default:
      return new KinesisRequestError(target, c.name, c.message, c.retryable, err);
  }
}

function describeEndpoint(options: AwsConnectionOptions): string {
  return (
    endpointOverride(options) ??
    `https://kinesis.${options.region ?? process.env.AWS_REGION ?? 'us-east-1'}.amazonaws.com`
  );
}

/** The endpoint the client is pointed at instead of AWS's own, as the SDK reads it, if any. */
function endpointOverride(options: AwsConnectionOptions): string | undefined {
  return options.endpoint ?? process.env.AWS_ENDPOINT_URL_KINESIS ?? process.env.AWS_ENDPOINT_URL;
}

/** Raised inside the SDK's middleware stack when the request is not the one our body replaces. */
class UnexpectedProtocolError extends Error {}

/** What the SDK is given in place of an answer read by {@link takePutRecordsAnswer}. */
const EMPTY_ANSWER = '{"FailedRecordCount":0,"Records":[]}';

/**
 * The entries of a successful PutRecords answer, read by {@link takeJsonAnswer} (the SDK is
 * left an empty answer); `undefined` for anything the SDK must read itself.
 *
 * @example
 * ```ts
 * const entries = await takePutRecordsAnswer(out.response); // [{ SequenceNumber, ShardId }, …]
 * ```
 */
export async function takePutRecordsAnswer(
  response: unknown,
): Promise<PutRecordsResultEntry[] | undefined> {
  return (await takeAnswerRecords(response))?.map(resultEntry);
}

/** The raw entries of a successful PutRecords answer, as JSON.parse reads them. */
async function takeAnswerRecords(response: unknown): Promise<unknown[] | undefined> {
  return recordsOf(await takeJsonAnswer(response, EMPTY_ANSWER));
}

/**
 * One answered entry with only its string members, as the SDK reads them: some servers write
 * `"ErrorCode": null` for an entry that succeeded, which must not read as an error.
 */
function resultEntry(raw: unknown): PutRecordsResultEntry {
  const entry: PutRecordsResultEntry = {};
  if (typeof raw !== 'object' || raw === null) return entry;
  const r = raw as Record<string, unknown>;
  if (typeof r['SequenceNumber'] === 'string') entry.SequenceNumber = r['SequenceNumber'];
  if (typeof r['ShardId'] === 'string') entry.ShardId = r['ShardId'];
  if (typeof r['ErrorCode'] === 'string') entry.ErrorCode = r['ErrorCode'];
  if (typeof r['ErrorMessage'] === 'string') entry.ErrorMessage = r['ErrorMessage'];
  return entry;
}

/**
 * What the sink uses of a {@link PutRecordsClient}: a fake of it drives the sink's unit tests.
 *
 * @example
 * ```ts
 * const port: PutRecordsPort = new PutRecordsClient({ streamName: 'logs' });
 * ```
 */
export type PutRecordsPort = Pick<
  PutRecordsClient,
  'target' | 'put' | 'listOpenShards' | 'destroy'
>;
