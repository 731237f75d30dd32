import { readdir } from 'node:fs/promises';
import { expect } from 'chai';
import { EventColumns, MetaColumns } from '../../../src/columns/column-types.js';
import { RowEncoder, timestampText } from '../../../src/columns/row-encoder.js';
import { QuerySession, QuerySessionLimits } from '../../../src/session/query-session.js';
import {
  loadStreamTable,
  type LoadedTable,
  type LoadStreamOptions,
} from '../../../src/load/load-stream-table.js';
import { SpoolDirectory } from '../../../src/load/ndjson-spool.js';
import { TableLoader, TableLoaderLimits } from '../../../src/load/table-loader.js';
import { StreamTableLoad } from '../../../src/load/stream-table-load.js';
import { PLAIN_META } from '../../../src/load/stream-row-format.js';
import { readWindowRows } from '../../../src/window/read-window-rows.js';
import type { StreamWindow } from '../../../src/window/stream-window.js';
import { MemoryShardSource } from '../../support/memory-shard-source.js';
import { mixedRecords } from '../../support/mixed-records.js';

const T0_MS = Date.parse('2024-05-01T00:00:00Z');
const utf8 = (text: string) => Buffer.from(text, 'utf8');
const records = mixedRecords;
// Rows are read in the order they were loaded with no ORDER BY: DuckDB keeps insertion order
// (preserve_insertion_order), and a stream table is a view, which has no rowid.

/** The sources are memory: Kinesis's pacing of GetRecords is not what these tests look at. */
const NO_PACING = { minCallIntervalMs: 0 } as const;

/** The rows as every stream row was loaded before (one NDJSON object per row). */
async function loadAsNdjson(
  session: QuerySession,
  spool: SpoolDirectory,
  source: MemoryShardSource,
  window: StreamWindow,
): Promise<void> {
  const encoder = new RowEncoder(EventColumns, MetaColumns);
  const loader = new TableLoader(session, spool, 'general', encoder);
  await readWindowRows(
    source,
    window,
    {
      row: (event, line, origin) => {
        const meta = {
          _stream: window.stream,
          _shard: origin.shardId,
          _seq: origin.sequenceNumber,
          _arrival: timestampText(origin.arrivalMs),
          _partition_key: origin.partitionKey,
          _format: origin.format,
        };
        const row = encoder.encode(event, { ...meta, _raw: line });
        loader.add(
          Buffer.byteLength(row) <= QuerySessionLimits.MAX_OBJECT_BYTES
            ? row
            : encoder.encode({}, meta),
        );
      },
      afterPage: () => loader.settle(),
    },
    NO_PACING,
  );
  await loader.finish();
}

/** Reads `window` into `load` page by page, as loadStreamTable does, and finishes it. */
async function readInto(
  load: StreamTableLoad,
  source: MemoryShardSource,
  window: StreamWindow,
): ReturnType<StreamTableLoad['finish']> {
  const sink = {
    row: load.row.bind(load),
    afterPage: () => load.afterPage(),
  };
  await readWindowRows(source, window, sink, NO_PACING);
  return load.finish();
}

/** A one-shard window over `lines`, one record each, arriving a millisecond apart. */
function oneShardWindow(lines: readonly string[]): {
  source: MemoryShardSource;
  window: StreamWindow;
} {
  const source = new MemoryShardSource(
    new Map([['shardId-0', lines.map((line, i) => ({ data: utf8(line), arrivalMs: T0_MS + i }))]]),
  );
  return { source, window: { stream: 's', shards: [{ shardId: 'shardId-0' }], label: 'w' } };
}

/**
 * Loads `lines` (see oneShardWindow) into table `table` of a fresh session, then runs `check`
 * on it; the session and spool are closed whatever happens.
 */
async function withLinesLoaded(
  lines: readonly string[],
  check: (session: QuerySession, loaded: LoadedTable) => Promise<void>,
  table = 'fast',
  options: LoadStreamOptions = {},
): Promise<void> {
  const { source, window } = oneShardWindow(lines);
  const session = await QuerySession.open();
  const spool = await SpoolDirectory.create();
  try {
    const loaded = await loadStreamTable(session, spool, source, table, window, {
      ...NO_PACING,
      ...options,
    });
    await check(session, loaded);
  } finally {
    session.close();
    await spool.remove();
  }
}

describe('stream rows (real DuckDB)', () => {
  it('loads mixed records exactly as one NDJSON object per row would: JSON, text, KPL, gzip, odd and duplicate keys, escapes, unicode', async () => {
    const all = records();
    const source = new MemoryShardSource(
      new Map([
        ['shardId-000000000000', all.slice(0, 17)],
        ['shardId-000000000001', all.slice(17)],
      ]),
    );
    const window: StreamWindow = {
      stream: 'web "logs"',
      shards: [{ shardId: 'shardId-000000000000' }, { shardId: 'shardId-000000000001' }],
      label: 'test window',
    };
    const session = await QuerySession.open();
    const spool = await SpoolDirectory.create();
    try {
      const loaded = await loadStreamTable(session, spool, source, 'fast', window, NO_PACING);
      await loadAsNdjson(session, spool, source, window);
      expect(loaded.rows).to.equal(all.length + 2); // the KPL aggregate holds three
      const describe = async (table: string) =>
        (await session.run(`SELECT column_name, column_type FROM (DESCRIBE ${table})`)).rows;
      expect(await describe('fast')).to.deep.equal(await describe('general'));
      const rows = async (table: string) => (await session.run(`SELECT * FROM ${table}`)).rows;
      const fast = await rows('fast');
      expect(fast).to.deep.equal(await rows('general'));
      const differ = await session.run(
        `SELECT count(*) FROM (SELECT * FROM fast EXCEPT ALL SELECT * FROM general)`,
      );
      expect(differ.rows).to.deep.equal([[0]]);
      // The cases the spool writes differently are all there.
      const check = await session.run(
        `SELECT count(*) FILTER (WHERE _partition_key = 'tab\there'),
                count(*) FILTER (WHERE _partition_key = ''),
                count(*) FILTER (WHERE _partition_key IS NULL),
                count(*) FILTER (WHERE _arrival IS NULL),
                count(*) FILTER (WHERE _raw = '{"time":"2024-05-01T00:00:00.000Z","level":"error","status":500,"region":"eu-west-1","page":"/cart","n":1}'),
                count(*) FILTER (WHERE _format = 'kpl+raw'),
                count(*) FILTER (WHERE _format = 'gzip+access'),
                count(*) FILTER (WHERE _format = 'gzip+json'),
                count(*) FILTER (WHERE _stream = 'web "logs"')
         FROM fast`,
      );
      // `_format` names what read the record, as the report's per-format counts do.
      expect(check.rows).to.deep.equal([[1, 1, 3, 1, 1, 1, 1, 1, all.length + 2]]);
    } finally {
      session.close();
      await spool.remove();
    }
  });

  it('loads chunks on several lanes at once into the same rows, in order, as one NDJSON object per row would, while later chunks add and widen columns', async function () {
    // Two-row chunks: dozens of DuckDB inserts and ALTERs, slow on a loaded machine.
    this.timeout(60_000);
    // Later records bring new fields and widen `n` (BIGINT → DOUBLE → VARCHAR), so chunks
    // loading on one lane meet ALTERs that need every chunk before them committed.
    const late = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify(
        i < 10 ? { n: i } : i < 20 ? { n: i + 0.5, [`f${i % 3}`]: i } : { n: `t${i}`, late: i },
      ),
    );
    const all = [
      ...records(),
      ...late.map((line, i) => ({ data: utf8(line), arrivalMs: T0_MS + i, partitionKey: 'k' })),
    ];
    const source = new MemoryShardSource(
      new Map([
        ['shardId-000000000000', all.slice(0, 30)],
        ['shardId-000000000001', all.slice(30)],
      ]),
    );
    const window: StreamWindow = {
      stream: 'web-logs',
      shards: [{ shardId: 'shardId-000000000000' }, { shardId: 'shardId-000000000001' }],
      label: 'test window',
    };
    const session = await QuerySession.open({ threads: 2 });
    const spool = await SpoolDirectory.create();
    try {
      const load = new StreamTableLoad(session, spool, 'fast', window.stream, undefined, 2);
      const { rows: loaded } = await readInto(load, source, window);
      await loadAsNdjson(session, spool, source, window);
      expect(loaded).to.equal(all.length + 2); // the KPL aggregate holds three
      const describe = async (table: string) =>
        (await session.run(`SELECT column_name, column_type FROM (DESCRIBE ${table})`)).rows;
      expect(await describe('fast')).to.deep.equal(await describe('general'));
      const rows = async (table: string) => (await session.run(`SELECT * FROM ${table}`)).rows;
      expect(await rows('fast')).to.deep.equal(await rows('general'));
      const types = await session.run(
        `SELECT column_type FROM (DESCRIBE fast) WHERE column_name IN ('n', 'late')`,
      );
      expect(types.rows).to.deep.equal([['VARCHAR'], ['BIGINT']]);
      const after = await session.run(`SELECT current_setting('threads')`);
      expect(after.rows).to.deep.equal([[2]]);
      expect(await readdir(spool.path)).to.deep.equal([]);
    } finally {
      session.close();
      await spool.remove();
    }
  });

  it('reads a chunk whose meta values are all plain text in their types: the same rows', async () => {
    const plain = records().filter(
      (r) => r.partitionKey === undefined || PLAIN_META.test(r.partitionKey),
    );
    const source = new MemoryShardSource(new Map([['shardId-000000000000', plain]]));
    const window: StreamWindow = {
      stream: 'web-logs',
      shards: [{ shardId: 'shardId-000000000000' }],
      label: 'test window',
    };
    const session = await QuerySession.open();
    const spool = await SpoolDirectory.create();
    try {
      await loadStreamTable(session, spool, source, 'fast', window, NO_PACING);
      await loadAsNdjson(session, spool, source, window);
      const rows = async (table: string) => (await session.run(`SELECT * FROM ${table}`)).rows;
      expect(await rows('fast')).to.deep.equal(await rows('general'));
      // Arrivals unknown, before 1970 and ordinary are all there.
      const arrivals = await session.run(
        `SELECT count(*) FILTER (WHERE _arrival IS NULL), count(*) FILTER (WHERE _arrival < '1970-01-02') FROM fast`,
      );
      expect(arrivals.rows).to.deep.equal([[1, 1]]);
    } finally {
      session.close();
      await spool.remove();
    }
  });

  it('reads arrivals as the NDJSON rows did (timestampText): unknown, fractional, before 1970 and past the years a TIMESTAMP holds are the same, in plain and JSON meta chunks', async () => {
    const first = Date.parse('0000-01-01T00:00:00.000Z');
    const last = Date.parse('9999-12-31T23:59:59.999Z');
    const arrivals = [
      ...[T0_MS, 0, -0, -1, 1.5, -1.5, 0.25, Number.NaN, Infinity, -Infinity],
      ...[first, first - 1, first - 0.5, last, last + 0.5, last + 1, 8.64e15, -8.64e15],
    ];
    // The second shard's last record has a key that is no plain text: its chunk reads every
    // meta value the JSON way.
    const shard = (keyOfLast: string) =>
      arrivals.map((arrivalMs, i) => ({
        data: utf8(`{"n":${i}}`),
        arrivalMs,
        partitionKey: i === arrivals.length - 1 ? keyOfLast : 'k',
      }));
    const source = new MemoryShardSource(
      new Map([
        ['shardId-0', shard('plain')],
        ['shardId-1', shard('tab\there')],
      ]),
    );
    const window: StreamWindow = {
      stream: 's',
      shards: [{ shardId: 'shardId-0' }, { shardId: 'shardId-1' }],
      label: 'w',
    };
    const session = await QuerySession.open();
    const spool = await SpoolDirectory.create();
    try {
      // One chunk per shard, so each is read its own way.
      const load = new StreamTableLoad(session, spool, 'fast', 's', undefined, arrivals.length);
      await readInto(load, source, window);
      await loadAsNdjson(session, spool, source, window);
      const rows = async (table: string) =>
        (await session.run(`SELECT _shard, n, _arrival FROM ${table}`)).rows;
      const fast = await rows('fast');
      expect(fast).to.deep.equal(await rows('general'));
      expect(fast.filter((row) => row[2] === null)).to.have.length(2 * 7);
      const types = await session.run(
        `SELECT column_type FROM (DESCRIBE fast) WHERE column_name = '_arrival'`,
      );
      expect(types.rows).to.deep.equal([['TIMESTAMP']]);
    } finally {
      session.close();
      await spool.remove();
    }
  });

  it('loads a record holding lone surrogate escapes as a row (U+FFFD in their place), with every other row', async () => {
    const lines = [
      '{"level":"error","msg":"before","status":500}',
      '{"level":"error","msg":"bad \\ud800 x","status":500}',
      '{"level":"error","\\udc00k":"v","msg":"pair \\ud83d\\ude00","status":500}',
      '{"level":"error","msg":"after","status":500}',
    ];
    await withLinesLoaded(lines, async (session, loaded) => {
      expect(loaded.rows).to.equal(lines.length);
      const rows = await session.run(`SELECT msg, "\ufffdk", _raw FROM fast`);
      expect(rows.rows).to.deep.equal([
        ['before', null, lines[0]],
        ['bad \ufffd x', null, lines[1]],
        ['pair \u{1f600}', 'v', lines[2]],
        ['after', null, lines[3]],
      ]);
    });
  });

  it('reads a line longer than the smallest read buffer whole, as JSON and as text, with the rows around it', async () => {
    const long = 'x'.repeat(TableLoaderLimits.MIN_LINE_BYTES + 1000);
    const lines = [
      '{"level":"error","msg":"before","status":500}',
      `{"level":"error","msg":"${long}","status":503}`,
      `plain text ${long}`,
      '{"level":"error","msg":"after","status":500}',
    ];
    await withLinesLoaded(lines, async (session, loaded) => {
      expect(loaded.rows).to.equal(lines.length);
      const rows = await session.run(`SELECT status, length(msg), _raw FROM fast`);
      expect(rows.rows).to.deep.equal([
        [500, 6, lines[0]],
        [503, long.length, lines[1]],
        [null, lines[2]!.length, lines[2]],
        [500, 5, lines[3]],
      ]);
    });
  });

  it('keeps pinned column types whatever the window holds; values that do not fit are NULL and counted', async () => {
    const lines = [
      '{"durationMs":12,"user":{"id":1},"status":200}',
      '{"durationMs":"slow","user":"anonymous","status":"oops"}',
      '{"durationMs":7.5,"status":70000}',
      'plain text',
    ];
    const columnTypes = {
      durationMs: 'BIGINT',
      user: 'JSON',
      Status: 'BIGINT',
      flag: 'BOOLEAN',
    } as const;
    const check = async (session: QuerySession, loaded: LoadedTable) => {
      expect(loaded.encode.nulled).to.deep.equal({ durationMs: 2, status: 1 });
      const types = await session.run(
        `SELECT column_name, column_type FROM (DESCRIBE logs) WHERE column_name IN ('durationMs', 'user', 'status', 'flag')`,
      );
      expect(types.rows).to.deep.equal([
        ['status', 'BIGINT'],
        ['durationMs', 'BIGINT'],
        ['user', 'JSON'],
        ['flag', 'BOOLEAN'],
      ]);
      const rows = await session.run('SELECT durationMs, user, status, flag FROM logs');
      expect(rows.rows).to.deep.equal([
        [12, '{"id":1}', 200, null],
        [null, '"anonymous"', null, null],
        [null, null, 70000, null],
        [null, null, null, null],
      ]);
    };
    await withLinesLoaded(lines, check, 'logs', { columnTypes });
  });

  it("keeps each row's own _shard and _format where a chunk's rows differ from its first plain row's, in every way a row can be written", async () => {
    // One chunk: plain JSON rows of shard A set the chunk's shared values; then a plain text
    // row (another format), a JSON line that is not its own fields (raw apart) of shard B, a
    // row whose partition key is not plain (JSON meta) and plain rows of shard B.
    const a = [
      { data: utf8('{"level":"error","status":500}'), arrivalMs: T0_MS, partitionKey: 'k' },
      { data: utf8('{"level":"info","status":200}'), arrivalMs: T0_MS + 1, partitionKey: 'k' },
      { data: utf8('plain text line'), arrivalMs: T0_MS + 2, partitionKey: 'k' },
    ];
    const b = [
      { data: utf8('{"status": 404, "level":"warn"}'), arrivalMs: T0_MS + 3, partitionKey: 'k' },
      {
        data: utf8('{"level":"info","status":201}'),
        arrivalMs: T0_MS + 4,
        partitionKey: 'tab\tkey',
      },
      { data: utf8('{"level":"info","status":202}'), arrivalMs: T0_MS + 5, partitionKey: 'k' },
      { data: utf8('more text'), arrivalMs: T0_MS + 6, partitionKey: 'k' },
    ];
    const windowOf = (shards: readonly string[]): StreamWindow => ({
      stream: 's',
      shards: shards.map((shardId) => ({ shardId })),
      label: 'w',
    });
    const session = await QuerySession.open();
    const spool = await SpoolDirectory.create();
    try {
      // Each way on its own chunk too: every row apart from the shared ones, alone with them.
      const cases: [string, MemoryShardSource, StreamWindow][] = [
        [
          'all',
          new MemoryShardSource(
            new Map([
              ['A', a],
              ['B', b],
            ]),
          ),
          windowOf(['A', 'B']),
        ],
        ...b.map((record, i): [string, MemoryShardSource, StreamWindow] => [
          `b${i}`,
          new MemoryShardSource(
            new Map([
              ['A', a.slice(0, 2)],
              ['B', [record]],
            ]),
          ),
          windowOf(['A', 'B']),
        ]),
        ['format', new MemoryShardSource(new Map([['A', a]])), windowOf(['A'])],
      ];
      for (const [name, source, window] of cases) {
        await loadStreamTable(session, spool, source, `fast_${name}`, window, NO_PACING);
        await loadAsNdjson(session, spool, source, window);
        const rows = async (table: string) => (await session.run(`SELECT * FROM ${table}`)).rows;
        expect(await rows(`fast_${name}`), name).to.deep.equal(await rows('general'));
        await session.exec('DROP TABLE general');
      }
      const meta = await session.run(`SELECT _shard, _format, _partition_key FROM fast_all`);
      expect(meta.rows).to.deep.equal([
        ['A', 'json', 'k'],
        ['A', 'json', 'k'],
        ['A', 'raw', 'k'],
        ['B', 'json', 'k'],
        ['B', 'json', 'tab\tkey'],
        ['B', 'json', 'k'],
        ['B', 'raw', 'k'],
      ]);
    } finally {
      session.close();
      await spool.remove();
    }
  });
});
