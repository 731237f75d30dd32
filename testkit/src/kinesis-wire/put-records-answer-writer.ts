/*
 * The PutRecords answer of the null endpoint, written straight into one Buffer: per shard, the
 * bytes of a success entry and of a throttled entry are made once (by the generic encoders, so
 * they are what those would write); an answer copies them in and writes the sequence number's
 * significant digits over the template's zeros. The head, whose FailedRecordCount is known only
 * at the end, goes into room left before the entries:
 *
 *   [ room ........ | head ][ entry, entry, ... ][ tail ]
 *                   ^ answer starts here
 *   JSON head: {"FailedRecordCount":N,"Records":[   tail: ]}   entries joined by ","
 *   CBOR head: A2 71"FailedRecordCount" <uint N> 67"Records" <array head>   (no tail)
 */
import { encodeCborValue } from './aws-cbor.js';
import { AwsErrorTypes, WireProtocols, type WireProtocol } from './aws-json.js';

/**
 * The failed entry of a throttled PutRecords, as Kinesis words it: the message names the shard.
 *
 * @example
 * ```ts
 * throttledEntry('shardId-000000000001').ErrorCode; // 'ProvisionedThroughputExceededException'
 * ```
 */
export function throttledEntry(shardId: string): { ErrorCode: string; ErrorMessage: string } {
  return {
    ErrorCode: AwsErrorTypes.THROUGHPUT,
    ErrorMessage: `Rate exceeded for shard ${shardId} in the null endpoint.`,
  };
}

/**
 * A sequence number's text: `prefix` then `n` zero-padded to `digits` (56 digits in all, as
 * AWS's are).
 *
 * @example
 * ```ts
 * sequenceNumberText('4960', 52, 7); // '4960' + '0'.repeat(51) + '7'
 * ```
 */
export function sequenceNumberText(prefix: string, digits: number, n: number): string {
  return `${prefix}${String(n).padStart(digits, '0')}`;
}

/** The sequence-number layout of {@link PutRecordsAnswerWriter}. */
export interface SequenceLayout {
  readonly prefix: string;
  /** Digits after the prefix (the counter, zero-padded). */
  readonly digits: number;
}

interface Template {
  readonly bytes: Buffer;
  /** For a success entry: where the sequence number's last digit ends. */
  readonly digitsEnd: number;
}

/** Room for the longest head: JSON `{"FailedRecordCount":` + 16 digits + `,"Records":[`. */
const HEAD_ROOM = 64;
const COMMA = 0x2c;
const JSON_TAIL = Buffer.from(']}');
const JSON_HEAD_START = Buffer.from('{"FailedRecordCount":');
const JSON_HEAD_END = Buffer.from(',"Records":[');
const CBOR_MAP_OF_2 = 0xa2;
const CBOR_KEY_FAILED = encodeCborValue('FailedRecordCount');
const CBOR_KEY_RECORDS = encodeCborValue('Records');
const CBOR_UINT = 0;
const CBOR_ARRAY = 4;
const DIGIT_ZERO = 0x30;
/** Digits of the largest counter {@link PutRecordsAnswerWriter.ok} is given (a safe integer). */
const SAFE_INTEGER_DIGITS = String(Number.MAX_SAFE_INTEGER).length;

/**
 * Writes PutRecords answers (`{ FailedRecordCount, Records }`) in JSON or CBOR, the same bytes
 * the generic encoders write for the same values, with no object per entry. One answer at a
 * time: {@link begin}, an {@link ok} or {@link fail} per entry in order, {@link end}.
 *
 * @example
 * ```ts
 * const writer = new PutRecordsAnswerWriter(['shardId-000000000000'], WireProtocols.JSON, layout);
 * writer.begin(2);
 * writer.ok(0, 1);
 * writer.fail(0);
 * res.end(writer.end()); // {"FailedRecordCount":1,"Records":[{"SequenceNumber":…},{"ErrorCode":…}]}
 * ```
 */
export class PutRecordsAnswerWriter {
  private readonly json: boolean;
  private readonly successes: Template[];
  private readonly failures: Buffer[];
  private readonly entryMax: number;
  private out = Buffer.alloc(0);
  private at = 0;
  private entries = 0;
  private written = 0;
  private failed = 0;

  constructor(shardIds: readonly string[], protocol: WireProtocol, layout: SequenceLayout) {
    if (layout.digits < SAFE_INTEGER_DIGITS) {
      throw new RangeError(`a sequence number needs ${SAFE_INTEGER_DIGITS} counter digits`);
    }
    this.json = protocol === WireProtocols.JSON;
    const encode = (value: unknown): Buffer =>
      this.json ? Buffer.from(JSON.stringify(value)) : encodeCborValue(value);
    const zeros = sequenceNumberText(layout.prefix, layout.digits, 0);
    this.successes = shardIds.map((shardId) => {
      const bytes = encode({ SequenceNumber: zeros, ShardId: shardId });
      return { bytes, digitsEnd: bytes.indexOf(zeros) + zeros.length };
    });
    this.failures = shardIds.map((shardId) => encode(throttledEntry(shardId)));
    const longest = (list: readonly Buffer[]): number => Math.max(...list.map((b) => b.length));
    // One more byte per entry for the JSON comma.
    this.entryMax =
      Math.max(longest(this.successes.map((t) => t.bytes)), longest(this.failures)) + 1;
  }

  /** Starts an answer of `entries` entries: a fresh buffer (the last one may still be queued). */
  begin(entries: number): void {
    this.out = Buffer.allocUnsafe(HEAD_ROOM + entries * this.entryMax + JSON_TAIL.length);
    this.at = HEAD_ROOM;
    this.entries = entries;
    this.written = 0;
    this.failed = 0;
  }

  /** A success entry on shard `shard` (an index of the ids given) with sequence number `n`. */
  ok(shard: number, n: number): void {
    const template = this.successes[shard]!;
    this.separate();
    const start = this.at;
    this.out.set(template.bytes, start);
    this.at += template.bytes.length;
    // The template's counter digits are zeros: only the significant ones are written.
    const out = this.out;
    let p = start + template.digitsEnd;
    let rest = n;
    do {
      out[--p] = DIGIT_ZERO + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
  }

  /** A throttled entry on shard `shard` (see {@link throttledEntry}). */
  fail(shard: number): void {
    const bytes = this.failures[shard]!;
    this.separate();
    this.out.set(bytes, this.at);
    this.at += bytes.length;
    this.failed++;
  }

  /** The answer: a view of the buffer {@link begin} made, to send as it is. */
  end(): Buffer {
    if (this.written !== this.entries) {
      throw new RangeError(`the answer was begun for ${this.entries} entries, got ${this.written}`);
    }
    const out = this.out;
    let start: number;
    if (this.json) {
      this.at += JSON_TAIL.copy(out, this.at);
      const count = String(this.failed);
      start = HEAD_ROOM - JSON_HEAD_END.length;
      JSON_HEAD_END.copy(out, start);
      start -= count.length;
      out.write(count, start, 'latin1');
      start -= JSON_HEAD_START.length;
      JSON_HEAD_START.copy(out, start);
    } else {
      start = HEAD_ROOM;
      start = writeHeadBefore(out, start, CBOR_ARRAY, this.entries);
      start -= CBOR_KEY_RECORDS.length;
      CBOR_KEY_RECORDS.copy(out, start);
      start = writeHeadBefore(out, start, CBOR_UINT, this.failed);
      start -= CBOR_KEY_FAILED.length;
      CBOR_KEY_FAILED.copy(out, start);
      out[--start] = CBOR_MAP_OF_2;
    }
    return out.subarray(start, this.at);
  }

  private separate(): void {
    if (this.written === this.entries) {
      throw new RangeError(`the answer was begun for ${this.entries} entries`);
    }
    if (this.json && this.written > 0) this.out[this.at++] = COMMA;
    this.written++;
  }
}

/** Writes a CBOR head (shortest form, as the generic encoder does) ending at `end`; its start. */
function writeHeadBefore(out: Buffer, end: number, major: number, n: number): number {
  const type = major << 5;
  if (n < 24) {
    out[end - 1] = type | n;
    return end - 1;
  }
  if (n < 0x100) {
    out[end - 2] = type | 24;
    out[end - 1] = n;
    return end - 2;
  }
  if (n < 0x10000) {
    out[end - 3] = type | 25;
    out.writeUInt16BE(n, end - 2);
    return end - 3;
  }
  out[end - 5] = type | 26;
  out.writeUInt32BE(n, end - 4);
  return end - 5;
}
