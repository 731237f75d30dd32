import { expect } from 'chai';
import { sqlErrorOf } from '../../../src/session/sql-error-of.js';
import { SqlError } from '../../../src/errors.js';

describe('sqlErrorOf', () => {
  it("makes DuckDB's message one line with the caret's line and column", () => {
    const err = sqlErrorOf(
      new Error(
        'Binder Error: Referenced column "nosuch" not found in FROM clause!\nCandidate bindings: "id"\n\nLINE 3: WHERE nosuch = 1\n              ^',
      ),
    );
    expect(err).to.be.instanceOf(SqlError);
    expect(err.exitCode).to.equal(2);
    expect(err.position).to.deep.equal({ line: 3, column: 7 });
    expect(err.message).to.equal(
      'Binder Error: Referenced column "nosuch" not found in FROM clause! (line 3, column 7)',
    );
  });

  it('drops the statement-splitting prefix and copes with messages without a position', () => {
    expect(
      sqlErrorOf(
        new Error('Failed to extract statements: Parser Error: syntax error at end of input'),
      ).message,
    ).to.equal('Parser Error: syntax error at end of input');
    expect(sqlErrorOf('plain').position).to.equal(undefined);
  });
});
