import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { setTimeout as delay } from 'node:timers/promises';
import { KinlogError } from '../errors.js';

/** Bounds of {@link ensureStream}. */
export const EnsureStreamDefaults = {
  POLL_INTERVAL_MS: 50,
  TIMEOUT_MS: 30_000,
} as const;

/** Stream states in which records can be written. */
const WRITABLE_STATUSES: readonly string[] = ['ACTIVE', 'UPDATING'];

/**
 * Makes sure a stream exists and accepts records: creates it with `shardCount` shards if missing
 * (an existing stream keeps its shards), then polls DescribeStreamSummary until it is ACTIVE (or
 * UPDATING). The SDK waiter is not used: its first retry comes after 10 s.
 *
 * @throws {KinlogError} code `STREAM_NOT_ACTIVE` (retryable) when the stream is not writable in
 *   time, code `CREATE_STREAM_FAILED` when AWS refuses the creation.
 * @example
 * ```ts
 * await ensureStream(new KinesisClient(awsClientConfig({ endpoint })), 'app-logs', 2);
 * ```
 */
export async function ensureStream(
  kinesis: KinesisClient,
  streamName: string,
  shardCount: number,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? EnsureStreamDefaults.TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let lastStatus = 'missing';
  for (;;) {
    const status = await streamStatus(kinesis, streamName);
    if (status !== undefined && WRITABLE_STATUSES.includes(status)) return;
    if (status === undefined) await createStream(kinesis, streamName, shardCount);
    lastStatus = status ?? 'CREATING';
    if (Date.now() >= deadline) {
      throw new KinlogError(
        `stream ${streamName} is not ACTIVE after ${timeoutMs} ms (status ${lastStatus})`,
        { code: 'STREAM_NOT_ACTIVE', retryable: true },
      );
    }
    // Kept referenced on purpose: the caller awaits this poll, nothing else may hold the process.
    await delay(EnsureStreamDefaults.POLL_INTERVAL_MS);
  }
}

async function streamStatus(
  kinesis: KinesisClient,
  streamName: string,
): Promise<string | undefined> {
  try {
    const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    return out.StreamDescriptionSummary?.StreamStatus ?? 'UNKNOWN';
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return undefined;
    throw new KinlogError(`cannot describe stream ${streamName}: ${errorMessage(err)}`, {
      code: 'DESCRIBE_STREAM_FAILED',
      retryable: true,
      cause: err,
    });
  }
}

async function createStream(
  kinesis: KinesisClient,
  streamName: string,
  shardCount: number,
): Promise<void> {
  try {
    await kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  } catch (err) {
    // Someone else created it between our describe and create: fine, keep polling.
    if (err instanceof ResourceInUseException) return;
    throw new KinlogError(`cannot create stream ${streamName}: ${errorMessage(err)}`, {
      code: 'CREATE_STREAM_FAILED',
      cause: err,
    });
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
