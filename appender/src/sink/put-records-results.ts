/*
 * What Kinesis said about the entries of one PutRecords request, as the sink reads it: one view
 * per answer, not an object per entry.
 *
 *   results.ok(i) ──────▶ settle or retry          (every entry)
 *   results.shardId(i) ─▶ bytes sent per shard     (acknowledged entries)
 *   results.acked(i) ───▶ the callback's result    (once per settled record or run stretch);
 *                         its sequenceNumber is read from the answer only when asked
 *   results.at(i) ──────▶ the whole result         (failed entries: code and message)
 *
 * Two kinds: {@link EntryResultList} over results already made (JSON answers, the SDK's output,
 * test fakes), and the CBOR answer read lazily (cbor-answer-results.ts).
 */

/** What Kinesis said about one entry of a PutRecords request. */
export type EntryResult =
  | { ok: true; shardId: string; sequenceNumber: string }
  | { ok: false; errorCode: string; errorMessage: string };

/** The result of an acknowledged entry. */
export type AckedEntry = EntryResult & { ok: true };

/**
 * The entries of one PutRecords answer, in the order sent.
 *
 * @example
 * ```ts
 * for (let i = 0; i < results.length; i++) if (!results.ok(i)) retry(i, results.at(i));
 * ```
 */
export interface PutRecordsResults {
  readonly length: number;
  /** Whether entry `i` was stored. */
  ok(i: number): boolean;
  /** The shard that stored entry `i` (`''` when the answer did not say); for stored entries. */
  shardId(i: number): string;
  /** The result of stored entry `i`, for callbacks: its sequence number is read when asked. */
  acked(i: number): AckedEntry;
  /** The whole result of entry `i` (an error's code and message, or a sequence number). */
  at(i: number): EntryResult;
}

/**
 * Results already made, one per entry, as a {@link PutRecordsResults}.
 *
 * @example
 * ```ts
 * const results = new EntryResultList(records.map(entryResultOf));
 * ```
 */
export class EntryResultList implements PutRecordsResults {
  constructor(private readonly results: readonly EntryResult[]) {}

  get length(): number {
    return this.results.length;
  }

  ok(i: number): boolean {
    return this.results[i]!.ok;
  }

  shardId(i: number): string {
    const result = this.results[i]!;
    return result.ok ? result.shardId : '';
  }

  acked(i: number): AckedEntry {
    const result = this.results[i]!;
    if (!result.ok) throw new RangeError(`entry ${i} was not stored`);
    return result;
  }

  at(i: number): EntryResult {
    return this.results[i]!;
  }
}

/**
 * Every entry's whole result, in order (sequence numbers read now).
 *
 * @example
 * ```ts
 * resultsArray(results); // [{ ok: true, shardId: 'shardId-000000000000', sequenceNumber: '4960…' }, …]
 * ```
 */
export function resultsArray(results: PutRecordsResults): EntryResult[] {
  const out: EntryResult[] = [];
  for (let i = 0; i < results.length; i++) out.push(results.at(i));
  return out;
}

/**
 * The results of a decoded PutRecords answer (JSON.parse's or the careful CBOR decoder's): its
 * `Records`, none when it has none.
 *
 * @example
 * ```ts
 * resultsOfAnswer(JSON.parse(body)).length; // entries answered
 * ```
 */
export function resultsOfAnswer(answer: unknown): EntryResultList {
  return new EntryResultList((recordsOf(answer) ?? []).map(entryResultOf));
}

/**
 * The `Records` of a parsed PutRecords answer, if it has them.
 *
 * @example
 * ```ts
 * recordsOf({ FailedRecordCount: 0, Records: [] }); // []
 * ```
 */
export function recordsOf(answer: unknown): unknown[] | undefined {
  const records = (answer as { Records?: unknown } | null | undefined)?.Records;
  return Array.isArray(records) ? (records as unknown[]) : undefined;
}

/**
 * One answered entry (raw JSON or the SDK's) as the sink reads it, in one step: only string
 * members count, so a server's `"ErrorCode": null` on a success does not read as an error.
 *
 * @example
 * ```ts
 * entryResultOf({ SequenceNumber: '1', ShardId: 's' }); // { ok: true, shardId: 's', sequenceNumber: '1' }
 * ```
 */
export function entryResultOf(raw: unknown): EntryResult {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const code = r['ErrorCode'];
  const sequenceNumber = r['SequenceNumber'];
  if (typeof code !== 'string' && typeof sequenceNumber === 'string') {
    const shardId = r['ShardId'];
    return { ok: true, shardId: typeof shardId === 'string' ? shardId : '', sequenceNumber };
  }
  const message = r['ErrorMessage'];
  return {
    ok: false,
    errorCode: typeof code === 'string' ? code : 'InternalFailure',
    errorMessage: typeof message === 'string' ? message : '',
  };
}
