import type { RecordsPage, StreamRecord } from './shard-info.js';

const MS_PER_SECOND = 1000;

/**
 * A GetRecords answer as JSON.parse read it (awsJson 1.1: `Data` in base64, arrival times in
 * epoch seconds), as the page the reader hands on; `undefined` when it is not one. Read as the
 * SDK reads it: arrival times rounded to the millisecond, `null` members absent, records
 * without a sequence number or data skipped.
 *
 * @example
 * ```ts
 * recordsPageOf({ Records: [{ SequenceNumber: '1', Data: 'eA==', ApproximateArrivalTimestamp: 1.5 }], MillisBehindLatest: 0 });
 * // { records: [{ sequenceNumber: '1', data: <Buffer 78>, arrivalMs: 1500 }], nextIterator: undefined, millisBehindLatest: 0 }
 * ```
 */
export function recordsPageOf(answer: unknown): RecordsPage | undefined {
  if (typeof answer !== 'object' || answer === null) return undefined;
  const { Records, NextShardIterator, MillisBehindLatest } = answer as Record<string, unknown>;
  if (!Array.isArray(Records)) return undefined;
  const records: StreamRecord[] = [];
  for (const raw of Records as unknown[]) {
    if (typeof raw !== 'object' || raw === null) continue;
    const r = raw as Record<string, unknown>;
    const sequenceNumber = r['SequenceNumber'];
    const data = r['Data'];
    if (typeof sequenceNumber !== 'string' || typeof data !== 'string') continue;
    const arrival = r['ApproximateArrivalTimestamp'];
    const seconds =
      typeof arrival === 'number' || typeof arrival === 'string' ? Number(arrival) : NaN;
    const partitionKey = r['PartitionKey'];
    records.push({
      sequenceNumber,
      data: Buffer.from(data, 'base64'),
      arrivalMs: Number.isFinite(seconds) ? Math.round(seconds * MS_PER_SECOND) : Number.NaN,
      partitionKey: typeof partitionKey === 'string' ? partitionKey : undefined,
    });
  }
  return {
    records,
    nextIterator: typeof NextShardIterator === 'string' ? NextShardIterator : undefined,
    millisBehindLatest: typeof MillisBehindLatest === 'number' ? MillisBehindLatest : undefined,
  };
}
