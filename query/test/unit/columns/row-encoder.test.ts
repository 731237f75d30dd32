import { expect } from 'chai';
import { EventColumns, MetaColumns } from '../../../src/columns/column-types.js';
import { RowEncoder, timestampText } from '../../../src/columns/row-encoder.js';
import { normalizeJsonEvent } from '@kinlog/core';

describe('RowEncoder', () => {
  it('writes fitting events as they are, with meta columns after their fields', () => {
    const encoder = new RowEncoder(EventColumns, MetaColumns);
    const line = encoder.encode(
      { time: '2024-01-02T03:04:05.678Z', status: 500, level: 'error', user: { id: 1 } },
      { _stream: 'logs', _seq: '42', _raw: 'x"y' },
    );
    expect(JSON.parse(line)).to.deep.equal({
      time: '2024-01-02T03:04:05.678Z',
      status: 500,
      level: 'error',
      user: { id: 1 },
      _stream: 'logs',
      _seq: '42',
      _raw: 'x"y',
    });
    expect(encoder.encode({}, { _seq: '1' })).to.equal('{"_seq":"1"}');
    expect(encoder.encode({ a: 1 })).to.equal('{"a":1}');
  });

  it('reads unfit values of fixed columns as NULL and counts them', () => {
    const encoder = new RowEncoder(EventColumns, MetaColumns);
    const row = JSON.parse(
      encoder.encode({ time: 'not a time', status: '500', level: 40, msg: { a: 1 }, host: 'h' }),
    ) as Record<string, unknown>;
    expect(row).to.deep.equal({ level: '40', host: 'h' });
    expect(encoder.stats.nulled).to.deep.equal({ time: 1, status: 1, msg: 1 });
    // A time in another form is turned into ISO-8601; statuses past INTEGER are unfit.
    expect(
      JSON.parse(encoder.encode({ time: 'Tue, 02 Jan 2024 03:04:05 GMT', status: 2 ** 40 })),
    ).to.deep.equal({ time: '2024-01-02T03:04:05.000Z' });
    expect(encoder.stats.nulled['status']).to.equal(2);
  });

  it('types other fields by what the window holds: numbers widen, mixes become VARCHAR or JSON', () => {
    const encoder = new RowEncoder(EventColumns, MetaColumns);
    for (const event of [
      { n: 1, f: 1, s: 'a', b: true, o: { x: 1 }, m: 1, nul: null },
      { n: 2, f: 1.5, s: 'b', b: false, o: [1], m: 'x', nul: null },
    ])
      encoder.encode(event);
    const types = Object.fromEntries(encoder.columns().map((c) => [c.name, c.type]));
    expect(types).to.include({
      n: 'BIGINT',
      f: 'DOUBLE',
      s: 'VARCHAR',
      b: 'BOOLEAN',
      o: 'JSON',
      m: 'VARCHAR',
      nul: 'VARCHAR',
      time: 'TIMESTAMP',
      status: 'INTEGER',
      _seq: 'VARCHAR',
    });
    const names = encoder.columns().map((c) => c.name);
    expect(names.slice(0, 3)).to.deep.equal(['time', 'level', 'status']);
    expect(names.at(-1)).to.equal('_raw');
  });

  it('keeps one column per name whatever the case; meta names cannot be taken by fields', () => {
    const encoder = new RowEncoder(EventColumns, MetaColumns);
    const row = JSON.parse(
      encoder.encode({ User: 'a', user: 'b', Status: 503, _seq: 'fake' }, { _seq: '7' }),
    ) as Record<string, unknown>;
    expect(row).to.deep.equal({ User: 'a', status: 503, _seq: '7' });
    expect(encoder.stats.shadowed).to.equal(2);
    expect(JSON.parse(encoder.encode({ user: 'c' }))).to.deep.equal({ User: 'c' });
  });
});

describe('timestampText', () => {
  it('keeps ISO-8601 UTC times, converts other readable ones, refuses the rest', () => {
    expect(timestampText('2024-01-02T03:04:05.123456Z')).to.equal('2024-01-02T03:04:05.123456Z');
    expect(timestampText(0)).to.equal('1970-01-01T00:00:00.000Z');
    expect(timestampText('2024-01-02T04:04:05+01:00')).to.equal('2024-01-02T03:04:05.000Z');
    for (const bad of ['soon', Number.NaN, 8.64e15 + 1, 253402300800000, true, {}])
      expect(timestampText(bad), JSON.stringify(bad)).to.equal(undefined);
  });
});

describe('RowEncoder.fieldsOfLine', () => {
  it('takes a JSON line as the row of its unchanged event only when it reads the same', () => {
    const encoder = new RowEncoder(EventColumns, MetaColumns);
    const row = (line: string) =>
      encoder.fieldsOfLine(normalizeJsonEvent(JSON.parse(line), line), line);
    const same = '{"time":"2024-01-02T03:04:05.678Z","status":500,"user":{"id":1,"t":[1,"x"]}}';
    expect(row(same)).to.equal(same);
    // Another form, a duplicate key, an unfit or shadowed value: the event's JSON instead.
    expect(row('{"n":1.0,"s":"x"}')).to.equal('{"n":1,"s":"x"}');
    expect(row('{"n":1,"n":2}')).to.equal('{"n":2}');
    expect(row('{"u":{"d":1,"d":2}}')).to.equal('{"u":{"d":2}}');
    expect(row('{"time":"yesterday","n":3}')).to.equal('{"n":3}');
    expect(row('{"status":"500","n":3}')).to.equal('{"status":500,"n":3}'); // normalized
    expect(row('{"_stream":"x","n":4}')).to.equal('{"n":4}');
    expect(row('{"K":5}')).to.equal('{"K":5}'); // first sight of K: as is
    expect(row('{"k":6}')).to.equal('{"K":6}'); // k is column K now
    expect(encoder.stats.rows).to.equal(9);
    expect(encoder.stats.nulled).to.deep.equal({ time: 1 });
    // Types are noted on either way.
    const types = Object.fromEntries(encoder.columns().map((c) => [c.name, c.type]));
    expect(types).to.include({ user: 'JSON', n: 'BIGINT', s: 'VARCHAR', u: 'JSON' });
  });
});
