/**
 * A KPL aggregate whose user records all share one partition key and one explicit hash key:
 * for records whose keys are the sink's own (random), placed on a shard by the sink. Nothing is
 * hashed or looked up per record, and a reader that checks each user record's shard (the KCL,
 * kinlog analyze) finds every one where its aggregate landed, whatever the shard map.
 *
 *   F3 89 9A C2 │ 1: [key]  2: [explicit hash key]  3: { 1: 0, 2: 0, 3: data } … │ MD5, 16 bytes
 */
import { createHash } from 'node:crypto';
import { KplAggregateFormat, lengthDelimitedSize, ProtobufWriter } from '@kinlog/core';

const FIELD_EXPLICIT_HASH_KEY_TABLE = 2;
const RECORD_FIELD_EXPLICIT_HASH_KEY_INDEX = 2;
const FRAMING_BYTES = KplAggregateFormat.MAGIC.length + KplAggregateFormat.DIGEST_BYTES;
/** A record's two index fields: tag and a one-byte varint 0, each. */
const RECORD_INDEX_BYTES = 4;

/**
 * Collects user records under one partition key and explicit hash key, keeping its exact
 * encoded size.
 *
 * @example
 * ```ts
 * const agg = new OneKeyAggregate('k', '85070591730234615865843651857942052864');
 * agg.add(Buffer.from('line 1'));
 * const record = agg.build(); // send with PartitionKey 'k' and that ExplicitHashKey
 * ```
 */
export class OneKeyAggregate {
  private readonly key: Buffer;
  private readonly hashKey: Buffer;
  private readonly records: Uint8Array[] = [];
  private bodyBytes: number;

  constructor(
    readonly partitionKey: string,
    readonly explicitHashKey: string,
  ) {
    this.key = Buffer.from(partitionKey, 'utf8');
    this.hashKey = Buffer.from(explicitHashKey, 'latin1');
    this.bodyBytes =
      lengthDelimitedSize(this.key.length) + lengthDelimitedSize(this.hashKey.length);
  }

  /** Encoded size of an aggregate of one user record of `dataBytes` under these keys. */
  static loneSize(
    partitionKeyBytes: number,
    explicitHashKeyBytes: number,
    dataBytes: number,
  ): number {
    return (
      FRAMING_BYTES +
      lengthDelimitedSize(partitionKeyBytes) +
      lengthDelimitedSize(explicitHashKeyBytes) +
      recordBytes(dataBytes)
    );
  }

  get count(): number {
    return this.records.length;
  }

  /** Encoded size as it stands, framing included. */
  get size(): number {
    return FRAMING_BYTES + this.bodyBytes;
  }

  /** Encoded size if a record of `dataBytes` were added. */
  sizeWith(dataBytes: number): number {
    return this.size + recordBytes(dataBytes);
  }

  add(data: Uint8Array): void {
    this.records.push(data);
    this.bodyBytes += recordBytes(data.length);
  }

  /** Encodes magic, protobuf and digest. */
  build(): Buffer {
    const out = Buffer.allocUnsafe(this.size);
    out.set(KplAggregateFormat.MAGIC, 0);
    const start = KplAggregateFormat.MAGIC.length;
    const body = out.subarray(start, start + this.bodyBytes);
    const w = new ProtobufWriter(body);
    w.bytesField(KplAggregateFormat.FIELD_PARTITION_KEY_TABLE, this.key);
    w.bytesField(FIELD_EXPLICIT_HASH_KEY_TABLE, this.hashKey);
    for (const data of this.records) {
      w.lengthPrefix(
        KplAggregateFormat.FIELD_RECORDS,
        RECORD_INDEX_BYTES + lengthDelimitedSize(data.length),
      );
      w.varintField(KplAggregateFormat.RECORD_FIELD_PARTITION_KEY_INDEX, 0);
      w.varintField(RECORD_FIELD_EXPLICIT_HASH_KEY_INDEX, 0);
      w.bytesField(KplAggregateFormat.RECORD_FIELD_DATA, data);
    }
    createHash('md5')
      .update(body)
      .digest()
      .copy(out, start + this.bodyBytes);
    return out;
  }
}

/** Bytes one user record of `dataBytes` adds: its length-delimited Record field. */
function recordBytes(dataBytes: number): number {
  return lengthDelimitedSize(RECORD_INDEX_BYTES + lengthDelimitedSize(dataBytes));
}
