/**
 * Lines put together (the daemon's lines as read, under the sink's own key): a run of ranges
 * of one read buffer goes into one-key aggregates with one user record per aggregate for the
 * lines it took, instead of an object and a buffer view per line.
 *
 *   read buffer: │ line 7 │ line 8 │ line 9 │ line 10 │ …
 *                    │ copied, with its Record header, straight into ▼
 *   aggregate:   F3 89 9A C2 │ keys │ {Record 7}{Record 8}{Record 9} │ …
 *                                    └──── run user record: count 3, seq 7, data = this range
 *
 * Settling a run settles each of its records (callback once per record); the rare paths that
 * move user records one by one (a new shard map, a resharding, routing turned off) expand a
 * run back into its records with {@link expandRun}.
 */
import { KplAggregateFormat } from '@kinlog/core';
import type { SettleCallback, UserRecord } from './held-record.js';

/**
 * Lines `[from, to)` of `buf`: line i is `buf[starts[i], ends[i])`.
 *
 * @example
 * ```ts
 * const lines: LineRange = { buf: Buffer.from('a\nbb\n'), starts: [0, 2], ends: [1, 4], from: 0, to: 2 };
 * ```
 */
export interface LineRange {
  buf: Buffer;
  starts: ArrayLike<number>;
  ends: ArrayLike<number>;
  from: number;
  to: number;
  /**
   * True when `buf` was made for this put alone and nobody writes into it again: the sink may
   * hold its lines in it as they are. Otherwise the caller may reuse it once the put returned,
   * and the sink copies what it holds.
   */
  owned?: boolean;
}

/**
 * Calls `put` with a view of each line, in order; true when every call was.
 *
 * @example
 * ```ts
 * eachLine(lines, (line) => sink.putEncoded(line));
 * ```
 */
export function eachLine(lines: LineRange, put: (line: Buffer) => boolean): boolean {
  const { buf, starts, ends } = lines;
  let ok = true;
  for (let i = lines.from; i < lines.to; i++) ok = put(buf.subarray(starts[i], ends[i])) && ok;
  return ok;
}

/** Lines put together, with what their user records share. */
export interface LineRun extends LineRange {
  /** The sink's own key, shared by the run's records. */
  partitionKey: string;
  keyBytes: number;
  /** Sequence number of line `from`; line i has `firstSeq + i - from`. */
  firstSeq: number;
  firstPutAtMs: number;
  onSettled: SettleCallback | undefined;
}

/** Protobuf wire types read back from encoded Records. */
const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

/**
 * The user records a run stands for, one per record, in order: their data are views of the
 * run's encoded Records (a plain user record comes back as itself).
 *
 * @example
 * ```ts
 * for (const u of expandRun(run)) router.route(u);
 * ```
 */
export function expandRun(u: UserRecord): UserRecord[] {
  const count = u.count;
  if (count === undefined) return [u];
  const out: UserRecord[] = [];
  const keyBytes = Buffer.byteLength(u.partitionKey);
  const data = u.data;
  let at = 0;
  while (at < data.length) {
    const tag = readVarint(data, at);
    if (tag.value !== KplAggregateFormat.FIELD_RECORDS * 8 + WIRE_LENGTH_DELIMITED)
      throw new RangeError(`line run: unexpected field tag ${tag.value} at ${at}`);
    const length = readVarint(data, tag.next);
    const payload = recordData(data, length.next, length.next + length.value);
    out.push({
      data: payload,
      partitionKey: u.partitionKey,
      bytes: payload.length + keyBytes,
      hashKey: u.hashKey,
      seq: u.seq + out.length,
      firstPutAtMs: u.firstPutAtMs,
      onSettled: u.onSettled,
      randomKey: u.randomKey,
    });
    at = length.next + length.value;
  }
  if (out.length !== count)
    throw new RangeError(`line run: ${out.length} records encoded, ${count} counted`);
  return out;
}

/** The data field of one encoded Record in `buf[from, to)`. */
function recordData(buf: Buffer, from: number, to: number): Buffer {
  let at = from;
  while (at < to) {
    const tag = readVarint(buf, at);
    const wire = tag.value & 7;
    if (wire === WIRE_VARINT) {
      at = readVarint(buf, tag.next).next;
    } else if (wire === WIRE_LENGTH_DELIMITED) {
      const length = readVarint(buf, tag.next);
      const end = length.next + length.value;
      if (tag.value >>> 3 === KplAggregateFormat.RECORD_FIELD_DATA)
        return buf.subarray(length.next, end);
      at = end;
    } else throw new RangeError(`line run: unexpected wire type ${wire}`);
  }
  throw new RangeError('line run: a Record without data');
}

function readVarint(buf: Buffer, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  let o = at;
  for (;;) {
    const byte = buf[o++];
    if (byte === undefined) throw new RangeError('line run: truncated varint');
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return { value, next: o };
    scale *= 128;
  }
}
