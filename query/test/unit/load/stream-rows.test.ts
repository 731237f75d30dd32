import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { KplAggregateBuilder } from '@kinlog/core';
import { EventColumns, MetaColumns } from '../../../src/columns/column-types.js';
import { RowEncoder, timestampText } from '../../../src/columns/row-encoder.js';
import { QuerySession, QuerySessionLimits } from '../../../src/session/query-session.js';
import { loadStreamTable } from '../../../src/load/load-stream-table.js';
import { SpoolDirectory } from '../../../src/load/ndjson-spool.js';
import { TableLoader } from '../../../src/load/table-loader.js';
import { readWindowRows } from '../../../src/window/read-window-rows.js';
import type { StreamWindow } from '../../../src/window/stream-window.js';
import { MemoryShardSource, type MemoryRecord } from '../../support/memory-shard-source.js';

const T0_MS = Date.parse('2024-05-01T00:00:00Z');
const utf8 = (text: string) => Buffer.from(text, 'utf8');

/** Lines of every kind the decoder hands over, each a record of its own unless packed. */
const LINES = [
  '{"time":"2024-05-01T00:00:00.000Z","level":"error","status":500,"region":"eu-west-1","page":"/cart","n":1}',
  '{ "level": "warn", "status": 404, "n": 2 }',
  '{"level":50,"time":1714521600000,"msg":"boom","hostname":"web-1"}',
  'GET /cart 500 plain text\twith a tab',
  '{"Level":"x","level":"info","_stream":"fake","_raw":"fake","we\\"ird":1,"ünï":"ç","a.b":2}',
  '{"a":1,"a":2,"status":200}',
  '{"msg":"line\\nnext \\"q\\" \\u00e9 \\ud83d\\ude00 \\\\ back","path":"C:\\\\x","ctl":"\\u0001"}',
  '{"msg":"héllo 😀 ✓","region":"ap-south-1"}',
  '{"big":12345678901234567890,"f":1.5,"e":1e21,"neg":-0,"small":1e-7,"int":42,"f2":1.0}',
  '{"user":{"id":1,"tags":["a","b"],"user":{"x":null}},"arr":[1,2,3],"n":3.25}',
  '{"status":"oops","time":"nope","n":"text now"}',
  '{}',
  '',
  '\ufeff{"a":1}',
  '{"parseError":true,"raw":"x"}',
  '[1,2]',
  '{"1":"digit key","b":2}',
  '{"user":{"b":1,"1":2}}',
  '{"user":{"dup":1,"dup":2}}',
  '{"msg":"ends with CRLF"}\r\n',
  '{"status":200,"msg":"tab\\tinside","region":"us-east-1"}',
];

function records(): MemoryRecord[] {
  const out: MemoryRecord[] = LINES.map((line, i) => ({
    data: utf8(line),
    partitionKey: `k-${i % 3}`,
    arrivalMs: T0_MS + i * 1234,
  }));
  out.push({
    data: gzipSync(utf8('{"level":"error","msg":"gzipped","status":503}')),
    arrivalMs: T0_MS + 59_999,
    partitionKey: 'gz',
  });
  out.push({
    data: gzipSync(
      utf8('203.0.113.9 - - [01/May/2024:00:00:01 +0000] "GET /cart HTTP/1.1" 503 12 "-" "curl/8"'),
    ),
    arrivalMs: T0_MS + 59_999,
    partitionKey: 'gz',
  });
  out.push({
    data: gzipSync(utf8('gzipped text line')),
    arrivalMs: T0_MS + 60_000,
    partitionKey: 'gz',
  });
  out.push({
    data: Buffer.from([0x1f, 0x8b, 1, 2, 3, 0x22, 0x09]),
    arrivalMs: T0_MS + 60_001,
    partitionKey: 'bad gzip',
  });
  const kpl = new KplAggregateBuilder();
  kpl.add('user-1', utf8('{"level":"info","msg":"kpl one","status":200}'));
  kpl.add('user-2', utf8('kpl text line'));
  kpl.add('user-1', utf8('{"level":"error", "msg":"kpl spaced","status":502}'));
  out.push({ data: kpl.build(), arrivalMs: T0_MS + 120_000, partitionKey: 'kpl' });
  // Partition keys that are no plain text: the row's meta columns go as JSON.
  out.push({ data: utf8('{"n":10}'), arrivalMs: T0_MS + 120_001, partitionKey: 'tab\there' });
  out.push({ data: utf8('{"n":11}'), arrivalMs: T0_MS + 120_002, partitionKey: '' });
  out.push({ data: utf8('{"n":12}'), arrivalMs: T0_MS + 120_003, partitionKey: 'ключ "q"' });
  out.push({ data: utf8('{"n":13}'), arrivalMs: Number.NaN });
  out.push({ data: utf8('{"n":14}'), arrivalMs: -1, partitionKey: 'before 1970' });
  // Lines longer than the smallest read buffer: the chunk is read with larger ones.
  out.push({ data: utf8(JSON.stringify({ msg: 'long '.repeat(600_000) })), arrivalMs: T0_MS });
  out.push({ data: utf8('"quoted" text '.repeat(150_000)), arrivalMs: T0_MS });
  return out;
}

/** The rows as every stream row was loaded before (one NDJSON object per row). */
async function loadAsNdjson(
  session: QuerySession,
  spool: SpoolDirectory,
  source: MemoryShardSource,
  window: StreamWindow,
): Promise<void> {
  const encoder = new RowEncoder(EventColumns, MetaColumns);
  const loader = new TableLoader(session, spool, 'general', encoder);
  await readWindowRows(source, window, {
    row: (event, line, origin) => {
      const meta = {
        _stream: window.stream,
        _shard: origin.shardId,
        _seq: origin.sequenceNumber,
        _arrival: timestampText(origin.arrivalMs),
        _partition_key: origin.partitionKey,
        _format: origin.format,
      };
      const row = encoder.encode(event, { ...meta, _raw: line });
      loader.add(
        Buffer.byteLength(row) <= QuerySessionLimits.MAX_OBJECT_BYTES
          ? row
          : encoder.encode({}, meta),
      );
    },
    afterPage: () => loader.settle(),
  });
  await loader.finish();
}

describe('stream rows (real DuckDB)', () => {
  it('loads mixed records exactly as one NDJSON object per row would: JSON, text, KPL, gzip, odd and duplicate keys, escapes, unicode', async () => {
    const all = records();
    const source = new MemoryShardSource(
      new Map([
        ['shardId-000000000000', all.slice(0, 17)],
        ['shardId-000000000001', all.slice(17)],
      ]),
    );
    const window: StreamWindow = {
      stream: 'web "logs"',
      shards: [{ shardId: 'shardId-000000000000' }, { shardId: 'shardId-000000000001' }],
      label: 'test window',
    };
    const session = await QuerySession.open();
    const spool = await SpoolDirectory.create();
    try {
      const loaded = await loadStreamTable(session, spool, source, 'fast', window);
      await loadAsNdjson(session, spool, source, window);
      expect(loaded.rows).to.equal(all.length + 2); // the KPL aggregate holds three
      const describe = async (table: string) =>
        (await session.run(`SELECT column_name, column_type FROM (DESCRIBE ${table})`)).rows;
      expect(await describe('fast')).to.deep.equal(await describe('general'));
      const rows = async (table: string) =>
        (await session.run(`SELECT * FROM ${table} ORDER BY rowid`)).rows;
      const fast = await rows('fast');
      expect(fast).to.deep.equal(await rows('general'));
      const differ = await session.run(
        `SELECT count(*) FROM (SELECT * FROM fast EXCEPT ALL SELECT * FROM general)`,
      );
      expect(differ.rows).to.deep.equal([[0]]);
      // The cases the spool writes differently are all there.
      const check = await session.run(
        `SELECT count(*) FILTER (WHERE _partition_key = 'tab\there'),
                count(*) FILTER (WHERE _partition_key = ''),
                count(*) FILTER (WHERE _partition_key IS NULL),
                count(*) FILTER (WHERE _arrival IS NULL),
                count(*) FILTER (WHERE _raw = '{"time":"2024-05-01T00:00:00.000Z","level":"error","status":500,"region":"eu-west-1","page":"/cart","n":1}'),
                count(*) FILTER (WHERE _format = 'kpl+raw'),
                count(*) FILTER (WHERE _format = 'gzip+access'),
                count(*) FILTER (WHERE _format = 'gzip+json'),
                count(*) FILTER (WHERE _stream = 'web "logs"')
         FROM fast`,
      );
      // `_format` names what read the record, as the report's per-format counts do.
      expect(check.rows).to.deep.equal([[1, 1, 3, 1, 1, 1, 1, 1, all.length + 2]]);
    } finally {
      session.close();
      await spool.remove();
    }
  });

  it('keeps pinned column types whatever the window holds; values that do not fit are NULL and counted', async () => {
    const lines = [
      '{"durationMs":12,"user":{"id":1},"status":200}',
      '{"durationMs":"slow","user":"anonymous","status":"oops"}',
      '{"durationMs":7.5,"status":70000}',
      'plain text',
    ];
    const source = new MemoryShardSource(
      new Map([
        ['shardId-0', lines.map((line, i) => ({ data: utf8(line), arrivalMs: T0_MS + i }))],
      ]),
    );
    const window: StreamWindow = { stream: 's', shards: [{ shardId: 'shardId-0' }], label: 'w' };
    const session = await QuerySession.open();
    const spool = await SpoolDirectory.create();
    try {
      const loaded = await loadStreamTable(session, spool, source, 'logs', window, {
        columnTypes: { durationMs: 'BIGINT', user: 'JSON', Status: 'BIGINT', flag: 'BOOLEAN' },
      });
      expect(loaded.encode.nulled).to.deep.equal({ durationMs: 2, status: 1 });
      const types = await session.run(
        `SELECT column_name, column_type FROM (DESCRIBE logs) WHERE column_name IN ('durationMs', 'user', 'status', 'flag')`,
      );
      expect(types.rows).to.deep.equal([
        ['status', 'BIGINT'],
        ['durationMs', 'BIGINT'],
        ['user', 'JSON'],
        ['flag', 'BOOLEAN'],
      ]);
      const rows = await session.run(
        'SELECT durationMs, user, status, flag FROM logs ORDER BY rowid',
      );
      expect(rows.rows).to.deep.equal([
        [12, '{"id":1}', 200, null],
        [null, '"anonymous"', null, null],
        [null, null, 70000, null],
        [null, null, null, null],
      ]);
    } finally {
      session.close();
      await spool.remove();
    }
  });
});
