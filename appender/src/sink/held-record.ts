import type { DropReason } from './drop-reasons.js';
import type { SinkKeys } from './partition-key.js';

/** The records a held entry of a run carries: `[from, to)` of its block. */
export interface PlainRun {
  readonly block: Buffer;
  /** Record i of the block is `block[starts[i], ends[i])`. */
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  readonly keys: SinkKeys;
  /** Key number of record 0 of the block; record i has `firstKey + i`. */
  readonly firstKey: number;
  from: number;
  to: number;
}

/** How one record ended: acknowledged by Kinesis, or dropped with a reason. */
export type SettleResult =
  { ok: true; shardId: string; sequenceNumber: string } | { ok: false; reason: DropReason };

/**
 * Called when records are acknowledged or dropped: once per record put on its own (`records`
 * is 1), and for lines put together (`putLines`) once per run of them that ended alike, with
 * their number, so that a run of lines costs one call.
 */
export type SettleCallback = (result: SettleResult, records: number) => void;

/** One record as the caller put it (inside an aggregate, a "user record"). */
export interface UserRecord {
  data: Buffer;
  partitionKey: string;
  /** Data plus partition key bytes: what it costs in the buffer. */
  bytes: number;
  /**
   * The routing hash, when records are routed per shard: MD5 of a caller's key, or for a key of
   * the sink's own (`randomKey`) the explicit hash key of the shard it was placed on.
   */
  hashKey: bigint | undefined;
  seq: number;
  firstPutAtMs: number;
  onSettled: SettleCallback | undefined;
  /**
   * The key is the sink's own random one: the record may go to any shard, so it is placed on
   * one (with that shard's explicit hash key) instead of being hashed.
   */
  randomKey?: boolean;
  /**
   * Set for a run: this one object stands for `count` consecutive records of the sink's own key
   * (lines put together), encoded in a one-key aggregate, with sequence numbers `seq` to
   * `seq + count - 1`; `data` is then their encoded protobuf Records, not a payload (see
   * expandRun), and `bytes` the sum of theirs.
   */
  count?: number;
}

/**
 * One Kinesis record waiting to be sent, in flight, or waiting to retry: a plain user record,
 * or a KPL aggregate carrying several (`users`).
 */
export interface HeldRecord {
  data: Buffer;
  partitionKey: string;
  /** Bytes on the wire: data plus partition key. */
  bytes: number;
  /** Bytes it holds in the buffer (its user records' bytes). */
  heldBytes: number;
  attempts: number;
  firstPutAtMs: number;
  notBeforeMs: number;
  /** Lowest sequence number of what it carries, for `flush()`. */
  seq: number;
  /** Predicted shard when records are routed per shard; undefined otherwise. */
  shardId: string | undefined;
  /** Set for an aggregate: the user records inside, in order. */
  users: UserRecord[] | undefined;
  onSettled: SettleCallback | undefined;
  hashKey: bigint | undefined;
  /** Sent as ExplicitHashKey: set for records the sink placed on a shard itself. */
  explicitHashKey?: string | undefined;
  /**
   * Set for a one-key aggregate whose `data` is a view of a reusable buffer: that buffer, given
   * back (KplAggregator.recycle) once the aggregate is acknowledged and nothing uses its bytes.
   */
  pooled?: Buffer | undefined;
  /**
   * Set for a run of plain records put together (see plain-run.ts): this entry stands for the
   * run's records `[from, to)`, with sequence numbers from `seq`; `data` and `partitionKey` are
   * then unused, `bytes` the sum of the records' wire bytes.
   */
  run?: PlainRun | undefined;
}

/** Number of user records a held record carries. */
export function userCount(r: HeldRecord): number {
  const run = r.run;
  if (run !== undefined) return run.to - run.from;
  const users = r.users;
  if (users === undefined) return 1;
  let n = 0;
  for (const u of users) n += u.count ?? 1;
  return n;
}

/**
 * A user record as the intake makes it: already a plain held record (its own wire and held
 * bytes), so one object carries it from put to acknowledgement when it is not aggregated.
 */
export function heldUserRecord(
  data: Buffer,
  partitionKey: string,
  bytes: number,
  hashKey: bigint | undefined,
  seq: number,
  firstPutAtMs: number,
  onSettled: SettleCallback | undefined,
  randomKey: boolean,
): HeldRecord & UserRecord {
  return {
    data,
    partitionKey,
    bytes,
    heldBytes: bytes,
    attempts: 0,
    firstPutAtMs,
    notBeforeMs: 0,
    seq,
    shardId: undefined,
    users: undefined,
    onSettled,
    hashKey,
    explicitHashKey: undefined,
    randomKey,
  };
}

/**
 * A plain held record for one user record (`explicitHashKey` when the sink placed it): the
 * record itself when the intake made it (see {@link heldUserRecord}), else a new one.
 */
export function plainRecord(
  u: UserRecord,
  shardId: string | undefined,
  explicitHashKey?: string,
): HeldRecord {
  const held = u as UserRecord & Partial<HeldRecord>;
  if (held.heldBytes !== undefined && held.users === undefined) {
    held.shardId = shardId;
    held.explicitHashKey = explicitHashKey;
    return held as HeldRecord;
  }
  return {
    data: u.data,
    partitionKey: u.partitionKey,
    bytes: u.bytes,
    heldBytes: u.bytes,
    attempts: 0,
    firstPutAtMs: u.firstPutAtMs,
    notBeforeMs: 0,
    seq: u.seq,
    shardId,
    users: undefined,
    onSettled: u.onSettled,
    hashKey: u.hashKey,
    explicitHashKey,
  };
}

/** The user records a held record carries (itself, when it is plain). */
export function usersOf(r: HeldRecord): UserRecord[] {
  if (r.users !== undefined) return r.users;
  const run = r.run;
  return [
    {
      data: r.data,
      partitionKey: r.partitionKey,
      bytes: r.heldBytes,
      hashKey: r.hashKey,
      seq: r.seq,
      firstPutAtMs: r.firstPutAtMs,
      onSettled: r.onSettled,
      ...(run === undefined ? {} : { count: run.to - run.from }),
    },
  ];
}
