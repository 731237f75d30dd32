import { expect } from 'chai';
import { displayWidth } from '@kinlog/analyzer';
import { csvField, renderResult } from '../../../src/output/render-result.js';

const result = {
  columns: [
    { name: 'page', type: 'VARCHAR' },
    { name: 'n', type: 'BIGINT' },
    { name: 'user', type: 'STRUCT(id INTEGER)' },
  ],
  rows: [
    ['/cart', '12', { id: 1 }],
    ['/a,"b"\nc', '3', null],
  ],
};

describe('renderResult', () => {
  it('writes csv, json and ndjson', () => {
    expect(renderResult(result, 'csv')).to.equal(
      'page,n,user\n/cart,12,"{""id"":1}"\n"/a,""b""\nc",3,\n',
    );
    expect(JSON.parse(renderResult(result, 'json'))).to.deep.equal([
      { page: '/cart', n: '12', user: { id: 1 } },
      { page: '/a,"b"\nc', n: '3', user: null },
    ]);
    expect(renderResult(result, 'ndjson').split('\n')).to.have.length(3);
  });

  it('fits the table into the terminal width, numbers right-aligned', () => {
    const wide = {
      columns: [
        { name: 'msg', type: 'VARCHAR' },
        { name: 'n', type: 'BIGINT' },
      ],
      rows: [
        ['x'.repeat(200), '7'],
        ['短い', '12345'],
      ],
    };
    const text = renderResult(wide, 'table', 40);
    const lines = text.trimEnd().split('\n');
    for (const line of lines) expect(displayWidth(line)).to.be.at.most(40);
    expect(lines[2]).to.match(/…\s│\s+7$/);
    expect(lines.at(-1)).to.equal('(2 rows)');
  });
});

describe('csvField', () => {
  it('quotes what needs it and defuses spreadsheet formulas', () => {
    expect(csvField('plain')).to.equal('plain');
    expect(csvField('=SUM(A1)')).to.equal("'=SUM(A1)");
    expect(csvField('-12')).to.equal('-12');
  });
});
