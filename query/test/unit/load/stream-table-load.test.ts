import { expect } from 'chai';
import { normalizeJsonEvent } from '@kinlog/core';
import { MetaColumns } from '../../../src/columns/column-types.js';
import { storedRowsTable } from '../../../src/load/stream-row-format.js';
import { StreamTableLoad } from '../../../src/load/stream-table-load.js';
import { withSession } from '../../support/with-session.js';

/** More shards than one byte counts, each with its own rows. */
const SHARDS = 300;
const FORMATS = ['json', 'gzip+json', 'kpl+json', ''];

describe('StreamTableLoad (real DuckDB)', () => {
  it('stores _shard and _format as codes and no _stream, behind a view with the text columns, fields first', async () => {
    await withSession({}, async (session, spool) => {
      // Two rows per chunk, so the field seen last is added to the stored table late.
      const load = new StreamTableLoad(session, spool, 'logs', "web 'logs'", undefined, 2);
      const expected: unknown[][] = [];
      for (let i = 0; i < SHARDS * 2; i++) {
        const shard = `shardId-${String(i % SHARDS).padStart(12, '0')}`;
        const format = FORMATS[i % FORMATS.length]!;
        const event = i === SHARDS * 2 - 1 ? { n: i, late: 'x' } : { n: i };
        const line = JSON.stringify(event);
        load.row(normalizeJsonEvent(JSON.parse(line), line), line, {
          shardId: shard,
          sequenceNumber: String(i + 1),
          arrivalMs: 0,
          partitionKey: 'k',
          format,
        });
        expected.push([i, "web 'logs'", shard, format]);
        if (i % 50 === 49) await load.afterPage();
      }
      await load.finish();

      const view = await session.run('DESCRIBE logs');
      const described = view.rows.map((r) => [r[0], r[1]]);
      const meta = Object.entries(MetaColumns);
      // The fields (the fixed event columns, n, then late), then the `_` columns as typed.
      expect(described.slice(-meta.length)).to.deep.equal(meta);
      expect(described.slice(-meta.length - 2, -meta.length)).to.deep.equal([
        ['n', 'BIGINT'],
        ['late', 'VARCHAR'],
      ]);
      const stored = await session.run(`DESCRIBE ${storedRowsTable('logs')}`);
      const storedTypes = Object.fromEntries(stored.rows.map((r) => [String(r[0]), String(r[1])]));
      expect(storedTypes).to.not.have.property('_stream');
      expect(storedTypes).to.include({ _shard: 'UINTEGER', _format: 'UINTEGER', late: 'VARCHAR' });

      const rows = await session.run('SELECT n, _stream, _shard, _format FROM logs');
      expect(rows.rows).to.deep.equal(expected);
      const late = await session.run('SELECT late FROM logs WHERE late IS NOT NULL');
      expect(late.rows).to.deep.equal([['x']]);
    });
  });

  it('makes an empty view of the columns when no row came', async () => {
    await withSession({}, async (session, spool) => {
      const load = new StreamTableLoad(session, spool, 'logs', 'web-logs');
      expect((await load.finish()).rows).to.equal(0);
      const view = await session.run('SELECT * FROM logs');
      expect(view.rows).to.deep.equal([]);
      expect(view.columns.filter((c) => c.name.startsWith('_'))).to.deep.equal(
        Object.entries(MetaColumns).map(([name, type]) => ({ name, type })),
      );
    });
  });
});
