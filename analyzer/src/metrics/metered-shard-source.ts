/*
 *   getIterator(stream, shard) ─▶ iterator ─┐   remembered: iterator ─▶ (stream, shard)
 *   getRecords(iterator) ─▶ page ───────────┴─▶ observer.onPage(stream, shard, records, bytes, behind)
 *                           page.nextIterator ─▶ remembered for the same shard
 *
 * Kinesis answers GetRecords with no shard id: the iterator it was asked with says which.
 */
import type { ShardSource } from '../stream/kinesis-shard-source.js';
import type { IteratorStart, RecordsPage, ShardInfo } from '../stream/shard-info.js';

/** Limits of {@link MeteredShardSource}. */
export const MeteredShardSourceLimits = {
  /** Iterators remembered at most (an abandoned one is forgotten oldest first). */
  MAX_TRACKED_ITERATORS: 10_000,
} as const;

/** Told of every page read. */
export interface ShardReadObserver {
  onPage(
    stream: string,
    shardId: string,
    records: number,
    bytes: number,
    millisBehindLatest: number | undefined,
  ): void;
}

/**
 * A {@link ShardSource} that tells an observer what each shard read: records, bytes and
 * `MillisBehindLatest` per page. Reading is unchanged.
 *
 * @example
 * ```ts
 * const source = new MeteredShardSource(new KinesisShardSource(), metrics);
 * new Analyzer({ name: 'web', stream: 'logs', source });
 * ```
 */
export class MeteredShardSource implements ShardSource {
  private readonly shardOf = new Map<string, { stream: string; shardId: string }>();

  constructor(
    private readonly inner: ShardSource,
    private readonly observer: ShardReadObserver,
  ) {}

  listShards(stream: string): Promise<ShardInfo[]> {
    return this.inner.listShards(stream);
  }

  async getIterator(stream: string, shardId: string, start: IteratorStart): Promise<string> {
    const iterator = await this.inner.getIterator(stream, shardId, start);
    this.remember(iterator, { stream, shardId });
    return iterator;
  }

  async getRecords(iterator: string, limit: number): Promise<RecordsPage> {
    const page = await this.inner.getRecords(iterator, limit);
    // Forgotten only once read: a failed call is retried with the same iterator.
    const shard = this.shardOf.get(iterator);
    this.shardOf.delete(iterator);
    if (shard !== undefined) {
      if (page.nextIterator !== undefined) this.remember(page.nextIterator, shard);
      let bytes = 0;
      for (const record of page.records) bytes += record.data.length;
      this.observer.onPage(
        shard.stream,
        shard.shardId,
        page.records.length,
        bytes,
        page.millisBehindLatest,
      );
    }
    return page;
  }

  close(): void {
    this.inner.close();
  }

  private remember(iterator: string, shard: { stream: string; shardId: string }): void {
    this.shardOf.set(iterator, shard);
    if (this.shardOf.size > MeteredShardSourceLimits.MAX_TRACKED_ITERATORS) {
      this.shardOf.delete(this.shardOf.keys().next().value!);
    }
  }
}
