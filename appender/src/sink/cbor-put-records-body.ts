/*
 * The body of a Kinesis PutRecords request in CBOR (`application/x-amz-cbor-1.1`, as the AWS SDK
 * for Java and the KPL send it): the same members as the JSON body, but `Data` is a byte string,
 * so each record's bytes are copied as they are, with no base64 text and no string per record:
 *
 *   A2                                   map of 2
 *     6A "StreamName"  <tstr name>
 *     67 "Records"     <array head n>    n = records, runs counted record by record
 *       A2 | A3                          map of 2 (3 with ExplicitHashKey)
 *         64 "Data"            <bstr head len> <len raw bytes>
 *         6C "PartitionKey"    <tstr head len> <utf-8 key>
 *         6F "ExplicitHashKey" <tstr head len> <decimal digits>
 *
 * Every length is definite (RFC 8949 §3: a head is one byte below 24, else 1, 2, 4 or 8 more).
 */
import type { BodyPool } from './body-pool.js';
import type { PlainRun } from './held-record.js';
import type { PutRecordsBodyEntry } from './put-records-body.js';

const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAJOR_MAP = 5;
/** Largest length that fits the initial byte itself. */
const HEAD_INLINE_MAX = 23;
const HEAD_ONE_BYTE = 24;
const HEAD_TWO_BYTES = 25;
const HEAD_FOUR_BYTES = 26;
const ONE_BYTE_MAX = 0xff;
const TWO_BYTES_MAX = 0xffff;

/** Text-string heads and names of the member keys, as written. */
const KEY_STREAM_NAME = cborText('StreamName');
const KEY_RECORDS = cborText('Records');
const KEY_DATA = cborText('Data');
const KEY_PARTITION_KEY = cborText('PartitionKey');
const KEY_EXPLICIT_HASH_KEY = cborText('ExplicitHashKey');
const MAP_OF_2 = (MAJOR_MAP << 5) | 2;
const MAP_OF_3 = (MAJOR_MAP << 5) | 3;

/** A text string with its head, as bytes (for member names written often). */
function cborText(text: string): Buffer {
  const utf8 = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(headBytes(utf8.length) + utf8.length);
  utf8.copy(out, writeHead(out, 0, MAJOR_TEXT, utf8.length));
  return out;
}

/** Bytes of the head of an item of length (or count) `n`. */
function headBytes(n: number): number {
  if (n <= HEAD_INLINE_MAX) return 1;
  if (n <= ONE_BYTE_MAX) return 2;
  return n <= TWO_BYTES_MAX ? 3 : 5;
}

/** Writes the head of an item of major type `major` and length `n` at `at`; answers the end. */
function writeHead(body: Buffer, at: number, major: number, n: number): number {
  const type = major << 5;
  if (n <= HEAD_INLINE_MAX) {
    body[at] = type | n;
    return at + 1;
  }
  if (n <= ONE_BYTE_MAX) {
    body[at] = type | HEAD_ONE_BYTE;
    body[at + 1] = n;
    return at + 2;
  }
  if (n <= TWO_BYTES_MAX) {
    body[at] = type | HEAD_TWO_BYTES;
    body[at + 1] = n >>> 8;
    body[at + 2] = n & 0xff;
    return at + 3;
  }
  body[at] = type | HEAD_FOUR_BYTES;
  body.writeUInt32BE(n, at + 1);
  return at + 5;
}

/** Copies a short constant (a member name) at `at`; answers the end. */
function writeConstant(body: Buffer, at: number, bytes: Buffer): number {
  for (let i = 0; i < bytes.length; i++) body[at + i] = bytes[i]!;
  return at + bytes.length;
}

/**
 * The CBOR body of a Kinesis `PutRecords` request for `entries`, written straight into one
 * buffer of the exact size (taken from `pool` when given: give it back once its request is
 * over). Means what {@link putRecordsBody} means for the same entries, with `Data` as raw bytes:
 * a run of plain records is written record by record from its block, keys from their numbers.
 *
 * @example
 * ```ts
 * cborPutRecordsBody('logs', [{ data: Buffer.from('hi'), partitionKey: 'a' }]).toString('hex');
 * // 'a26a53747265616d4e616d65646c6f6773675265636f72647381a264446174614268696c…'
 * ```
 */
export function cborPutRecordsBody(
  streamName: string,
  entries: readonly PutRecordsBodyEntry[],
  pool?: BodyPool,
): Buffer {
  const streamNameBytes = Buffer.byteLength(streamName, 'utf8');
  // Keys of callers are any text: their UTF-8 length once, here; run keys are ASCII.
  const keyBytes = new Array<number>(entries.length);
  let records = 0;
  let size = 1 + KEY_STREAM_NAME.length + headBytes(streamNameBytes) + streamNameBytes;
  size += KEY_RECORDS.length;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const run = entry.run;
    if (run !== undefined) {
      size += runSize(run);
      records += run.to - run.from;
      keyBytes[i] = 0;
      continue;
    }
    records++;
    const dataBytes = entry.data.byteLength;
    const key = Buffer.byteLength(entry.partitionKey, 'utf8');
    keyBytes[i] = key;
    size += 1 + KEY_DATA.length + headBytes(dataBytes) + dataBytes;
    size += KEY_PARTITION_KEY.length + headBytes(key) + key;
    const ehk = entry.explicitHashKey;
    // Digits only (a bigint's decimal text), one byte each.
    if (ehk !== undefined)
      size += KEY_EXPLICIT_HASH_KEY.length + headBytes(ehk.length) + ehk.length;
  }
  size += headBytes(records);
  const body = pool === undefined ? Buffer.allocUnsafe(size) : pool.take(size);
  body[0] = MAP_OF_2;
  let at = writeConstant(body, 1, KEY_STREAM_NAME);
  at = writeHead(body, at, MAJOR_TEXT, streamNameBytes);
  at += body.write(streamName, at, 'utf8');
  at = writeConstant(body, at, KEY_RECORDS);
  at = writeHead(body, at, MAJOR_ARRAY, records);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry.run !== undefined) {
      at = writeRun(body, at, entry.run);
      continue;
    }
    const { data, explicitHashKey: ehk } = entry;
    body[at++] = ehk === undefined ? MAP_OF_2 : MAP_OF_3;
    at = writeConstant(body, at, KEY_DATA);
    at = writeHead(body, at, MAJOR_BYTES, data.byteLength);
    body.set(data, at);
    at += data.byteLength;
    at = writeConstant(body, at, KEY_PARTITION_KEY);
    at = writeHead(body, at, MAJOR_TEXT, keyBytes[i]!);
    at += body.write(entry.partitionKey, at, 'utf8');
    if (ehk !== undefined) {
      at = writeConstant(body, at, KEY_EXPLICIT_HASH_KEY);
      at = writeHead(body, at, MAJOR_TEXT, ehk.length);
      at += body.write(ehk, at, 'latin1');
    }
  }
  // Sizes are computed exactly; a mismatch would send garbage, so it is a bug to report.
  if (at !== size) throw new RangeError(`PutRecords CBOR body: wrote ${at} bytes of ${size}`);
  return body;
}

/** Body bytes of the records of a run (keys are plain ASCII, one byte a character). */
function runSize(run: PlainRun): number {
  const { starts, ends, keys, firstKey } = run;
  const fixed = 1 + KEY_DATA.length + KEY_PARTITION_KEY.length;
  let size = 0;
  for (let i = run.from; i < run.to; i++) {
    const data = ends[i]! - starts[i]!;
    const key = keys.keyBytesAt(firstKey + i);
    size += fixed + headBytes(data) + data + headBytes(key) + key;
  }
  return size;
}

/**
 * Writes the records of a run: each one's bytes copied from the block, its key written from its
 * number (the keys' prefix, then the number in base 36), no string made; answers the end.
 */
function writeRun(body: Buffer, at: number, run: PlainRun): number {
  const { block, starts, ends, keys, firstKey } = run;
  let o = at;
  for (let i = run.from; i < run.to; i++) {
    const from = starts[i]!;
    const to = ends[i]!;
    body[o++] = MAP_OF_2;
    o = writeConstant(body, o, KEY_DATA);
    o = writeHead(body, o, MAJOR_BYTES, to - from);
    o += block.copy(body, o, from, to);
    o = writeConstant(body, o, KEY_PARTITION_KEY);
    const n = firstKey + i;
    o = writeHead(body, o, MAJOR_TEXT, keys.keyBytesAt(n));
    o = keys.writeKeyAt(n, body, o);
  }
  return o;
}
