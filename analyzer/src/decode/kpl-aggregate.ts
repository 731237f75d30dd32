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
import { ProtobufFormatError, ProtobufReader, WireTypes } from './protobuf-reader.js';

/** The KPL aggregation format's fixed parts. */
export const KplFormat = {
  MAGIC: Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2),
  DIGEST_BYTES: 16,
  FIELD_PARTITION_KEY_TABLE: 1,
  FIELD_EXPLICIT_HASH_KEY_TABLE: 2,
  FIELD_RECORDS: 3,
  RECORD_FIELD_PARTITION_KEY_INDEX: 1,
  RECORD_FIELD_EXPLICIT_HASH_KEY_INDEX: 2,
  RECORD_FIELD_DATA: 3,
} as const;

/** One user record inside an aggregated Kinesis record. */
export interface KplUserRecord {
  readonly partitionKey: string | undefined;
  /** Decimal 128-bit hash key that routed the record instead of its partition key, if set. */
  readonly explicitHashKey: string | undefined;
  readonly data: Uint8Array;
}

/**
 * Whether a payload starts with the KPL magic bytes.
 *
 * @example
 * ```ts
 * isKplAggregate(Buffer.from([0xf3, 0x89, 0x9a, 0xc2, 0])); // true
 * ```
 */
export function isKplAggregate(payload: Uint8Array): boolean {
  const magic = KplFormat.MAGIC;
  if (payload.length < magic.length + KplFormat.DIGEST_BYTES) return false;
  for (let i = 0; i < magic.length; i++) if (payload[i] !== magic[i]) return false;
  return true;
}

/**
 * Splits a KPL aggregated record into its user records, after checking its MD5.
 *
 * @throws {ProtobufFormatError} when the digest does not match or the protobuf is malformed.
 * @example
 * ```ts
 * for (const user of deaggregate(record.Data)) handle(user.data);
 * ```
 */
export function deaggregate(payload: Uint8Array): KplUserRecord[] {
  const start = KplFormat.MAGIC.length;
  const end = payload.length - KplFormat.DIGEST_BYTES;
  const body = payload.subarray(start, end);
  const digest = createHash('md5').update(body).digest();
  if (!digest.equals(payload.subarray(end))) throw new ProtobufFormatError('MD5 mismatch');

  const partitionKeys: string[] = [];
  const hashKeys: string[] = [];
  const records: ReturnType<typeof readRecord>[] = [];
  const reader = new ProtobufReader(body);
  const decoder = new TextDecoder();
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === KplFormat.FIELD_PARTITION_KEY_TABLE && wireType === WireTypes.LENGTH_DELIMITED) {
      partitionKeys.push(decoder.decode(reader.bytesField()));
    } else if (
      field === KplFormat.FIELD_EXPLICIT_HASH_KEY_TABLE &&
      wireType === WireTypes.LENGTH_DELIMITED
    ) {
      hashKeys.push(decoder.decode(reader.bytesField()));
    } else if (field === KplFormat.FIELD_RECORDS && wireType === WireTypes.LENGTH_DELIMITED) {
      records.push(readRecord(reader.bytesField()));
    } else {
      reader.skip(wireType);
    }
  }
  return records.map((r) => ({
    partitionKey: r.keyIndex === undefined ? undefined : partitionKeys[r.keyIndex],
    explicitHashKey: r.hashKeyIndex === undefined ? undefined : hashKeys[r.hashKeyIndex],
    data: r.data,
  }));
}

function readRecord(bytes: Uint8Array): {
  keyIndex: number | undefined;
  hashKeyIndex: number | undefined;
  data: Uint8Array;
} {
  const reader = new ProtobufReader(bytes);
  let keyIndex: number | undefined;
  let hashKeyIndex: number | undefined;
  let data: Uint8Array | undefined;
  while (!reader.done) {
    const { field, wireType } = reader.tag();
    if (field === KplFormat.RECORD_FIELD_PARTITION_KEY_INDEX && wireType === WireTypes.VARINT) {
      keyIndex = reader.varint();
    } else if (
      field === KplFormat.RECORD_FIELD_EXPLICIT_HASH_KEY_INDEX &&
      wireType === WireTypes.VARINT
    ) {
      hashKeyIndex = reader.varint();
    } else if (field === KplFormat.RECORD_FIELD_DATA && wireType === WireTypes.LENGTH_DELIMITED) {
      data = reader.bytesField();
    } else {
      reader.skip(wireType);
    }
  }
  if (data === undefined) throw new ProtobufFormatError('user record without data');
  return { keyIndex, hashKeyIndex, data };
}
