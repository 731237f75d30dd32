import { readdir } from 'node:fs/promises';
import { expect } from 'chai';
import { MetaColumns } from '../../../src/columns/column-types.js';
import { RowEncoder } from '../../../src/columns/row-encoder.js';
import type { QuerySession } from '../../../src/session/query-session.js';
import type { InsertLane } from '../../../src/session/insert-lane.js';
import { SpoolLimits, type SpoolDirectory } from '../../../src/load/ndjson-spool.js';
import { TableLoader, TableLoaderLimits } from '../../../src/load/table-loader.js';
import { StreamTableLoad } from '../../../src/load/stream-table-load.js';
import { storedRowsTable } from '../../../src/load/stream-row-format.js';
import { normalizeJsonEvent } from '@kinlog/core';
import { QueryError } from '../../../src/errors.js';
import { withSession } from '../../support/with-session.js';

/** Adds `event` as a JSON record of shard 0 with sequence number `seq`. */
function addJsonRow(load: StreamTableLoad, seq: number, event: Record<string, unknown>): void {
  const line = JSON.stringify(event);
  load.row(normalizeJsonEvent(JSON.parse(line), line), line, {
    shardId: 'shardId-0',
    sequenceNumber: String(seq),
    arrivalMs: 0,
    partitionKey: 'k',
    format: 'json',
  });
}

/** Where a stream load into `logs` stores its rows (its view comes when it finishes). */
const STORED_LOGS = storedRowsTable('logs');

/** The rows of table `table` (its SQL name), undefined while it does not exist yet. */
async function tableRows(session: QuerySession, table: string): Promise<unknown> {
  return session.run(`SELECT count(*) FROM ${table}`).then(
    (r) => r.rows[0]?.[0],
    () => undefined,
  );
}

/** Waits until table `table` holds `count` rows: chunks commit in the background. */
async function untilRows(session: QuerySession, table: string, count: number): Promise<void> {
  while ((await tableRows(session, table)) !== count)
    await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Has `change` patch each insert lane `session` opens (to watch or hold its inserts). */
function changeLanes(session: QuerySession, change: (lane: InsertLane) => void): void {
  const openLane = session.openInsertLane.bind(session);
  session.openInsertLane = async () => {
    const lane = await openLane();
    change(lane);
    return lane;
  };
}

/**
 * A load of two-row chunks into `logs` whose first chunk (hosts a and b) is committed, after
 * which the table refuses rows without a host: the chunk holding one fails in DuckDB.
 */
async function loadRefusingHostless(
  session: QuerySession,
  spool: SpoolDirectory,
): Promise<StreamTableLoad> {
  const load = new StreamTableLoad(session, spool, 'logs', 'web-logs', undefined, 2);
  addJsonRow(load, 1, { host: 'a' });
  addJsonRow(load, 2, { host: 'b' });
  await load.afterPage();
  // The table itself is made when the first chunk starts loading, which may be later still.
  await untilRows(session, STORED_LOGS, 2);
  await session.exec(`ALTER TABLE ${STORED_LOGS} ALTER host SET NOT NULL`);
  return load;
}

describe('TableLoader (real DuckDB)', () => {
  it('loads chunk by chunk, adding and widening columns that later chunks need, and removes chunk files', async () => {
    await withSession({}, async (session, spool) => {
      const encoder = new RowEncoder({ status: 'INTEGER' });
      const loader = new TableLoader(session, spool, 't', encoder, 3);
      const events: Record<string, unknown>[] = [
        { status: 200, n: 1 },
        { status: 500, n: 2 },
        { status: 404, n: 3 },
        { n: 1.5, late: true },
        { n: 'x', o: 'text' },
        { n: 4, o: { deep: [1] } },
        { status: 201 },
      ];
      for (const [i, event] of events.entries()) {
        loader.add(encoder.encode(event));
        if (i % 2 === 1) await loader.settle();
      }
      const { rows, columns } = await loader.finish();
      expect(rows).to.equal(7);
      expect(Object.fromEntries(columns.map((c) => [c.name, c.type]))).to.deep.equal({
        status: 'INTEGER',
        n: 'VARCHAR',
        late: 'BOOLEAN',
        o: 'JSON',
      });
      const result = await session.run('SELECT status, n, late, o FROM t ORDER BY rowid');
      expect(result.rows).to.deep.equal([
        [200, '1', null, null],
        [500, '2', null, null],
        [404, '3', null, null],
        [null, '1.5', true, null],
        [null, 'x', null, '"text"'],
        [null, '4', null, '{"deep":[1]}'],
        [201, null, null, null],
      ]);
      expect(await readdir(spool.path)).to.deep.equal([]);
    });
  });

  it('keeps fields before the _ columns when a field first shows up in a later chunk', async () => {
    await withSession({}, async (session, spool) => {
      const encoder = new RowEncoder({ status: 'INTEGER' }, MetaColumns);
      const loader = new TableLoader(session, spool, 't', encoder, 2);
      const events: Record<string, unknown>[] = [{ status: 200 }, { a: 1 }, { b: 'late' }, {}];
      for (const [i, event] of events.entries()) {
        loader.add(encoder.encode(event, { _seq: String(i + 1), _raw: JSON.stringify(event) }));
        await loader.settle();
      }
      const { columns } = await loader.finish();
      const expected = ['status', 'a', 'b', ...Object.keys(MetaColumns)];
      expect(columns.map((c) => c.name)).to.deep.equal(expected);
      const result = await session.run('SELECT * FROM t');
      expect(result.columns.map((c) => c.name)).to.deep.equal(expected);
      const rows = await session.run('SELECT status, a, b, _seq FROM t');
      expect(rows.rows).to.deep.equal([
        [200, null, null, '1'],
        [null, 1, null, '2'],
        [null, null, 'late', '3'],
        [null, null, null, '4'],
      ]);
    });
  });

  it('creates the table, empty, when no row came', async () => {
    await withSession({}, async (session, spool) => {
      const loader = new TableLoader(
        session,
        spool,
        'empty',
        new RowEncoder({ time: 'TIMESTAMP' }),
      );
      await loader.finish();
      const result = await session.run('SELECT * FROM empty');
      expect(result.columns).to.deep.equal([{ name: 'time', type: 'TIMESTAMP' }]);
      expect(result.rows).to.deep.equal([]);
    });
  });

  it('inserts stream rows with one DuckDB thread and gives queries all of them back', async () => {
    await withSession({ threads: 2 }, async (session, spool) => {
      const load = new StreamTableLoad(session, spool, 'logs', 'web-logs', undefined, 2);
      for (let i = 0; i < 5; i++) {
        addJsonRow(load, i, { n: i });
        await load.afterPage();
      }
      expect((await load.finish()).rows).to.equal(5);
      const after = await session.run(`SELECT current_setting('threads'), count(*) FROM logs`);
      expect(after.rows).to.deep.equal([[2, 5]]);
    });
  });

  it('opens its insert lanes while the first chunk fills, and starts that chunk after FIRST_CHUNK_ROWS rows', async () => {
    await withSession({ threads: 2 }, async (session, spool) => {
      const load = new StreamTableLoad(session, spool, 'logs', 'web-logs');
      const threads = async () =>
        (await session.run(`SELECT current_setting('threads')`)).rows[0]?.[0];
      addJsonRow(load, 0, { n: 0 });
      await load.afterPage();
      // One row, far from a chunk: the lanes are open already (DuckDB runs one thread each).
      expect(await threads()).to.equal(1);
      expect(await tableRows(session, STORED_LOGS)).to.equal(undefined);
      for (let i = 1; i < TableLoaderLimits.FIRST_CHUNK_ROWS; i++) addJsonRow(load, i, { n: i });
      await load.afterPage();
      // The first chunk loads on its own, long before a whole chunk's rows came.
      await untilRows(session, STORED_LOGS, TableLoaderLimits.FIRST_CHUNK_ROWS);
      addJsonRow(load, TableLoaderLimits.FIRST_CHUNK_ROWS, { n: -1 });
      expect((await load.finish()).rows).to.equal(TableLoaderLimits.FIRST_CHUNK_ROWS + 1);
      expect(await threads()).to.equal(2);
      const last = await session.run(`SELECT n FROM ${STORED_LOGS} ORDER BY rowid DESC LIMIT 1`);
      expect(last.rows).to.deep.equal([[-1]]);
    });
  });

  it('opens its insert lanes at once, not one after the other', async () => {
    await withSession({ threads: 2 }, async (session, spool) => {
      let opening = 0;
      let mostOpening = 0;
      const openLane = session.openInsertLane.bind(session);
      session.openInsertLane = async () => {
        mostOpening = Math.max(mostOpening, ++opening);
        try {
          return await openLane();
        } finally {
          opening--;
        }
      };
      const load = new StreamTableLoad(session, spool, 'logs', 'web-logs');
      addJsonRow(load, 0, { n: 0 });
      expect((await load.finish()).rows).to.equal(1);
      expect(mostOpening).to.equal(TableLoaderLimits.INSERT_LANES);
    });
  });

  it('starts the first chunk while pages keep coming with no I/O of their own between them', async () => {
    await withSession({ threads: 2 }, async (session, spool) => {
      const load = new StreamTableLoad(session, spool, 'logs', 'web-logs');
      let rowsAtFirstInsert: number | undefined;
      changeLanes(session, (lane) => {
        const insertSelect = lane.insertSelect.bind(lane);
        lane.insertSelect = (table, select, turn, into) => {
          rowsAtFirstInsert ??= load.encoder.stats.rows;
          return insertSelect(table, select, turn, into);
        };
      });
      // Fewer rows than two chunks: only the first fills before finish().
      const pages = 100;
      const pageRows = 1_000;
      for (let i = 0; i < pages * pageRows; i++) {
        addJsonRow(load, i, { n: i });
        // As a reader with its records in memory: nothing but the load is awaited.
        if (i % pageRows === pageRows - 1) await load.afterPage();
      }
      const startedAt = rowsAtFirstInsert;
      expect((await load.finish()).rows).to.equal(pages * pageRows);
      expect(startedAt)
        .to.be.a('number')
        .below(pages * pageRows);
    });
  });

  it('fails the load when a chunk fails in DuckDB: the chunks after it are not committed, their files are removed and queries get every thread back', async () => {
    await withSession({ threads: 2 }, async (session, spool) => {
      const load = await loadRefusingHostless(session, spool);
      for (let i = 3; i <= 8; i++) addJsonRow(load, i, { n: i });
      let failure: unknown;
      try {
        await load.afterPage();
        await load.finish();
      } catch (err) {
        failure = err;
      }
      expect(failure).to.be.instanceOf(QueryError);
      expect((failure as QueryError).message).to.match(/^loading table logs failed: .*NOT NULL/);
      const after = await session.run(
        `SELECT current_setting('threads'), count(*) FROM ${STORED_LOGS}`,
      );
      expect(after.rows).to.deep.equal([[2, 2]]);
      expect(await readdir(spool.path)).to.deep.equal([]);
    });
  });
});

/** A promise that reports each time something waits on it (an `await` calls its `then`). */
class WatchedTurn extends Promise<boolean> {
  onWait: () => void = () => undefined;

  override then<A = boolean, B = never>(
    fulfilled?: ((value: boolean) => A | PromiseLike<A>) | null,
    rejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.onWait();
    return super.then(fulfilled, rejected);
  }
}

describe('TableLoader (real DuckDB, chunks held on their lane)', () => {
  it('ends a failed load only after a chunk still inserting on the other lane ended and its file is removed', async () => {
    await withSession({ threads: 2 }, async (session, spool) => {
      // Chunk 3 (rows 5 and 6) waits on its lane until chunk 4, inserted on the other lane and
      // failing there, waits for its turn: a load that ended with chunk 4 closed the lanes first.
      let releaseChunk3: (go: boolean) => void = () => undefined;
      const chunk3Held = new Promise<boolean>((resolve) => (releaseChunk3 = resolve));
      let chunk3Waiting = false;
      let closedWhileChunk3Waited = false;
      changeLanes(session, (lane) => {
        const insertSelect = lane.insertSelect.bind(lane);
        lane.insertSelect = async (table, select, turn, into) => {
          if (select.includes('3-logs-3.ndjson')) {
            chunk3Waiting = true;
            const go = await chunk3Held;
            chunk3Waiting = false;
            if (!go) throw new Error('lane closed while chunk 3 waited');
          }
          if (!select.includes('4-logs-4.ndjson')) return insertSelect(table, select, turn, into);
          const watched = new WatchedTurn((resolve, reject) => {
            turn.then(resolve, reject);
          });
          watched.onWait = () => releaseChunk3(true);
          return insertSelect(table, select, watched, into);
        };
        const close = lane.close.bind(lane);
        lane.close = async () => {
          if (chunk3Waiting) {
            closedWhileChunk3Waited = true;
            releaseChunk3(false);
          }
          await close();
        };
      });
      const load = await loadRefusingHostless(session, spool);
      // Chunks 2 and 3 have a host; chunk 4 (rows 7 and 8) has none and fails.
      for (let i = 3; i <= 6; i++) addJsonRow(load, i, { host: `h${i}` });
      for (let i = 7; i <= 8; i++) addJsonRow(load, i, {});
      let failure: unknown;
      try {
        await load.afterPage();
        await load.finish();
      } catch (err) {
        failure = err;
      }
      expect(closedWhileChunk3Waited).to.equal(false);
      expect(await readdir(spool.path)).to.deep.equal([]);
      expect(failure).to.be.instanceOf(QueryError);
      expect((failure as QueryError).message).to.match(/^loading table logs failed: .*NOT NULL/);
      const after = await session.run(
        `SELECT current_setting('threads'), count(*) FROM ${STORED_LOGS}`,
      );
      expect(after.rows).to.deep.equal([[2, 6]]);
    });
  });
  it('skips a chunk that gets its lane after the load failed: it inserts nothing, and its file is removed', async () => {
    await withSession({ threads: 2 }, async (session, spool) => {
      // Chunk 3 waits on its lane until chunk 2 failed on the other, so chunk 4 gets that lane.
      let releaseChunk3: () => void = () => undefined;
      const chunk3Held = new Promise<void>((resolve) => (releaseChunk3 = resolve));
      let chunk4Inserted = false;
      changeLanes(session, (lane) => {
        const insertSelect = lane.insertSelect.bind(lane);
        lane.insertSelect = async (table, select, turn, into) => {
          if (select.includes('3-logs-3.ndjson')) await chunk3Held;
          if (select.includes('4-logs-4.ndjson')) chunk4Inserted = true;
          if (!select.includes('2-logs-2.ndjson')) return insertSelect(table, select, turn, into);
          return insertSelect(table, select, turn, into).finally(releaseChunk3);
        };
      });
      const load = await loadRefusingHostless(session, spool);
      for (let i = 3; i <= 8; i++) addJsonRow(load, i, { n: i });
      const failure = await load
        .afterPage()
        .then(() => load.finish())
        .catch((err: unknown) => err);
      expect(failure).to.be.instanceOf(QueryError);
      expect(chunk4Inserted).to.equal(false);
      expect(await readdir(spool.path)).to.deep.equal([]);
      const after = await session.run(`SELECT count(*) FROM ${STORED_LOGS}`);
      expect(after.rows).to.deep.equal([[2]]);
    });
  });
});

describe('TableLoader (real DuckDB, loads that stop)', () => {
  it('removes the chunk files not started when the load is abandoned', async () => {
    await withSession({}, async (session, spool) => {
      const encoder = new RowEncoder({});
      const loader = new TableLoader(session, spool, 't', encoder, 2);
      // One full chunk not yet started and one begun: neither is on disk until written.
      for (let n = 1; n <= 3; n++) loader.add(encoder.encode({ n }));
      await loader.abandon();
      expect(await readdir(spool.path)).to.deep.equal([]);
    });
  });

  it('removes the chunk being written, after its write in the background, when finish fails', async () => {
    await withSession({}, async (session, spool) => {
      // The table is there already: the first chunk fails to create it.
      await session.exec('CREATE TABLE t (n INTEGER)');
      const encoder = new RowEncoder({});
      const loader = new TableLoader(session, spool, 't', encoder, 10);
      for (let n = 1; n <= 10; n++) loader.add(encoder.encode({ n }));
      // Two rows of half a write buffer each: the first is written in the background.
      const pad = 'x'.repeat(SpoolLimits.FLUSH_BYTES / 2);
      loader.add(encoder.encode({ n: 11, pad }));
      loader.add(encoder.encode({ n: 12, pad }));
      await loader.settle();
      // The first chunk's failure shows in the next settle once the chunk has ended.
      for (;;) {
        const failed = await loader.settle().then(
          () => false,
          () => true,
        );
        if (failed) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const failure = await loader.finish().catch((err: unknown) => err);
      expect(failure).to.be.instanceOf(QueryError);
      expect(await readdir(spool.path)).to.deep.equal([]);
    });
  });
});
