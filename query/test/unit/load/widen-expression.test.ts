import { expect } from 'chai';
import { ColumnTypes } from '../../../src/columns/column-types.js';
import { widenExpression } from '../../../src/load/widen-expression.js';
import { QuerySession, quoteLiteral } from '../../../src/session/query-session.js';

/** Doubles of every kind a JSON number parses to, from a fixed seed. */
function doubles(): number[] {
  let seed = 0x2545f491;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const values = [
    0,
    -0,
    1,
    -1,
    100,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53 + 2),
    Number('9007199254740993'),
    1e16,
    1e20,
    -1e20,
    123456789012345680000,
    1e21,
    1.5e21,
    999999999999999900000,
    0.1,
    1.5e-7,
    1e-6,
    1e-7,
    0.000001234,
    12345678.9,
    5e-324,
    1.7976931348623157e308,
    -2.5e-300,
  ];
  for (let i = 0; i < 3000; i++) {
    const magnitude = 10 ** Math.floor(random() * 44 - 22);
    const x = (random() - 0.5) * 2 * magnitude;
    values.push(x, Math.round(x), Math.trunc(x * 1e3) / 1e3);
  }
  return values;
}

describe('widenExpression (real DuckDB)', () => {
  it('gives a double column widened to VARCHAR or JSON the value a row loaded afterwards gets from the same number', async () => {
    const session = await QuerySession.open();
    try {
      const values = doubles();
      await session.exec('CREATE TABLE t (i INTEGER, n DOUBLE, text VARCHAR)');
      const rows = values.map(
        (x, i) =>
          `(${i}, ${quoteLiteral(JSON.stringify(x))}::DOUBLE, ${quoteLiteral(JSON.stringify(x))})`,
      );
      await session.exec(`INSERT INTO t VALUES ${rows.join(', ')}`);
      await session.exec('CREATE TABLE j AS SELECT * FROM t');
      for (const [table, to] of [
        ['t', ColumnTypes.varchar],
        ['j', ColumnTypes.json],
      ] as const) {
        await session.exec(
          `ALTER TABLE ${table} ALTER n TYPE ${to} USING ${widenExpression('n', ColumnTypes.double, to)}`,
        );
        // A later row's number, read by DuckDB's JSON reader from JSON.stringify's text.
        const differ = await session.run(
          `SELECT i, CAST(n AS VARCHAR), CAST(json_transform('{"n":' || text || '}', '{"n":"${to}"}').n AS VARCHAR) AS later
           FROM ${table} WHERE CAST(n AS VARCHAR) IS DISTINCT FROM later ORDER BY i LIMIT 5`,
        );
        expect(differ.rows, to).to.deep.equal([]);
      }
      // Integral numbers read as JSON.stringify writes them, not in DuckDB's double notation.
      const integral = await session.run(
        `SELECT t.n, CAST(j.n AS VARCHAR) FROM t JOIN j USING (i) WHERE i IN (5, 10, 12) ORDER BY i`,
      );
      expect(integral.rows).to.deep.equal([
        ['9007199254740992', '9007199254740992'],
        ['100000000000000000000', '100000000000000000000'],
        ['123456789012345680000', '123456789012345680000'],
      ]);
    } finally {
      session.close();
    }
  });

  it('casts every other widening', () => {
    expect(widenExpression('"n"', ColumnTypes.bigint, ColumnTypes.double)).to.equal(
      'CAST("n" AS DOUBLE)',
    );
    expect(widenExpression('"n"', ColumnTypes.bigint, ColumnTypes.json)).to.equal('to_json("n")');
  });
});
