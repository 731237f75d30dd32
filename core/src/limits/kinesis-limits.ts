/**
 * Hard limits of Amazon Kinesis Data Streams. Everything that sizes a batch, a record, a key or
 * a read pace refers to these names, never to a bare number.
 *
 * @example
 * ```ts
 * if (batch.length === KinesisLimits.MAX_RECORDS_PER_REQUEST) send(batch);
 * ```
 */
export const KinesisLimits = {
  /** PutRecords: entries per request. */
  MAX_RECORDS_PER_REQUEST: 500,
  /** PutRecords: data plus partition keys per request. */
  MAX_REQUEST_BYTES: 5 * 1024 * 1024,
  /** One record: data plus partition key (the stream default `MaxRecordSizeInKiB` of 1024). */
  MAX_RECORD_BYTES: 1024 * 1024,
  /** Partition key length in Unicode characters. */
  MIN_PARTITION_KEY_CHARS: 1,
  MAX_PARTITION_KEY_CHARS: 256,
  /** Per shard write limits. */
  SHARD_WRITE_BYTES_PER_SECOND: 1024 * 1024,
  SHARD_WRITE_RECORDS_PER_SECOND: 1000,
  /** Per shard read limits. */
  SHARD_READ_CALLS_PER_SECOND: 5,
  SHARD_READ_BYTES_PER_SECOND: 2 * 1024 * 1024,
  MAX_RECORDS_PER_GET: 10_000,
  MAX_BYTES_PER_GET: 10 * 1024 * 1024,
  GET_SHARD_ITERATOR_CALLS_PER_SECOND: 5,
  /** Shard iterators expire after this long: store sequence numbers, never iterators. */
  SHARD_ITERATOR_TTL_MS: 5 * 60 * 1000,
} as const;

/** Per-entry error codes PutRecords may answer with; only these entries are retried. */
export const PutRecordsEntryErrors = {
  THROUGHPUT: 'ProvisionedThroughputExceededException',
  INTERNAL: 'InternalFailure',
} as const;
export type PutRecordsEntryError =
  (typeof PutRecordsEntryErrors)[keyof typeof PutRecordsEntryErrors];
