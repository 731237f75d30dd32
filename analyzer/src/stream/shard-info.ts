/** One shard as ListShards describes it, reduced to what windows need. */
export interface ShardInfo {
  readonly shardId: string;
  /** Parent and adjacent parent (merge), when the shard was born by resharding. */
  readonly parentShardIds: readonly string[];
  /** Set once the shard is closed: no record after it will ever arrive. */
  readonly endingSequenceNumber?: string;
  /** The shard's hash key range (decimal strings), when the service gave it. */
  readonly hashKeyRange?: { readonly startingHashKey: string; readonly endingHashKey: string };
}

/** One Kinesis record as the reader hands it on. */
export interface StreamRecord {
  readonly sequenceNumber: string;
  readonly data: Uint8Array;
  /** Epoch ms; `NaN` when the service gave none. */
  readonly arrivalMs: number;
  /** The key the producer put the record with, when the service gave it. */
  readonly partitionKey?: string | undefined;
}

/** Where a shard iterator starts. */
export type IteratorStart =
  | { readonly type: 'afterSequenceNumber'; readonly sequenceNumber: string }
  | { readonly type: 'trimHorizon' }
  | { readonly type: 'atTimestamp'; readonly timestampMs: number };

/** One GetRecords answer. */
export interface RecordsPage {
  readonly records: readonly StreamRecord[];
  /** Absent once the shard is closed and read to its end. */
  readonly nextIterator: string | undefined;
  readonly millisBehindLatest: number | undefined;
}
