import { expect } from 'chai';
import type { StoredQueryResult } from '../../../src/checkpoint/stored-items.js';
import {
  isNumericColumnType,
  renderSavedQueriesHtml,
  rowAsObject,
  renderSavedQueriesText,
  SavedQueryRenderLimits,
  savedQueriesJson,
  withSavedQueriesHtml,
  withSavedQueriesJson,
} from '../../../src/report/render-saved-queries.js';

function result(rows: unknown[][]): StoredQueryResult {
  return {
    formatVersion: 1,
    name: 'web',
    iteration: 3,
    query: 'errors-by-host',
    sql: 'SELECT host, count(*) n FROM logs GROUP BY host ORDER BY n DESC',
    columns: [
      { name: 'host', type: 'VARCHAR' },
      { name: 'n', type: 'BIGINT' },
    ],
    rows,
    ranAt: '2026-01-01T00:00:00.000Z',
    ofQueries: 1,
  };
}

describe('saved-query renderers', () => {
  const sample = result([
    ['web-1', 12],
    ['db-primary', 3],
    [null, 1],
  ]);

  it('text: a titled table, numbers right-aligned, NULL shown', () => {
    expect(renderSavedQueriesText([sample])).to.equal(
      '\nSaved query errors-by-host (3 rows)\n' +
        'host       │  n\n' +
        '───────────┼───\n' +
        'web-1      │ 12\n' +
        'db-primary │  3\n' +
        'NULL       │  1\n',
    );
    expect(renderSavedQueriesText([])).to.equal('');
  });

  it('text and HTML: hostile cells are made visible and escaped, long results cut with a note', () => {
    const hostile = result([['<script>x</script>\u001b[31m\nnext', 1]]);
    const text = renderSavedQueriesText([hostile]);
    expect(text).to.not.include('\u001b');
    expect(text.split('\n')).to.have.length(6);
    const html = renderSavedQueriesHtml([hostile]);
    expect(html).to.not.include('<script>');
    expect(html).to.include('&lt;script&gt;');
    const many = result(
      Array.from({ length: SavedQueryRenderLimits.MAX_SHOWN_ROWS + 5 }, (_, i) => [`h${i}`, i]),
    );
    expect(renderSavedQueriesText([many])).to.include('… 5 more rows');
    expect(renderSavedQueriesHtml([many])).to.include('… 5 more rows');
  });

  it('JSON: rows keyed by column; merged into a report without changing it otherwise', () => {
    expect(savedQueriesJson([sample])[0]).to.deep.include({
      query: 'errors-by-host',
      rows: [
        { host: 'web-1', n: 12 },
        { host: 'db-primary', n: 3 },
        { host: null, n: 1 },
      ],
    });
    const report = JSON.stringify({ version: 1, iteration: 3 }, null, 2) + '\n';
    expect(withSavedQueriesJson(report, [])).to.equal(report);
    const merged = JSON.parse(withSavedQueriesJson(report, [sample])) as Record<string, unknown>;
    expect(merged['iteration']).to.equal(3);
    expect((merged['savedQueries'] as unknown[]).length).to.equal(1);
  });

  it('HTML: the section goes before </body>', () => {
    const html = withSavedQueriesHtml('<html><body><p>top</p></body></html>', [sample]);
    expect(html.indexOf('Saved query')).to.be.greaterThan(html.indexOf('<p>top</p>'));
    expect(html.indexOf('Saved query')).to.be.lessThan(html.indexOf('</body>'));
    expect(withSavedQueriesHtml('<p>x</p>', [])).to.equal('<p>x</p>');
  });
});

describe('isNumericColumnType', () => {
  it('tells number columns (aligned right) from the rest, by their DuckDB type', () => {
    for (const t of ['BIGINT', 'INTEGER', 'HUGEINT', 'UBIGINT', 'DOUBLE', 'FLOAT', 'DECIMAL(18,3)'])
      expect(isNumericColumnType(t), t).to.equal(true);
    for (const t of ['VARCHAR', 'TIMESTAMP', 'BOOLEAN', 'DATE', 'JSON', 'INTERVAL'])
      expect(isNumericColumnType(t), t).to.equal(false);
  });
});

describe('rowAsObject', () => {
  it('keys a row by column name, a repeated name by its own key, a missing value as null', () => {
    expect(rowAsObject([{ name: 'n' }, { name: 'n' }, { name: 'x' }], [1, 2])).to.deep.equal({
      n: 1,
      n_1: 2,
      x: null,
    });
  });
});
