/*
 * Creates a stream if missing and waits until it takes records:
 *
 *   DescribeStreamSummary ─ not found ─▶ CreateStream (in use: someone else made it) ─┐
 *        │ ACTIVE / UPDATING: done                                                     │
 *        └──────────────── poll every POLL_INTERVAL_MS until TIMEOUT_MS ◀──────────────┘
 *
 * Every call is bounded by the request timeout (answer read included), ended by `signal`, read
 * by core's classifier; Describe is retried on any transient failure, Create only when
 * throttled (after a timeout it may have happened: the next Describe finds out).
 */
import { createRequire } from 'node:module';
import type * as KinesisSdk from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinlogError } from '../errors.js';
import { AwsClientDefaults } from './aws-client-config.js';
import { retryBudgetMs, retryWithBackoff, sleep } from './backoff.js';
import { AwsErrorKinds, classifyAwsError } from './classify-aws-error.js';
import { withRequestDeadline } from './with-request-deadline.js';

// The SDK is CommonJS: required, not imported. An import makes Node parse its bundles (and those
// they re-export) to list their named exports, about 50 ms of CPU at every start of a command.
const { CreateStreamCommand, DescribeStreamSummaryCommand } = createRequire(import.meta.url)(
  '@aws-sdk/client-kinesis',
) as typeof KinesisSdk;

/** Bounds of {@link ensureStream}. */
export const EnsureStreamDefaults = {
  POLL_INTERVAL_MS: 50,
  TIMEOUT_MS: 30_000,
  MAX_ATTEMPTS: 4,
  RETRY_BASE_MS: 100,
  RETRY_MAX_MS: 2_000,
} as const;

/** Options of {@link ensureStream}. */
export interface EnsureStreamOptions {
  /** How long the stream may take to become writable. */
  readonly timeoutMs?: number;
  /** Bound of each call, answer included (default 30 s); the retry budget follows from it. */
  readonly requestTimeoutMs?: number;
  /** Ends every call and wait at once (a command stopped by a signal). */
  readonly signal?: AbortSignal;
}

/** Stream states in which records can be written. */
const WRITABLE_STATUSES: readonly string[] = ['ACTIVE', 'UPDATING'];

/**
 * Makes sure a stream exists and accepts records: creates it with `shardCount` shards if missing
 * (an existing stream keeps its shards), then polls DescribeStreamSummary until it is ACTIVE (or
 * UPDATING). The SDK waiter is not used: its first retry comes after 10 s.
 *
 * @throws {KinlogError} code `STREAM_NOT_ACTIVE` (retryable) when the stream is not writable in
 *   time, `DESCRIBE_STREAM_FAILED` or `CREATE_STREAM_FAILED` (retryable when a later try may
 *   succeed) when AWS fails or refuses; the signal's abort as it came.
 * @example
 * ```ts
 * await ensureStream(new KinesisClient(awsClientConfig({ endpoint })), 'app-logs', 2);
 * ```
 */
export async function ensureStream(
  kinesis: KinesisClient,
  streamName: string,
  shardCount: number,
  options: EnsureStreamOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? EnsureStreamDefaults.TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let lastStatus = 'missing';
  for (;;) {
    const status = await streamStatus(kinesis, streamName, options);
    if (status !== undefined && WRITABLE_STATUSES.includes(status)) return;
    if (status === undefined) await createStream(kinesis, streamName, shardCount, options);
    lastStatus = status ?? 'CREATING';
    if (Date.now() >= deadline) {
      throw new KinlogError(
        `stream ${streamName} is not ACTIVE after ${timeoutMs} ms (status ${lastStatus})`,
        { code: 'STREAM_NOT_ACTIVE', retryable: true },
      );
    }
    // Kept referenced on purpose: the caller awaits this poll, nothing else may hold the process.
    await sleep(EnsureStreamDefaults.POLL_INTERVAL_MS, options.signal);
  }
}

async function streamStatus(
  kinesis: KinesisClient,
  streamName: string,
  options: EnsureStreamOptions,
): Promise<string | undefined> {
  try {
    const out = await call(
      options,
      (abortSignal) =>
        kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }), {
          abortSignal,
        }),
      false,
    );
    return out.StreamDescriptionSummary?.StreamStatus ?? 'UNKNOWN';
  } catch (err) {
    const c = classifyAwsError(err);
    if (c.kind === AwsErrorKinds.notFound) return undefined;
    throw translate(err, `cannot describe stream ${streamName}`, 'DESCRIBE_STREAM_FAILED');
  }
}

async function createStream(
  kinesis: KinesisClient,
  streamName: string,
  shardCount: number,
  options: EnsureStreamOptions,
): Promise<void> {
  try {
    await call(
      options,
      (abortSignal) =>
        kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }), {
          abortSignal,
        }),
      true,
    );
  } catch (err) {
    // Someone else created it between our describe and create: fine, keep polling.
    if (classifyAwsError(err).name === 'ResourceInUseException') return;
    throw translate(err, `cannot create stream ${streamName}`, 'CREATE_STREAM_FAILED');
  }
}

/** One call, bounded and retried with core's backoff (`onlyThrottled`: a write not idempotent). */
function call<T>(
  options: EnsureStreamOptions,
  send: (abortSignal: AbortSignal) => Promise<T>,
  onlyThrottled: boolean,
): Promise<T> {
  const requestTimeoutMs = options.requestTimeoutMs ?? AwsClientDefaults.REQUEST_TIMEOUT_MS;
  return retryWithBackoff(() => withRequestDeadline(requestTimeoutMs, options.signal, send), {
    maxAttempts: EnsureStreamDefaults.MAX_ATTEMPTS,
    baseMs: EnsureStreamDefaults.RETRY_BASE_MS,
    maxMs: EnsureStreamDefaults.RETRY_MAX_MS,
    maxElapsedMs: retryBudgetMs(requestTimeoutMs),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    shouldRetry: (err) => {
      const c = classifyAwsError(err);
      return onlyThrottled ? c.kind === AwsErrorKinds.throttled : c.retryable;
    },
  });
}

/** A failed call as a {@link KinlogError} (an abort passes as it came). */
function translate(err: unknown, what: string, code: string): Error {
  const c = classifyAwsError(err);
  if (c.kind === AwsErrorKinds.aborted && err instanceof Error) return err;
  return new KinlogError(`${what}: ${c.detail}`, { code, retryable: c.retryable, cause: err });
}
