import type { BodyPool } from './body-pool.js';
import type { PlainRun } from './held-record.js';

/** What {@link putRecordsBody} needs of each entry. */
export interface PutRecordsBodyEntry {
  readonly data: Uint8Array;
  readonly partitionKey: string;
  /** A decimal 128-bit hash key that routes the record instead of MD5(partitionKey). */
  readonly explicitHashKey?: string | undefined;
  /**
   * Set for a run of plain records (see plain-run.ts): the entry stands for each of them, in
   * order, written straight from the run's block, each with its own key.
   */
  readonly run?: PlainRun | undefined;
}

const HEAD_STREAM = '{"StreamName":';
const HEAD_RECORDS = ',"Records":[';
const ENTRY_DATA = '{"Data":"';
const ENTRY_KEY = '","PartitionKey":';
const ENTRY_HASH_KEY = ',"ExplicitHashKey":"';
const QUOTE = 0x22;
const TAIL = ']}';
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;
/** Bytes of an entry besides its base64 data and its JSON-quoted key: `{"Data":"` `","PartitionKey":` `}`. */
/** Around a key of the sink's own (plain ASCII, no escapes) in a run. */
const KEY_OPEN = ENTRY_KEY + '"';
const KEY_CLOSE = '"}';
const RUN_GLUE = KEY_CLOSE + ',' + ENTRY_DATA;
/** Characters of a run's text joined before one write (see writeRun). */
const RUN_TEXT_CHARS = 16_384;
const ENTRY_OVERHEAD_BYTES = ENTRY_DATA.length + ENTRY_KEY.length + 1;
/**
 * Data bytes base64-encoded per string (a multiple of 3, so no padding inside): a 64 KiB string
 * dies young, where the text of a whole 1 MiB aggregate would be allocated in the old
 * generation and be marked and swept there.
 */
export const BASE64_CHUNK_BYTES = 3 * 16_384;

/** Length of the base64 text of `n` bytes (padded). */
function base64Length(n: number): number {
  return 4 * Math.ceil(n / 3);
}

/**
 * The JSON body of a Kinesis `PutRecords` request (awsJson 1.1: `Data` as base64), written
 * straight into one buffer of the exact size: Node's native base64 for each record, no
 * intermediate request object. Equal, as JSON, to what the AWS SDK serializes for the same
 * input (a test holds it to that). With a `pool`, the body is written into a buffer taken from
 * it (give it back once its request is over).
 *
 * @example
 * ```ts
 * putRecordsBody('logs', [{ data: Buffer.from('{"msg":"hi"}'), partitionKey: 'a' }]).toString();
 * // '{"StreamName":"logs","Records":[{"Data":"eyJtc2ciOiJoaSJ9","PartitionKey":"a"}]}'
 * ```
 */
export function putRecordsBody(
  streamName: string,
  entries: readonly PutRecordsBodyEntry[],
  pool?: BodyPool,
): Buffer {
  const head = HEAD_STREAM + JSON.stringify(streamName) + HEAD_RECORDS;
  const keys = entries.map((e) => (e.run === undefined ? JSON.stringify(e.partitionKey) : ''));
  let records = 0;
  let size = Buffer.byteLength(head) + TAIL.length;
  for (let i = 0; i < entries.length; i++) {
    const run = entries[i]!.run;
    if (run !== undefined) {
      size += runSize(run);
      records += run.to - run.from;
      continue;
    }
    records++;
    size += ENTRY_OVERHEAD_BYTES + base64Length(entries[i]!.data.byteLength);
    size += Buffer.byteLength(keys[i]!);
    const ehk = entries[i]!.explicitHashKey;
    // Digits only (validated by the caller's type: a bigint's decimal text), one byte each.
    if (ehk !== undefined) size += ENTRY_HASH_KEY.length + ehk.length + 1;
  }
  size += Math.max(0, records - 1);
  const body = pool === undefined ? Buffer.allocUnsafe(size) : pool.take(size);
  let at = body.write(head, 0, 'utf8');
  const recordsAt = at;
  for (let i = 0; i < entries.length; i++) {
    const { data, run } = entries[i]!;
    if (run !== undefined) {
      if (run.to === run.from) continue;
      if (at > recordsAt) body[at++] = COMMA;
      at = writeRun(body, at, run);
      continue;
    }
    if (at > recordsAt) body[at++] = COMMA;
    at += body.write(ENTRY_DATA, at, 'latin1');
    const bytes = Buffer.isBuffer(data)
      ? data
      : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    at = writeBase64(body, at, bytes, 0, bytes.length);
    at += body.write(ENTRY_KEY, at, 'latin1');
    at += body.write(keys[i]!, at, 'utf8');
    const ehk = entries[i]!.explicitHashKey;
    if (ehk !== undefined) {
      at += body.write(ENTRY_HASH_KEY, at, 'latin1');
      at += body.write(ehk, at, 'latin1');
      body[at++] = QUOTE;
    }
    body[at++] = CLOSE_BRACE;
  }
  at += body.write(TAIL, at, 'latin1');
  // Sizes are computed exactly; a mismatch would send garbage, so it is a bug to report.
  if (at !== size) throw new RangeError(`PutRecords body: wrote ${at} bytes of ${size}`);
  return body;
}

/** Body bytes of the records of a run, commas between them aside (keys are plain ASCII). */
function runSize(run: PlainRun): number {
  const { starts, ends, keys } = run;
  let size = 0;
  for (let i = run.from; i < run.to; i++) {
    size += ENTRY_OVERHEAD_BYTES + base64Length(ends[i]! - starts[i]!);
    size += keys.keyBytesAt(run.firstKey + i) + 2;
  }
  return size;
}

/** Writes the records of a run, commas between them; answers the end. */
function writeRun(body: Buffer, at: number, run: PlainRun): number {
  const { block, starts, ends, keys, firstKey } = run;
  const last = run.to - 1;
  let o = at;
  // The text of several records is joined before it is written: each write is a call into the
  // runtime, costlier than joining short strings (the join is flattened once, by the write).
  let text = ENTRY_DATA;
  for (let i = run.from; i <= last; i++) {
    const from = starts[i]!;
    const to = ends[i]!;
    if (to - from > BASE64_CHUNK_BYTES) {
      o += body.write(text, o, 'latin1');
      text = '';
      o = writeBase64(body, o, block, from, to);
    } else text += block.toString('base64', from, to);
    const key = keys.keyAt(firstKey + i);
    text += i < last ? KEY_OPEN + key + RUN_GLUE : KEY_OPEN + key + KEY_CLOSE;
    if (text.length >= RUN_TEXT_CHARS) {
      o += body.write(text, o, 'latin1');
      text = '';
    }
  }
  return o + body.write(text, o, 'latin1');
}

/** Writes the padded base64 text of `data[from, to)` at `at`, a chunk at a time; answers the end. */
function writeBase64(body: Buffer, at: number, data: Buffer, from: number, to: number): number {
  if (to - from <= BASE64_CHUNK_BYTES)
    return at + body.write(data.toString('base64', from, to), at, 'latin1');
  let o = at;
  for (let s = from; s < to; s += BASE64_CHUNK_BYTES) {
    o += body.write(data.toString('base64', s, Math.min(s + BASE64_CHUNK_BYTES, to)), o, 'latin1');
  }
  return o;
}
