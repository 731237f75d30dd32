/**
 * A KPL aggregate whose user records all share one partition key and one explicit hash key:
 * for records whose keys are the sink's own (random), placed on a shard by the sink. Nothing is
 * hashed or looked up per record, and a reader that checks each user record's shard (the KCL,
 * kinlog analyze) finds every one where its aggregate landed, whatever the shard map.
 *
 *   F3 89 9A C2 │ 1: [key]  2: [explicit hash key]  3: { 1: 0, 2: 0, 3: data } … │ MD5, 16 bytes
 *
 * Each record is encoded into one preallocated buffer as it is added (its bytes copied once,
 * straight from the caller's range), so sealing only hashes the body and appends the digest.
 */
import { hash } from 'node:crypto';
import { KplAggregateFormat, lengthDelimitedSize, ProtobufWriter } from '@kinlog/core';

const FIELD_EXPLICIT_HASH_KEY_TABLE = 2;
const FRAMING_BYTES = KplAggregateFormat.MAGIC.length + KplAggregateFormat.DIGEST_BYTES;
/** A record's two index fields: tag and a one-byte varint 0, each. */
const RECORD_INDEX_BYTES = 4;
/** Tag of a length-delimited field 3 (records, and a record's data). */
const TAG_FIELD_3_BYTES = 0x1a;
/** Partition key index field (1, varint) = 0, then explicit hash key index field (2) = 0. */
const RECORD_INDEX_FIELDS = [0x08, 0x00, 0x10, 0x00] as const;
/** Buffer allocated when no capacity is given; it grows by doubling. */
const DEFAULT_CAPACITY_BYTES = 4096;
/** A sealed aggregate using less than this share of its buffer is copied to its exact size. */
const MIN_USED_SHARE = 0.5;

/**
 * Collects user records under one partition key and explicit hash key, keeping its exact
 * encoded size.
 *
 * @example
 * ```ts
 * const agg = new OneKeyAggregate('k', '85070591730234615865843651857942052864', 50 * 1024);
 * agg.add(Buffer.from('line 1'));
 * const record = agg.build(); // send with PartitionKey 'k' and that ExplicitHashKey
 * ```
 */
export class OneKeyAggregate {
  private buf: Buffer;
  /** Write position: magic plus the body so far. */
  private end: number;
  private records = 0;
  /** Set when the sealed aggregate went out in an exact-size copy of `buf`. */
  private copiedTo: Buffer | undefined;

  /**
   * @param capacityBytes - the buffer to allocate up front: the aggregate's size cap, so a
   *   full aggregate never reallocates
   * @param spare - a buffer to write into instead of allocating one (its contents are
   *   overwritten), used when it holds `capacityBytes`
   */
  constructor(
    readonly partitionKey: string,
    readonly explicitHashKey: string,
    capacityBytes = DEFAULT_CAPACITY_BYTES,
    spare?: Buffer,
  ) {
    const key = Buffer.from(partitionKey, 'utf8');
    const hashKey = Buffer.from(explicitHashKey, 'latin1');
    const head =
      KplAggregateFormat.MAGIC.length +
      lengthDelimitedSize(key.length) +
      lengthDelimitedSize(hashKey.length);
    const capacity = Math.max(capacityBytes, head + FRAMING_BYTES);
    this.buf =
      spare !== undefined && spare.length >= capacity ? spare : Buffer.allocUnsafe(capacity);
    this.buf.set(KplAggregateFormat.MAGIC, 0);
    const w = new ProtobufWriter(this.buf.subarray(KplAggregateFormat.MAGIC.length, head));
    w.bytesField(KplAggregateFormat.FIELD_PARTITION_KEY_TABLE, key);
    w.bytesField(FIELD_EXPLICIT_HASH_KEY_TABLE, hashKey);
    this.end = head;
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
    return this.records;
  }

  /** Encoded size as it stands, framing included. */
  get size(): number {
    return this.end + KplAggregateFormat.DIGEST_BYTES;
  }

  /** Encoded size if a record of `dataBytes` were added. */
  sizeWith(dataBytes: number): number {
    return this.size + recordBytes(dataBytes);
  }

  /**
   * Encodes a record of `data` (copying its bytes) and answers the copy: a view into this
   * aggregate, which the caller may hold instead of its own range.
   */
  add(data: Uint8Array): Buffer {
    const at = this.header(data.length);
    this.buf.set(data, at);
    return this.buf.subarray(at, this.end);
  }

  /**
   * Encodes a record of `src[start, end)` (copying its bytes) without making a view of it:
   * the way in for lines put as runs, straight from the read buffer.
   */
  addRange(src: Buffer, start: number, end: number): void {
    // Buffer#copy takes a range: no view object per record. The header first: it may grow buf.
    const at = this.header(end - start);
    src.copy(this.buf, at, start, end);
  }

  /**
   * Encodes records of `src[starts[i], ends[i])` for i in `[from, to)`, in order: the same
   * bytes as {@link addRange} of each, but with one copy of the lines' block rather than one
   * call per line. The block is copied so that the first line lands in its place; each later
   * line lands before its place (a Record header is longer than the gap between two lines) and
   * is moved forward, the last first, with its header written in front of it. A gap longer
   * than the headers before it starts a new block.
   */
  addRanges(
    src: Buffer,
    starts: ArrayLike<number>,
    ends: ArrayLike<number>,
    from: number,
    to: number,
  ): void {
    let i = from;
    while (i < to) i = this.addBlock(src, starts, ends, i, to);
  }

  /** Encodes lines `[from, j)` from one block copy, for the longest such j; answers j. */
  private addBlock(
    src: Buffer,
    starts: ArrayLike<number>,
    ends: ArrayLike<number>,
    from: number,
    to: number,
  ): number {
    let size = 0;
    // How far past where the block puts it a line's place is: never negative in a block.
    let ahead = 0;
    let j = from;
    for (; j < to; j++) {
      const n = ends[j]! - starts[j]!;
      const header = recordHeaderBytes(n);
      if (j > from) {
        const gap = starts[j]! - ends[j - 1]!;
        ahead += header - gap;
        // Lines out of order, or too far apart: the next block starts here.
        if (gap < 0 || ahead < 0) break;
      }
      size += header + n;
    }
    const need = this.end + size + KplAggregateFormat.DIGEST_BYTES;
    if (need > this.buf.length) this.grow(need);
    const b = this.buf;
    const first = starts[from]!;
    const base = this.end + recordHeaderBytes(ends[from]! - first);
    src.copy(b, base, first, ends[j - 1]);
    let cursor = this.end + size;
    for (let k = j - 1; k >= from; k--) {
      const n = ends[k]! - starts[k]!;
      const dataAt = cursor - n;
      const at = base + starts[k]! - first;
      if (dataAt !== at) b.copyWithin(dataAt, at, at + n);
      cursor = dataAt - recordHeaderBytes(n);
      writeRecordHeader(b, cursor, n);
    }
    this.end += size;
    this.records += j - from;
    return j;
  }

  /**
   * Where the next record's encoding starts: with {@link viewSince}, the encoded Records of a
   * run of records added in a row.
   */
  get position(): number {
    return this.end;
  }

  /** The encoded Records added since `position` was `from` (a view into this aggregate). */
  viewSince(from: number): Buffer {
    return this.buf.subarray(from, this.end);
  }

  /**
   * Encodes one Record field's header for `n` data bytes and counts the record; answers where
   * its data goes (the caller copies it there).
   */
  private header(n: number): number {
    const need = this.end + recordBytes(n) + KplAggregateFormat.DIGEST_BYTES;
    if (need > this.buf.length) this.grow(need);
    const o = writeRecordHeader(this.buf, this.end, n);
    this.end = o + n;
    this.records++;
    return o;
  }

  /** Encodes magic, protobuf and digest (the aggregate takes no more records after this). */
  build(): Buffer {
    const start = KplAggregateFormat.MAGIC.length;
    const end = this.end;
    // One call, no Hash object: the digest is most of what sealing costs (MD5 of every byte).
    hash('md5', this.buf.subarray(start, end), 'buffer').copy(this.buf, end);
    const size = end + KplAggregateFormat.DIGEST_BYTES;
    if (size === this.buf.length) return this.buf;
    // A small aggregate (sealed when due) should not hold a whole capacity's buffer.
    if (size < this.buf.length * MIN_USED_SHARE) {
      this.copiedTo = Buffer.from(this.buf.subarray(0, size));
      return this.copiedTo;
    }
    return this.buf.subarray(0, size);
  }

  /**
   * The whole buffer records are written into. After {@link build}, it is free for reuse
   * (`spare`) once neither the built aggregate nor a view of it is used any more: at once when
   * {@link build} answered a copy, else after the aggregate was sent and acknowledged.
   */
  get buffer(): Buffer {
    return this.buf;
  }

  /** After {@link build}: whether it answered an exact-size copy, not a view of {@link buffer}. */
  get copied(): boolean {
    return this.copiedTo !== undefined;
  }

  /**
   * After {@link build}: the same bytes as `view` (a view {@link add} answered) inside the
   * buffer the aggregate went out in, so that a record held after sealing does not keep a
   * larger buffer alive.
   */
  sealedView(view: Buffer): Buffer {
    const to = this.copiedTo;
    if (to === undefined) return view;
    const at = view.byteOffset - this.buf.byteOffset;
    return to.subarray(at, at + view.length);
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.end);
    this.buf = next;
  }
}

/**
 * Bytes one user record of `dataBytes` adds: its length-delimited Record field.
 *
 * @example
 * ```ts
 * recordBytes(100); // 1 tag + 1 length + 4 index bytes + 1 tag + 1 length + 100
 * ```
 */
export function recordBytes(dataBytes: number): number {
  return recordHeaderBytes(dataBytes) + dataBytes;
}

/**
 * Writes at `o` the header of one Record field for `n` data bytes (its tag and length, the
 * partition key and explicit hash key indexes, the data's tag and length); answers where the
 * data goes. Takes {@link recordHeaderBytes} bytes.
 */
function writeRecordHeader(b: Buffer, o: number, n: number): number {
  b[o++] = TAG_FIELD_3_BYTES;
  o = writeVarint(b, o, RECORD_INDEX_BYTES + lengthDelimitedSize(n));
  b[o++] = RECORD_INDEX_FIELDS[0];
  b[o++] = RECORD_INDEX_FIELDS[1];
  b[o++] = RECORD_INDEX_FIELDS[2];
  b[o++] = RECORD_INDEX_FIELDS[3];
  b[o++] = TAG_FIELD_3_BYTES;
  return writeVarint(b, o, n);
}

/** Bytes of a Record field before its data: tag, length, index fields, data tag and length. */
function recordHeaderBytes(dataBytes: number): number {
  const body = RECORD_INDEX_BYTES + 1 + varintBytes(dataBytes) + dataBytes;
  return 1 + varintBytes(body) + RECORD_INDEX_BYTES + 1 + varintBytes(dataBytes);
}

/** Bytes of a varint (values below 2^35: a record is at most a few MiB). */
function varintBytes(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  return value < 0x10000000 ? 4 : 5;
}

/** Writes `value` as a protobuf varint at `offset`; answers the offset after it. */
function writeVarint(buf: Buffer, offset: number, value: number): number {
  let o = offset;
  let v = value;
  while (v >= 0x80) {
    buf[o++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[o++] = v;
  return o;
}
