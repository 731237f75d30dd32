/**
 * Lines put together as plain records (no aggregation, no pacing, the sink's own keys): the
 * run's bytes are copied once into one block (or kept in the caller's buffer, when it gave it
 * away: `LineRange.owned`) and held as one entry, instead of an object, a buffer and a key
 * string per line. Keys are reserved at put (one per record, as
 * `putEncoded` of each line would draw them) and written from their number by the body writer.
 *
 *   block:   │ line 7 ␤ line 8 ␤ line 9 ␤ line 10 │      record i = block[starts[i], ends[i])
 *   held entry { run: from 0, to 4, seq 7, firstKey k }   record i has seq 7+i and key number k+i
 *                └── a batch takes it whole, or splits it at its record/byte limits
 *
 * An answer settles the acknowledged records of a run with one callback per stretch of them;
 * failed records become ordinary single held records.
 */
import type { HeldRecord, PlainRun, SettleCallback } from './held-record.js';

/** A held entry carrying a run of plain records. */
export type HeldRun = HeldRecord & { run: PlainRun };

const EMPTY = Buffer.alloc(0);

/**
 * Records of a held entry: a run's count, else 1.
 *
 * @example
 * ```ts
 * plainCount(held); // 3 for a run of records [4, 7)
 * ```
 */
export function plainCount(r: HeldRecord): number {
  const run = r.run;
  return run === undefined ? 1 : run.to - run.from;
}

/**
 * Wire bytes of record `i` of a run: data plus key.
 *
 * @example
 * ```ts
 * runRecordBytes(run, run.from); // bytes the first record costs in the buffer
 * ```
 */
export function runRecordBytes(run: PlainRun, i: number): number {
  return run.ends[i]! - run.starts[i]! + run.keys.keyBytesAt(run.firstKey + i);
}

/**
 * One held entry for records `[from, to)` of `block`, `bytes` in all, first seq `seq`.
 *
 * @example
 * ```ts
 * const held = heldRun({ block, starts, ends, keys, firstKey, from: 0, to: 3 }, bytes, 1, now, cb);
 * ```
 */
export function heldRun(
  run: PlainRun,
  bytes: number,
  seq: number,
  firstPutAtMs: number,
  onSettled: SettleCallback | undefined,
): HeldRun {
  return {
    data: EMPTY,
    partitionKey: '',
    bytes,
    heldBytes: bytes,
    attempts: 0,
    firstPutAtMs,
    notBeforeMs: 0,
    seq,
    shardId: undefined,
    users: undefined,
    onSettled,
    hashKey: undefined,
    explicitHashKey: undefined,
    run,
  };
}

/**
 * How many of the first records of `r` fit `maxRecords` and `maxBytes`, and their bytes.
 *
 * @example
 * ```ts
 * const fit = fittingRecords(held, 500 - batchRecords, 5 * 1024 * 1024 - batchBytes);
 * ```
 */
export function fittingRecords(
  r: HeldRun,
  maxRecords: number,
  maxBytes: number,
): { records: number; bytes: number } {
  const run = r.run;
  const end = Math.min(run.to, run.from + Math.max(0, maxRecords));
  let bytes = 0;
  let i = run.from;
  for (; i < end; i++) {
    const b = runRecordBytes(run, i);
    if (bytes + b > maxBytes) break;
    bytes += b;
  }
  return { records: i - run.from, bytes };
}

/**
 * Splits off the first `records` records of `r` (of `bytes` bytes) as an entry of their own;
 * `r` keeps the rest.
 *
 * @example
 * ```ts
 * const part = splitRun(held, fit.records, fit.bytes); // into the batch; held stays queued
 * ```
 */
export function splitRun(r: HeldRun, records: number, bytes: number): HeldRun {
  const run = r.run;
  const head = heldRun(
    { ...run, to: run.from + records },
    bytes,
    r.seq,
    r.firstPutAtMs,
    r.onSettled,
  );
  head.attempts = r.attempts;
  head.notBeforeMs = r.notBeforeMs;
  run.from += records;
  r.seq += records;
  r.bytes -= bytes;
  r.heldBytes -= bytes;
  return head;
}

/**
 * Record `i` of a run as an ordinary single held record (a view of the block).
 *
 * @example
 * ```ts
 * failed.push(singleOf(held, i)); // retried on its own
 * ```
 */
export function singleOf(r: HeldRun, i: number): HeldRecord {
  const run = r.run;
  const bytes = runRecordBytes(run, i);
  return {
    data: run.block.subarray(run.starts[i], run.ends[i]),
    partitionKey: run.keys.keyAt(run.firstKey + i),
    bytes,
    heldBytes: bytes,
    attempts: r.attempts,
    firstPutAtMs: r.firstPutAtMs,
    notBeforeMs: r.notBeforeMs,
    seq: r.seq + (i - run.from),
    shardId: r.shardId,
    users: undefined,
    onSettled: r.onSettled,
    hashKey: undefined,
    explicitHashKey: undefined,
  };
}

/**
 * Held records with every run in them as its single records, in order.
 *
 * @example
 * ```ts
 * requeue(explodeRuns(batch)); // a whole request failed: each record retries on its own
 * ```
 */
export function explodeRuns(records: readonly HeldRecord[]): HeldRecord[] {
  const out: HeldRecord[] = [];
  for (const r of records) {
    if (r.run === undefined) out.push(r);
    else for (let i = r.run.from; i < r.run.to; i++) out.push(singleOf(r as HeldRun, i));
  }
  return out;
}

/**
 * Kinesis records in `records` (a run counts each of its records).
 *
 * @example
 * ```ts
 * counters.entriesSent += plainRecordCount(batch);
 * ```
 */
export function plainRecordCount(records: readonly HeldRecord[]): number {
  let n = 0;
  for (const r of records) n += plainCount(r);
  return n;
}

/** What {@link plainEntries} reads of an entry. */
export interface MaybeRunEntry {
  data: Uint8Array;
  partitionKey: string;
  explicitHashKey?: string | undefined;
  run?: PlainRun | undefined;
}

/**
 * Entries with each run as its records (a view of the block and its key each), for senders
 * that do not write bodies themselves (the SDK's serializer).
 *
 * @example
 * ```ts
 * const records = plainEntries(entries).map((e) => ({ Data: e.data, PartitionKey: e.partitionKey }));
 * ```
 */
export function plainEntries<E extends MaybeRunEntry>(entries: readonly E[]): MaybeRunEntry[] {
  const out: MaybeRunEntry[] = [];
  for (const e of entries) {
    const run = e.run;
    if (run === undefined) {
      out.push(e);
      continue;
    }
    for (let i = run.from; i < run.to; i++) {
      out.push({
        data: run.block.subarray(run.starts[i], run.ends[i]),
        partitionKey: run.keys.keyAt(run.firstKey + i),
      });
    }
  }
  return out;
}
