import { hashKeyOf, ShardMap, type ShardHashRange } from '@kinlog/core';
import { KinesisRequestError } from '../../../../src/errors.js';
import type {
  EntryResult,
  PutEntry,
  PutRecordsPort,
} from '../../../../src/sink/put-records-client.js';
import {
  EntryResultList,
  type PutRecordsResults,
} from '../../../../src/sink/put-records-results.js';
import { plainEntries } from '../../../../src/sink/plain-run.js';

/** An entry as the fake saw it: its bytes and key, copied at send time. */
export interface SentEntry {
  data: Buffer;
  partitionKey: string;
  explicitHashKey: string | undefined;
}

/** Shard ranges splitting the hash key space evenly, named as Kinesis names shards. */
export function evenShards(count: number): ShardHashRange[] {
  const width = (1n << 128n) / BigInt(count);
  return Array.from({ length: count }, (_, i) => ({
    shardId: `shardId-${String(i).padStart(12, '0')}`,
    startingHashKey: width * BigInt(i),
    endingHashKey: i === count - 1 ? (1n << 128n) - 1n : width * BigInt(i + 1) - 1n,
  }));
}

/** A throttled entry, as Kinesis answers it. */
export const THROTTLED: EntryResult = {
  ok: false,
  errorCode: 'ProvisionedThroughputExceededException',
  errorMessage: 'Rate exceeded for shard',
};

/** A whole-request failure that retrying can help. */
export function serverError(): Error {
  return new KinesisRequestError(
    { streamName: 'logs', endpoint: 'fake' },
    'InternalFailure',
    'boom',
    true,
  );
}

/**
 * PutRecords and ListShards without a network: requests are recorded, and answered by
 * `answer` (by default every entry succeeds on the shard its key maps to, as Kinesis routes).
 * With `hold`, answers wait until the test calls {@link FakePutRecords.release}.
 */
export class FakePutRecords implements PutRecordsPort {
  readonly target = { streamName: 'logs', endpoint: 'fake' };
  readonly requests: SentEntry[][] = [];
  shards: ShardHashRange[] = evenShards(1);
  listCalls = 0;
  /** Entries sent that carried a run of plain records (each seen as its records). */
  runEntries = 0;
  listError: Error | undefined;
  hold = false;
  destroyed = false;
  answer: (entries: readonly SentEntry[], request: number) => EntryResult[] | Error = (entries) =>
    entries.map((e) => this.ok(e));
  private waiting: (() => void)[] = [];
  private sequence = 0;

  async put(entries: readonly PutEntry[], signal?: AbortSignal): Promise<PutRecordsResults> {
    for (const e of entries) if (e.run !== undefined) this.runEntries++;
    // A run of plain records is seen as the records it carries, as Kinesis sees them.
    const sent = plainEntries(entries).map((e) => ({
      data: Buffer.from(e.data),
      partitionKey: e.partitionKey,
      explicitHashKey: (e as { explicitHashKey?: string }).explicitHashKey,
    }));
    const request = this.requests.push(sent) - 1;
    if (this.hold) {
      await new Promise<void>((resolve, reject) => {
        this.waiting.push(resolve);
        signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    }
    const answer = this.answer(sent, request);
    if (answer instanceof Error) throw answer;
    return new EntryResultList(answer);
  }

  /** Answers every held request. */
  release(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }

  /** A success on the shard the entry's key (or explicit hash key) maps to. */
  ok(entry: SentEntry, shardId?: string): EntryResult {
    const hash = hashKeyOf(entry.partitionKey, entry.explicitHashKey);
    return {
      ok: true,
      shardId: shardId ?? new ShardMap(this.shards).shardFor(hash) ?? 'none',
      sequenceNumber: String(++this.sequence),
    };
  }

  listOpenShards(): Promise<ShardHashRange[]> {
    this.listCalls++;
    if (this.listError !== undefined) return Promise.reject(this.listError);
    return Promise.resolve(this.shards);
  }

  destroy(): void {
    this.destroyed = true;
  }

  /** Every entry sent, in order. */
  get sentEntries(): SentEntry[] {
    return this.requests.flat();
  }
}
