import { expect } from 'chai';
import {
  storedStreamColumns,
  streamRowsSelect,
  streamRowsView,
  StreamRowFlags,
} from '../../../src/load/stream-row-format.js';
import { ValueCodes } from '../../../src/load/value-codes.js';

const columns = [
  { name: 'level', type: 'VARCHAR' },
  { name: '_stream', type: 'VARCHAR' },
  { name: '_shard', type: 'VARCHAR' },
  { name: '_format', type: 'VARCHAR' },
] as const;
const shared = { _shard: 2, _format: 1 };

describe('streamRowsSelect', () => {
  it("has a chunk's shared _shard and _format codes as constants when no row writes its own", () => {
    const select = streamRowsSelect('/tmp/f', columns, 1 << 20, 0, shared);
    expect(select).to.contain(`2 AS "_shard"`);
    expect(select).to.contain(`1 AS "_format"`);
    expect(select).not.to.contain('coalesce');
  });

  it('keeps the codes rows wrote, and the shared ones where they left them empty, when some row writes its own', () => {
    for (const flags of [
      StreamRowFlags.sharedApart,
      StreamRowFlags.jsonMeta | StreamRowFlags.sharedApart,
    ]) {
      const select = streamRowsSelect('/tmp/f', columns, 1 << 20, flags, shared);
      expect(select).to.contain('coalesce("_shard", 2) AS "_shard"');
      expect(select).to.contain('coalesce("_format", 1) AS "_format"');
    }
  });

  it('reads every code from the rows when the chunk has no shared ones, as integers even in JSON rows', () => {
    const select = streamRowsSelect('/tmp/f', columns, 1 << 20, StreamRowFlags.jsonMeta);
    expect(select).to.contain('"_shard" AS "_shard"');
    expect(select).to.contain('"_format" AS "_format"');
    expect(select).to.contain(`'_shard': 'UINTEGER'`);
    expect(select).to.contain(`'_format': 'UINTEGER'`);
    expect(select).to.contain(`'_seq': 'VARCHAR'`);
  });

  it('leaves _stream to the view', () => {
    expect(streamRowsSelect('/tmp/f', columns, 1 << 20, 0, shared)).not.to.contain('_stream');
    expect(storedStreamColumns(columns)).to.deep.equal([
      { name: 'level', type: 'VARCHAR' },
      { name: '_shard', type: 'UINTEGER' },
      { name: '_format', type: 'UINTEGER' },
    ]);
  });
});

describe('streamRowsView', () => {
  it('turns codes back into their values, in the order of the columns', () => {
    const codes = { _shard: new ValueCodes(), _format: new ValueCodes() };
    codes._shard.codeOf("shard-'0'");
    codes._shard.codeOf('shard-1');
    codes._format.codeOf('json');
    expect(streamRowsView('logs', columns, "web'logs", codes)).to.equal(
      `CREATE VIEW "logs" AS SELECT "level", CAST('web''logs' AS VARCHAR) AS "_stream", ` +
        `list_extract(['shard-''0''', 'shard-1'], "_shard") AS "_shard", ` +
        `list_extract(['json'], "_format") AS "_format" FROM "kinlog_rows"."logs"`,
    );
  });

  it('has NULL texts where no value was coded (no rows)', () => {
    const codes = { _shard: new ValueCodes(), _format: new ValueCodes() };
    expect(streamRowsView('logs', columns, 's', codes)).to.contain(
      'CAST(NULL AS VARCHAR) AS "_shard", CAST(NULL AS VARCHAR) AS "_format"',
    );
  });
});
