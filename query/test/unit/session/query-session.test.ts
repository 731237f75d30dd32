import { expect } from 'chai';
import { SpoolDirectory } from '../../../src/load/ndjson-spool.js';
import { STORED_ROWS_SCHEMA } from '../../../src/load/stream-row-format.js';
import { StreamTableLoad } from '../../../src/load/stream-table-load.js';
import { TableLoaderLimits } from '../../../src/load/table-loader.js';
import { QuerySession, type QuerySessionOptions } from '../../../src/session/query-session.js';

/** Rows enough for DuckDB to store whole row groups (122,880 rows each). */
const ROWS = 250_000;

/** Loads the same stream rows into a fresh session; what the table holds and how it is stored. */
async function loaded(
  options: QuerySessionOptions,
): Promise<{ compressions: string[]; digest: unknown[] }> {
  const session = await QuerySession.open(options);
  const spool = await SpoolDirectory.create();
  try {
    const load = new StreamTableLoad(session, spool, 'logs', 'web-logs');
    for (let i = 0; i < ROWS; i++) {
      const event = { level: i % 5 === 0 ? 'error' : 'info', page: `/p${i % 7}`, n: i };
      load.row(event, JSON.stringify(event), {
        shardId: 'shardId-000000000000',
        sequenceNumber: String(i + 1),
        arrivalMs: 1_714_521_600_000 + i,
        partitionKey: `k${i % 3}`,
        format: 'json',
      });
      if (i % 10_000 === 9_999) await load.afterPage();
    }
    await load.finish();
    const storage = await session.run(
      `SELECT DISTINCT compression FROM pragma_storage_info('${STORED_ROWS_SCHEMA}.logs') ORDER BY ALL`,
    );
    const digest = await session.run(
      'SELECT count(*), sum(hash(level, page, n, _seq, _arrival, _partition_key, _raw)) FROM logs',
    );
    return { compressions: storage.rows.map((r) => String(r[0])), digest: [...digest.rows] };
  } finally {
    session.close();
    await spool.remove();
  }
}

describe('QuerySession storage (real DuckDB)', function () {
  this.timeout(60_000);

  it('stores tables compressed under a memory limit, the same rows as without one', async () => {
    const plain = await loaded({});
    const limited = await loaded({ memoryLimit: '256MB' });
    expect(plain.compressions).to.deep.equal(['Uncompressed']);
    expect(limited.compressions.filter((c) => c !== 'Uncompressed')).to.not.be.empty;
    expect(limited.digest).to.deep.equal(plain.digest);
    expect((plain.digest[0] as unknown[])[0]).to.equal(ROWS);
  });

  it('loads stream rows in smaller chunks under a memory limit', async () => {
    const spool = await SpoolDirectory.create();
    for (const [options, chunkRows] of [
      [{}, TableLoaderLimits.CHUNK_ROWS],
      [{ memoryLimit: '256MB' }, TableLoaderLimits.MEMORY_LIMITED_CHUNK_ROWS],
    ] as const) {
      const session = await QuerySession.open(options);
      try {
        expect(session.memoryLimited).to.equal(options.memoryLimit !== undefined);
        expect(new StreamTableLoad(session, spool, 'logs', 'web-logs').chunkRows).to.equal(
          chunkRows,
        );
      } finally {
        session.close();
      }
    }
    await spool.remove();
    expect(TableLoaderLimits.MEMORY_LIMITED_CHUNK_ROWS).to.be.below(TableLoaderLimits.CHUNK_ROWS);
  });
});
