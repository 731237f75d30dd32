import {
  DynamoCheckpointStore,
  RecordDecoder,
  STORED_REPORT_FORMAT,
  TopNAggregator,
  WindowReadKinds,
  type StoredQueryResult,
  type StoredReport,
} from '@kinlog/analyzer';
import { expect } from 'chai';
import { loadStreamTable } from '../../../src/load/load-stream-table.js';
import { SpoolDirectory } from '../../../src/load/ndjson-spool.js';
import { savedQueryHook } from '../../../src/saved/saved-query-hook.js';
import { QuerySession } from '../../../src/session/query-session.js';
import type { StreamWindow } from '../../../src/window/stream-window.js';
import { MemoryShardSource } from '../../support/memory-shard-source.js';
import { mixedRecords } from '../../support/mixed-records.js';

const STREAM = 'web-logs';
const SHARD = 'shardId-000000000000';
const EVERYTHING = 'SELECT * FROM logs';
const TYPES = 'SELECT column_name, column_type FROM (DESCRIBE logs)';

describe('saved-query window hook (real DuckDB)', () => {
  it('loads the window as kinlog query does: the same columns, types and rows', async () => {
    // Long lines are left out: a saved query's result is bounded and this one has every column.
    const all = mixedRecords().filter((r) => r.data.length < 100_000);
    const results: StoredQueryResult[] = [];
    const store = new DynamoCheckpointStore({ region: 'us-east-1' });
    const hook = savedQueryHook({
      store,
      queries: [
        { name: 'everything', sql: EVERYTHING },
        { name: 'types', sql: TYPES },
      ],
      onResults: (_info, r) => results.push(...r),
    });
    const sink = await hook.begin({
      name: 'web',
      stream: STREAM,
      iteration: 1,
      kind: WindowReadKinds.rerun,
    });
    // As the analyzer hands a window over: each record decoded, pages of three records.
    const decoder = new RecordDecoder();
    try {
      for (const [i, record] of all.entries()) {
        const origin = {
          shardId: SHARD,
          sequenceNumber: String(i + 1),
          arrivalMs: record.arrivalMs,
          partitionKey: record.partitionKey,
          data: record.data,
        };
        decoder.decode(record.data, (event, line) =>
          sink.event(event, line, origin, decoder.lastFormat),
        );
        if (i % 3 === 2) await sink.afterPage?.();
      }
      const report: StoredReport = {
        formatVersion: STORED_REPORT_FORMAT,
        name: 'web',
        stream: STREAM,
        iteration: 1,
        window: [],
        result: new TopNAggregator().result(10),
        decode: { ...decoder.stats },
        startedAt: '2024-05-01T00:00:00.000Z',
        finishedAt: '2024-05-01T00:01:00.000Z',
      };
      await sink.end(report);
    } finally {
      await sink.close();
      store.close();
    }

    const session = await QuerySession.open();
    const spool = await SpoolDirectory.create();
    try {
      const source = new MemoryShardSource(new Map([[SHARD, all]]));
      const window: StreamWindow = { stream: STREAM, shards: [{ shardId: SHARD }], label: 'w' };
      await loadStreamTable(session, spool, source, 'logs', window);
      const everything = await session.run(EVERYTHING);
      const types = await session.run(TYPES);
      expect(results.map((r) => r.query)).to.deep.equal(['everything', 'types']);
      expect(everything.rows.length).to.be.greaterThan(all.length); // a KPL record holds three
      expect(results[0]!.columns).to.deep.equal(everything.columns);
      expect(results[0]!.rows).to.deep.equal(everything.rows);
      expect(results[1]!.rows).to.deep.equal(types.rows);
    } finally {
      session.close();
      await spool.remove();
    }
  });
});
