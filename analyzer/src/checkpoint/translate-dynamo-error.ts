import { AwsErrorKinds, classifyAwsError } from '@kinlog/core';
import { AnalyzerError, CheckpointStoreError, TableMissingError } from '../errors.js';

/**
 * The analyzer's reading of a failed DynamoDB call, by core's classifier: a missing table is
 * {@link TableMissingError}, an abort is passed on as it came, anything else a {@link CheckpointStoreError} that is retryable
 * when the classifier says so (throttling, 5xx, network, timeouts).
 *
 * @example
 * ```ts
 * catch (err) { throw translateDynamoError(err, 'claim email on kinlog-iterations', table); }
 * ```
 */
export function translateDynamoError(err: unknown, what: string, table: string): Error {
  if (err instanceof AnalyzerError) return err;
  const c = classifyAwsError(err);
  if (c.kind === AwsErrorKinds.notFound) return new TableMissingError(table, err);
  // A stop asked for (SIGTERM): the reason as it was given, not a store failure.
  if (c.kind === AwsErrorKinds.aborted && err instanceof Error) return err;
  return new CheckpointStoreError(`${what} failed: ${c.detail}`, c.retryable, err);
}
