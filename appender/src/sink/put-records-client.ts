import {
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  type ListShardsCommandInput,
  type PutRecordsResultEntry,
  type PutRecordsRequestEntry,
} from '@aws-sdk/client-kinesis';
import {
  AwsClientDefaults,
  AwsErrorKinds,
  awsClientConfig,
  classifyAwsError,
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
import { putRecordsBody } from './put-records-body.js';

/** What Kinesis said about one entry of a PutRecords request. */
export type EntryResult =
  | { ok: true; shardId: string; sequenceNumber: string }
  | { ok: false; errorCode: string; errorMessage: string };

/** One record as sent. */
export interface PutEntry {
  data: Uint8Array;
  partitionKey: string;
  /** Decimal 128-bit hash key that routes the entry instead of MD5(partitionKey). */
  explicitHashKey?: string | undefined;
}

/**
 * The only file that calls PutRecords: sends a batch, returns one result per entry, and turns
 * every SDK or network failure of the whole request into a {@link KinlogError} that says
 * whether retrying can help.
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

  constructor(options: AwsConnectionOptions & { streamName: string; client?: KinesisClient }) {
    this.ownsClient = options.client === undefined;
    this.requestTimeoutMs = options.requestTimeoutMs ?? AwsClientDefaults.REQUEST_TIMEOUT_MS;
    this.client = options.client ?? new KinesisClient(awsClientConfig(options));
    this.target = { streamName: options.streamName, endpoint: describeEndpoint(options) };
  }

  async send(entries: readonly PutEntry[], signal?: AbortSignal): Promise<EntryResult[]> {
    let answered: readonly unknown[];
    try {
      // The whole call, answer read included, ends within the request timeout.
      answered = await withRequestDeadline(this.requestTimeoutMs, signal, (bounded) =>
        this.sendRequest(entries, bounded),
      );
    } catch (err) {
      throw translatePutRecordsError(err, this.target);
    }
    if (answered.length !== entries.length) {
      throw new KinesisRequestError(
        this.target,
        'InvalidResponse',
        `answered ${answered.length} entries for ${entries.length} sent`,
        true,
      );
    }
    return answered.map(entryResultOf);
  }

  /** Whether requests carry a body written by {@link putRecordsBody} (else the SDK's own). */
  get writesOwnBodies(): boolean {
    return this.ownBodies;
  }

  /** Sends one request; answers its entries as read (plain JSON, or the SDK's output). */
  private async sendRequest(
    entries: readonly PutEntry[],
    signal: AbortSignal,
  ): Promise<readonly unknown[]> {
    const options = { abortSignal: signal };
    if (this.ownBodies) {
      // The SDK serializes an empty request (headers, endpoint, signing stay its own); the body
      // is swapped in before the build step computes its length and the signer hashes it.
      const body = putRecordsBody(this.target.streamName, entries);
      const command = new PutRecordsCommand({ StreamName: this.target.streamName, Records: [] });
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
        return answered ?? output.Records ?? [];
      } catch (err) {
        if (!(err instanceof UnexpectedProtocolError)) throw err;
        // An SDK that no longer speaks awsJson 1.1 to Kinesis: its own serializer from now on.
        this.ownBodies = false;
      }
    }
    const records: PutRecordsRequestEntry[] = entries.map((e) =>
      e.explicitHashKey === undefined
        ? { Data: e.data, PartitionKey: e.partitionKey }
        : { Data: e.data, PartitionKey: e.partitionKey, ExplicitHashKey: e.explicitHashKey },
    );
    const output = await this.client.send(
      new PutRecordsCommand({ StreamName: this.target.streamName, Records: records }),
      options,
    );
    return output.Records ?? [];
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
          this.client.send(new ListShardsCommand(input), { abortSignal }),
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
    options.endpoint ??
    process.env.AWS_ENDPOINT_URL_KINESIS ??
    process.env.AWS_ENDPOINT_URL ??
    `https://kinesis.${options.region ?? process.env.AWS_REGION ?? 'us-east-1'}.amazonaws.com`
  );
}

/** Raised inside the SDK's middleware stack when the request is not the one our body replaces. */
class UnexpectedProtocolError extends Error {}

/** The awsJson 1.1 PutRecords request {@link putRecordsBody} writes the body of. */
const JSON_PUT_RECORDS_HEADERS = {
  'content-type': 'application/x-amz-json-1.1',
  'x-amz-target': 'Kinesis_20131202.PutRecords',
} as const;

/**
 * Whether `request` is an HTTP request of the awsJson 1.1 PutRecords operation (header names in
 * any case), so a body of ours means the same to Kinesis as the SDK's.
 *
 * @example
 * ```ts
 * isJsonPutRecordsRequest({ headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'Kinesis_20131202.PutRecords' } }); // true
 * ```
 */
export function isJsonPutRecordsRequest(
  request: unknown,
): request is { headers: Record<string, string>; body: unknown } {
  if (typeof request !== 'object' || request === null) return false;
  const headers = (request as { headers?: unknown }).headers;
  if (typeof headers !== 'object' || headers === null) return false;
  const found: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) found[name.toLowerCase()] = value;
  return Object.entries(JSON_PUT_RECORDS_HEADERS).every(([name, expected]) => {
    const value = found[name];
    return typeof value === 'string' && value.startsWith(expected);
  });
}

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
  const answer = await takeJsonAnswer(response, EMPTY_ANSWER);
  const records = (answer as { Records?: unknown } | null | undefined)?.Records;
  return Array.isArray(records) ? (records as unknown[]) : undefined;
}

/**
 * One answered entry (raw JSON or the SDK's) as the sink reads it, in one step: only string
 * members count, so a server's `"ErrorCode": null` on a success does not read as an error.
 *
 * @example
 * ```ts
 * entryResultOf({ SequenceNumber: '1', ShardId: 's' }); // { ok: true, shardId: 's', sequenceNumber: '1' }
 * ```
 */
export function entryResultOf(raw: unknown): EntryResult {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const code = r['ErrorCode'];
  const sequenceNumber = r['SequenceNumber'];
  if (typeof code !== 'string' && typeof sequenceNumber === 'string') {
    const shardId = r['ShardId'];
    return { ok: true, shardId: typeof shardId === 'string' ? shardId : '', sequenceNumber };
  }
  const message = r['ErrorMessage'];
  return {
    ok: false,
    errorCode: typeof code === 'string' ? code : 'InternalFailure',
    errorMessage: typeof message === 'string' ? message : '',
  };
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
  'target' | 'send' | 'listOpenShards' | 'destroy'
>;
