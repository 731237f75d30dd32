import { DuckDBInstance } from '@duckdb/node-api';
import { expect } from 'chai';
import { InsertLane } from '../../../src/session/insert-lane.js';

describe('InsertLane (real DuckDB)', () => {
  it('sends the insert with its BEGIN, so it does not wait a turn of the event loop between them', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const setup = await instance.connect();
    await setup.run('CREATE TABLE t (n INTEGER)');
    const connection = await instance.connect();
    const sent: string[] = [];
    const run = connection.run.bind(connection);
    connection.run = (sql, ...rest) => {
      sent.push(sql);
      return run(sql, ...rest);
    };
    const lane = new InsertLane(connection, () => Promise.resolve());
    try {
      expect(await lane.insertSelect('t', 'SELECT 1 AS n', Promise.resolve(true))).to.equal(true);
      expect(sent).to.deep.equal([
        'BEGIN TRANSACTION; INSERT INTO "t" BY NAME SELECT 1 AS n',
        'COMMIT',
      ]);
      // Rolled back when the chunk before failed; a failed insert leaves no transaction open.
      expect(await lane.insertSelect('t', 'SELECT 2 AS n', Promise.resolve(false))).to.equal(false);
      let failure: unknown;
      await lane
        .insertSelect('t', "SELECT 'x' AS n", Promise.resolve(true))
        .catch((err: unknown) => {
          failure = err;
        });
      expect(failure).to.be.instanceOf(Error);
      expect(await lane.insertSelect('t', 'SELECT 3 AS n', Promise.resolve(true))).to.equal(true);
      const rows = await setup.runAndReadAll('SELECT n FROM t ORDER BY n');
      expect(rows.getRows()).to.deep.equal([[1], [3]]);
    } finally {
      await lane.close();
      setup.closeSync();
      instance.closeSync();
    }
  });
});
