import type { IteratorStart, RecordsPage, ShardInfo, ShardSource } from '@kinlog/analyzer';

/** A record of {@link MemoryShardSource}. */
export interface MemoryRecord {
  readonly data: Uint8Array;
  readonly partitionKey?: string;
  readonly arrivalMs: number;
}

/**
 * A closed stream held in memory: shards of fixed records, read page by page as Kinesis
 * hands them over (sequence numbers 1, 2, … per shard). For tests of what happens to records
 * once read; reading itself is tested against the local Kinesis.
 */
export class MemoryShardSource implements ShardSource {
  constructor(
    private readonly shards: ReadonlyMap<string, readonly MemoryRecord[]>,
    private readonly pageSize = 3,
  ) {}

  listShards(): Promise<ShardInfo[]> {
    return Promise.resolve(
      [...this.shards].map(([shardId, records]) => ({
        shardId,
        parentShardIds: [],
        endingSequenceNumber: String(Math.max(1, records.length)),
      })),
    );
  }

  getIterator(_stream: string, shardId: string, start: IteratorStart): Promise<string> {
    const offset = start.type === 'afterSequenceNumber' ? Number(start.sequenceNumber) : 0;
    return Promise.resolve(`${offset}:${shardId}`);
  }

  getRecords(iterator: string, limit: number): Promise<RecordsPage> {
    const colon = iterator.indexOf(':');
    const offset = Number(iterator.slice(0, colon));
    const shardId = iterator.slice(colon + 1);
    const all = this.shards.get(shardId) ?? [];
    const end = Math.min(all.length, offset + Math.min(limit, this.pageSize));
    const records = all.slice(offset, end).map((r, i) => ({
      sequenceNumber: String(offset + i + 1),
      data: r.data,
      arrivalMs: r.arrivalMs,
      partitionKey: r.partitionKey,
    }));
    return Promise.resolve({
      records,
      nextIterator: end >= all.length ? undefined : `${end}:${shardId}`,
      millisBehindLatest: 0,
    });
  }

  close(): void {}
}
