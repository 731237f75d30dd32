import { expect } from 'chai';
import { streamRowsSelect, StreamRowFlags } from '../../../src/load/stream-row-format.js';

const columns = [
  { name: 'level', type: 'VARCHAR' },
  { name: '_shard', type: 'VARCHAR' },
  { name: '_format', type: 'VARCHAR' },
] as const;
const shared = { _shard: "shard-'0'", _format: 'json' };

describe('streamRowsSelect', () => {
  it("has a chunk's shared _shard and _format as constants when no row writes its own", () => {
    const select = streamRowsSelect('/tmp/f', columns, 1 << 20, 's', 0, shared);
    expect(select).to.contain(`'shard-''0''' AS "_shard"`);
    expect(select).to.contain(`'json' AS "_format"`);
    expect(select).not.to.contain('coalesce');
  });

  it('keeps the values rows wrote, and the shared ones where they left them empty, when some row writes its own', () => {
    for (const flags of [StreamRowFlags.sharedApart, StreamRowFlags.jsonMeta]) {
      const select = streamRowsSelect('/tmp/f', columns, 1 << 20, 's', flags, shared);
      expect(select).to.match(/coalesce\(.*"_shard".*, 'shard-''0'''\) AS "_shard"/);
      expect(select).to.match(/coalesce\(.*"_format".*, 'json'\) AS "_format"/);
    }
  });

  it('reads every meta value from the rows when the chunk has no shared values', () => {
    const select = streamRowsSelect('/tmp/f', columns, 1 << 20, 's', 0);
    expect(select).to.contain('"_shard" AS "_shard"');
    expect(select).to.contain('"_format" AS "_format"');
  });
});
