import type { RecordsPage, StreamRecord } from '@kinlog/analyzer';
import { expect } from 'chai';
import { readWindowRows } from '../../../src/window/read-window-rows.js';
import type { StreamWindow } from '../../../src/window/stream-window.js';
import { MemoryShardSource, type MemoryRecord } from '../../support/memory-shard-source.js';

const T0_MS = Date.parse('2024-05-01T00:00:00Z');
const SHARD = 'shardId-000000000000';
const PAGE_SIZE = 4;
const PAGES = 6;

function shardRecords(): MemoryRecord[] {
  return Array.from({ length: PAGE_SIZE * PAGES }, (_, i) => ({
    data: Buffer.from(JSON.stringify({ n: i, level: 'info' })),
    arrivalMs: T0_MS + i,
  }));
}

/** Keeps every page it hands over and counts GetRecords calls. */
class WatchedSource extends MemoryShardSource {
  readonly pages: (readonly StreamRecord[])[] = [];
  calls = 0;

  override async getRecords(iterator: string, limit: number): Promise<RecordsPage> {
    this.calls++;
    const page = await super.getRecords(iterator, limit);
    this.pages.push(page.records);
    return page;
  }
}

const window: StreamWindow = { stream: 'web-logs', shards: [{ shardId: SHARD }], label: 'test' };

describe('readWindowRows', () => {
  it('lets go of each record of a page once its row is made, and hands every row over in order', async () => {
    const source = new WatchedSource(new Map([[SHARD, shardRecords()]]), PAGE_SIZE);
    const seen: unknown[] = [];
    let releasedBefore = true;
    await readWindowRows(
      source,
      window,
      {
        row: (event, _line, origin) => {
          seen.push(event['n']);
          const index = Number(origin.sequenceNumber) - 1;
          const page = source.pages[Math.floor(index / PAGE_SIZE)]!;
          // Records before this one in its page are released; this one and later ones are not yet.
          for (let i = 0; i < page.length; i++) {
            const released = page[i] === undefined;
            if (released !== i <= index % PAGE_SIZE) releasedBefore = false;
          }
        },
      },
      { minCallIntervalMs: 0 },
    );
    expect(seen).to.deep.equal(Array.from({ length: PAGE_SIZE * PAGES }, (_, i) => i));
    expect(releasedBefore).to.equal(true);
    expect(source.pages.flat().every((r) => r === undefined)).to.equal(true);
  });

  it('reads at most one page ahead of the page whose rows are being made', async () => {
    const source = new WatchedSource(new Map([[SHARD, shardRecords()]]), PAGE_SIZE);
    const aheadAtPageEnd: number[] = [];
    let pagesDone = 0;
    await readWindowRows(
      source,
      window,
      {
        row: () => undefined,
        afterPage: async () => {
          pagesDone++;
          // Give the read-ahead every chance to run before it is counted.
          for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
          aheadAtPageEnd.push(source.calls - pagesDone);
        },
      },
      { minCallIntervalMs: 0 },
    );
    expect(aheadAtPageEnd).to.have.length(PAGES);
    expect(Math.max(...aheadAtPageEnd)).to.equal(1);
  });
});
