/*
 *   F3 89 9A C2 │ AggregatedRecord (protobuf) │ MD5(protobuf), 16 bytes
 *
 *   AggregatedRecord { 1: repeated string partition_key_table
 *                      2: repeated string explicit_hash_key_table
 *                      3: repeated Record records }
 *   Record { 1: uint64 partition_key_index, 2: uint64 explicit_hash_key_index,
 *            3: bytes data, 4: repeated Tag tags }
 */
import { createHash } from 'node:crypto';
import { lengthDelimitedSize, ProtobufWriter, varintSize } from './protobuf-writer.js';

/** Fixed parts of the KPL aggregated record format. */
export const KplAggregateFormat = {
  MAGIC: Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2),
  DIGEST_BYTES: 16,
  FIELD_PARTITION_KEY_TABLE: 1,
  FIELD_RECORDS: 3,
  RECORD_FIELD_PARTITION_KEY_INDEX: 1,
  RECORD_FIELD_DATA: 3,
} as const;

const FRAMING_BYTES = KplAggregateFormat.MAGIC.length + KplAggregateFormat.DIGEST_BYTES;

/**
 * Collects user records into one KPL aggregated record, keeping its exact encoded size up to
 * date so a producer can stop before a size cap. Partition keys are stored once in a table.
 *
 * @example
 * ```ts
 * const agg = new KplAggregateBuilder();
 * agg.add('user-1', Buffer.from('{"msg":"a"}'));
 * if (agg.sizeWith('user-2', next) > cap) send(agg.build());
 * ```
 */
export class KplAggregateBuilder {
  private readonly keyIndex = new Map<string, number>();
  private readonly keys: Buffer[] = [];
  private readonly records: { keyIndex: number; data: Uint8Array; size: number }[] = [];
  private bodyBytes = 0;

  /** User records added so far. */
  get count(): number {
    return this.records.length;
  }

  /** Encoded size of the aggregate as it stands, framing included. */
  get size(): number {
    return FRAMING_BYTES + this.bodyBytes;
  }

  /** Encoded size if `partitionKey`/`data` were added. */
  sizeWith(partitionKey: string, data: Uint8Array): number {
    return this.size + this.addedBytes(partitionKey, data).total;
  }

  add(partitionKey: string, data: Uint8Array): void {
    const added = this.addedBytes(partitionKey, data);
    let index = this.keyIndex.get(partitionKey);
    if (index === undefined) {
      index = this.keys.length;
      this.keyIndex.set(partitionKey, index);
      this.keys.push(Buffer.from(partitionKey, 'utf8'));
    }
    this.records.push({ keyIndex: index, data, size: added.recordSize });
    this.bodyBytes += added.total;
  }

  /** Encodes magic, protobuf and digest. */
  build(): Buffer {
    const out = Buffer.allocUnsafe(this.size);
    out.set(KplAggregateFormat.MAGIC, 0);
    const body = out.subarray(
      KplAggregateFormat.MAGIC.length,
      KplAggregateFormat.MAGIC.length + this.bodyBytes,
    );
    const w = new ProtobufWriter(body);
    for (const key of this.keys) w.bytesField(KplAggregateFormat.FIELD_PARTITION_KEY_TABLE, key);
    for (const r of this.records) {
      w.lengthPrefix(KplAggregateFormat.FIELD_RECORDS, r.size);
      w.varintField(KplAggregateFormat.RECORD_FIELD_PARTITION_KEY_INDEX, r.keyIndex);
      w.bytesField(KplAggregateFormat.RECORD_FIELD_DATA, r.data);
    }
    createHash('md5')
      .update(body)
      .digest()
      .copy(out, KplAggregateFormat.MAGIC.length + this.bodyBytes);
    return out;
  }

  private addedBytes(
    partitionKey: string,
    data: Uint8Array,
  ): { total: number; recordSize: number } {
    const existing = this.keyIndex.get(partitionKey);
    const index = existing ?? this.keys.length;
    const keyBytes =
      existing === undefined ? lengthDelimitedSize(Buffer.byteLength(partitionKey)) : 0;
    const recordSize = 1 + varintSize(index) + lengthDelimitedSize(data.length);
    return { total: keyBytes + lengthDelimitedSize(recordSize), recordSize };
  }
}
