import { createRequire } from 'node:module';

/** One user record as aws-kinesis-agg gives it back (data in base64). */
export interface AggUserRecord {
  partitionKey: string;
  explicitPartitionKey?: string;
  data: string;
}

interface AggModule {
  deaggregateSync(
    record: {
      data: string;
      partitionKey: string;
      sequenceNumber?: string;
      approximateArrivalTimestamp?: number;
      kinesisSchemaVersion?: string;
    },
    computeChecksums: boolean,
    done: (err: Error | null, users?: AggUserRecord[]) => void,
  ): void;
}
const agg = createRequire(import.meta.url)('aws-kinesis-agg') as AggModule;

/**
 * The user records of one Kinesis record, read by the reference KPL library (aws-kinesis-agg)
 * with checksums checked; a record that is not an aggregate comes back as its one record.
 * `sequenceNumber`: the stored record's, for records read back from a stream.
 */
export function deaggregate(
  data: Uint8Array,
  partitionKey: string,
  sequenceNumber?: string,
): AggUserRecord[] {
  const record = {
    data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
    partitionKey,
    ...(sequenceNumber === undefined
      ? {}
      : { sequenceNumber, approximateArrivalTimestamp: 0, kinesisSchemaVersion: '1.0' }),
  };
  let out: AggUserRecord[] = [];
  agg.deaggregateSync(record, true, (err, users) => {
    if (err) throw err;
    out = users ?? [];
  });
  return out;
}
