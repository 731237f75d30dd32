/*
 * One DynamoDB client with the analyzer's bounds, shared by the files that keep iteration items
 * (the checkpoint store and the email claim store) so both bound and retry their calls alike:
 *
 *   retrying(send) ── retryWithBackoff (core) ── attempt ── bounded(send) ── client.send
 *        │  transient failures (or throttling only)         │ request timeout, answer read included
 *        └─ within the retry budget, ended by the signal ───┘ ended by the signal
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
  private readonly signal: AbortSignal | undefined;
  private readonly retryBudgetMs: number;
  private readonly requestTimeoutMs: number;

  constructor(options: DynamoConnectionOptions = {}) {
    this.client = new DynamoDBClient(awsClientConfig(options));
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

  /** Closes the client's sockets. */
  close(): void {
    this.client.destroy();
  }
}
