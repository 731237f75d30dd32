import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@kinlog/core';
import { expect } from 'chai';
import {
  fixedColumns,
  parseColumnSchema,
  readColumnSchema,
} from '../../../src/columns/column-schema.js';
import { EventColumns, MetaColumns } from '../../../src/columns/column-types.js';
import { RowEncoder } from '../../../src/columns/row-encoder.js';

function problemsOf(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return [...(err as ConfigError).problems];
  }
  expect.fail('no ConfigError');
}

describe('column schema (--schema)', () => {
  it('reads {"column": "TYPE"} pairs, types in any case', () => {
    expect(
      parseColumnSchema('{"durationMs": "bigint", "user": " JSON ", "ok": "Boolean"}', 't.json'),
    ).to.deep.equal({ durationMs: 'BIGINT', user: 'JSON', ok: 'BOOLEAN' });
  });

  it('names every problem at once', () => {
    const problems = problemsOf(() =>
      parseColumnSchema(
        '{"a": "INT128", "_raw": "VARCHAR", "Level": "VARCHAR", "level": "JSON", "n": 3}',
        't.json',
      ),
    );
    expect(problems.map((p) => p.path)).to.have.members([
      't.json.a',
      't.json._raw',
      't.json.level',
      't.json.n',
    ]);
    expect(problems.find((p) => p.path === 't.json.a')!.message).to.include('BIGINT');
    expect(problems.find((p) => p.path === 't.json.level')!.message).to.include('"Level"');
    expect(problemsOf(() => parseColumnSchema('[1]', 't.json'))[0]!.message).to.include(
      'must be an object',
    );
    expect(problemsOf(() => parseColumnSchema('{', 't.json'))[0]!.message).to.include('not JSON');
  });

  it('reads a file; one that is missing is a ConfigError naming --schema', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kinlog-schema-'));
    try {
      await writeFile(join(dir, 'types.json'), '{"n": "DOUBLE"}');
      expect(await readColumnSchema(join(dir, 'types.json'))).to.deep.equal({ n: 'DOUBLE' });
      const error = await readColumnSchema(join(dir, 'missing.json')).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ConfigError);
      expect((error as ConfigError).problems[0]!.path).to.equal('--schema');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lays pinned types over the common fields (any case), other pinned columns after them', () => {
    const fixed = fixedColumns({ Status: 'BIGINT', durationMs: 'DOUBLE' });
    expect(Object.keys(fixed)).to.deep.equal([...Object.keys(EventColumns), 'durationMs']);
    expect(fixed['status']).to.equal('BIGINT');
    expect(fixed['durationMs']).to.equal('DOUBLE');
  });

  it('reads values that do not fit a pinned type as NULL and counts them', () => {
    const encoder = new RowEncoder(
      fixedColumns({ n: 'BIGINT', r: 'DOUBLE', ok: 'BOOLEAN', doc: 'JSON', label: 'VARCHAR' }),
      MetaColumns,
    );
    const rows = [
      { n: 1, r: 1.5, ok: true, doc: { a: [1] }, label: 'x' },
      { n: 2.5, r: 'x', ok: 'yes', doc: 'text', label: 7 },
      { n: 2 ** 60, r: 3, ok: false, doc: [1], label: { no: 1 } },
      { n: '3', r: null, ok: 0 },
    ].map((event) => JSON.parse(encoder.encode(event)) as Record<string, unknown>);
    expect(rows).to.deep.equal([
      { n: 1, r: 1.5, ok: true, doc: { a: [1] }, label: 'x' },
      { doc: 'text', label: '7' },
      { r: 3, ok: false, doc: [1] },
      {},
    ]);
    expect(encoder.stats.nulled).to.deep.equal({ n: 3, r: 1, ok: 2, label: 1 });
    expect(encoder.columns().slice(9, 14)).to.deep.equal([
      { name: 'n', type: 'BIGINT' },
      { name: 'r', type: 'DOUBLE' },
      { name: 'ok', type: 'BOOLEAN' },
      { name: 'doc', type: 'JSON' },
      { name: 'label', type: 'VARCHAR' },
    ]);
  });
});
