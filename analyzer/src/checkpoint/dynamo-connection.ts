/*
 * One DynamoDB client with the analyzer's bounds, shared by the files that keep iteration items
 * (the checkpoint store and the email claim store) so both bound and retry their calls alike:
 *
 *   retrying(send) ── retryWithBackoff (core) ── attempt ── bounded(send) ── client.send
 *        │  transient failures (or throttling only)         │ request timeout, answer read included
 *        └─ within the retry budget, ended by the signal ───┘ ended by the signal
 *   boundedWhileStopping(send): a hand-back at stop (the signal has fired), bounded by STOP_CALL_MS
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AwsClientDefaults,
  AwsErrorKinds,
  awsClientConfig,
  classifyAwsError,
  retryBudgetMs,
  retryWithBackoff,
  withRequestDeadline,
  type AwsConnectionOptions,
} from '@kinlog/core';
import { AnalyzerError } from '../errors.js';

/** How the analyzer's DynamoDB calls are retried. */
export const DynamoRetryDefaults = {
  MAX_ATTEMPTS: 4,
  RETRY_BASE_MS: 100,
  RETRY_MAX_MS: 2_000,
  /**
   * Bound of a call made while stopping (a lease or hold handed back once the signal fired):
   * short, so a stopped command never waits long on DynamoDB, yet enough for a local answer.
   */
  STOP_CALL_MS: 2_000,
} as const;

/** Which failures a call is retried on. */
export const RetryOn = {
  /** Any transient failure (throttling, 5xx, timeouts, lost connections): idempotent calls. */
  transient: 'transient',
  /**
   * Only an outright throttling refusal: conditional writes, which after a timeout or a lost
   * answer may have happened, and whose retry would read its own write as someone else's.
   */
  throttled: 'throttled',
} as const;
export type RetryOn = (typeof RetryOn)[keyof typeof RetryOn];

/** Options of {@link DynamoConnection}. */
export interface DynamoConnectionOptions extends AwsConnectionOptions {
  /** Ends every call and retry wait at once (a command stopped by a signal). */
  readonly signal?: AbortSignal;
  /** A ready-made client (shared, or in tests); its owner destroys it, {@link close} does not. */
  readonly client?: DynamoDBClient;
}

/**
 * A DynamoDB client whose calls end in time and retry within one budget.
 *
 * @example
 * ```ts
 * const dynamo = new DynamoConnection({ endpoint: 'http://127.0.0.1:8000' });
 * const out = await dynamo.retrying(() =>
 *   dynamo.bounded((o) => dynamo.client.send(new GetItemCommand(input), o)),
 * );
 * ```
 */
export class DynamoConnection {
  readonly client: DynamoDBClient;
  readonly signal: AbortSignal | undefined;
  private readonly ownsClient: boolean;
  private readonly retryBudgetMs: number;
  private readonly requestTimeoutMs: number;

  constructor(options: DynamoConnectionOptions = {}) {
    this.client = options.client ?? new DynamoDBClient(awsClientConfig(options));
    this.ownsClient = options.client === undefined;
    this.signal = options.signal;
    this.retryBudgetMs = retryBudgetMs(options.requestTimeoutMs);
    this.requestTimeoutMs = options.requestTimeoutMs ?? AwsClientDefaults.REQUEST_TIMEOUT_MS;
  }

  /** One SDK call, bounded by the request timeout (answer read included) and ended by the signal. */
  bounded<T>(send: (options: { abortSignal: AbortSignal }) => Promise<T>): Promise<T> {
    return withRequestDeadline(this.requestTimeoutMs, this.signal, (abortSignal) =>
      send({ abortSignal }),
    );
  }

  /**
   * One SDK call made while stopping (handing a lease or hold back): not ended by the signal,
   * which has fired already, but bounded by {@link DynamoRetryDefaults.STOP_CALL_MS}.
   */
  boundedWhileStopping<T>(send: (options: { abortSignal: AbortSignal }) => Promise<T>): Promise<T> {
    const ms = Math.min(this.requestTimeoutMs, DynamoRetryDefaults.STOP_CALL_MS);
    return withRequestDeadline(ms, undefined, (abortSignal) => send({ abortSignal }));
  }

  /** Runs `send`, retrying the failures `retryOn` names with core's backoff; our own errors never. */
  retrying<T>(send: () => Promise<T>, retryOn: RetryOn = RetryOn.transient): Promise<T> {
    return retryWithBackoff(send, {
      maxAttempts: DynamoRetryDefaults.MAX_ATTEMPTS,
      baseMs: DynamoRetryDefaults.RETRY_BASE_MS,
      maxMs: DynamoRetryDefaults.RETRY_MAX_MS,
      maxElapsedMs: this.retryBudgetMs,
      signal: this.signal,
      shouldRetry: (err) => {
        if (err instanceof AnalyzerError) return false;
        const c = classifyAwsError(err);
        return retryOn === RetryOn.throttled ? c.kind === AwsErrorKinds.throttled : c.retryable;
      },
    });
  }

  /** Closes the client's sockets (unless the client was given). */
  close(): void {
    if (this.ownsClient) this.client.destroy();
  }
}
