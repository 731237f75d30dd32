import { gzipSync } from 'node:zlib';
import { KplAggregateBuilder } from '@kinlog/core';
import type { MemoryRecord } from './memory-shard-source.js';

const T0_MS = Date.parse('2024-05-01T00:00:00Z');
const utf8 = (text: string) => Buffer.from(text, 'utf8');

/** A line, then lines of its shape and lines that only look like it. */
const SHAPE =
  '{"time":"2024-05-01T00:00:02.000Z","level":"error","status":503,"msg":"m","k":7,"f":0.5,"ok":true,"z":null,"u":{"id":1,"tags":["a",2,3.5]}}';
const SHAPED = [
  SHAPE,
  SHAPE.replace('"k":7', '"k":-8')
    .replace('"f":0.5', '"f":0.25')
    .replace('"m"', '"q \\"x\\" \\u00e9 😀"'),
  SHAPE.replace('"k":7', '"k":1.0'),
  SHAPE.replace('"f":0.5', '"f":1.50'),
  SHAPE.replace('"f":0.5', '"f":2'),
  SHAPE.replace('"status":503', '"status":2147483648'),
  SHAPE.replace('"id":1', '"id":1,"id":2'),
  SHAPE.replace('"id":1', '"id":1.0'),
  SHAPE.replace('"tags":["a",2,3.5]', '"tags":[1.0]'),
  SHAPE.replace('"tags":["a",2,3.5]', '"tags":[{"a":1,"a":2}]'),
  SHAPE.replace('}}', '},"k2":1}'),
  SHAPE.replace('"ok":true,', ''),
  SHAPE.replace('"z":null', '"z":"now text"'),
  SHAPE.replace('"status":503', '"st\\u0061tus":503'),
  SHAPE.replace('"k":7', '"k":-0'),
  SHAPE.replace('"k":7', '"k":1234567890123456'),
  SHAPE.replace('"k":7', '"k":123456789012345'),
  SHAPE.replace('"u":{"id":1', '"u":{"1":1'),
  SHAPE.replace('"time":"2024-05-01T00:00:02.000Z"', '"time":"2024-05-01T00:00:02.5Z"'),
];

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
  // Lines written as they are, or not, by their form alone (canonical-json-line.ts).
  '{"level":"info","msg":"ok","status":200,"time":"2024-05-01T00:00:01.000Z","v":1}',
  '{"v":"text","w":0.5,"x":-0.25,"y":12.5,"z":123456789012345}',
  '{"v":1.0,"w":12.50,"x":1E2,"y":-0,"z":9007199254740993}',
  '{"v":2,"user":{"z":1,"a":[1,"b",{"c":2.5}],"e":{}},"arr":[]}',
  '{"user":{"a":[1.0]}}',
  '{"user":{"a":[{"x":1,"x":2}]}}',
  '{"user":{"dup":1,"dup":1}}',
  '{"user":{"\\u0031":1,"a":2}}',
  '{"st\\u0061tus":201,"m":"a\\\\","q":"\\"x\\"","s":"\\/"}',
  '{"m":"line\u2028sep","n":null,"t":true,"f":false}',
  '{"__proto__":{"x":1},"p":2}',
  '{"level":"info", "v":3}',
  // One shape and lines close to it: those of the same shape are taken without a look at
  // their event (line-shapes.ts), the others the careful way.
  ...SHAPED,
];

/**
 * Records of every kind the decoder hands over (JSON, text, KPL, gzip, odd and duplicate keys,
 * escapes, unicode, partition keys that are no plain text, lines past the smallest read buffer).
 */
export function mixedRecords(): MemoryRecord[] {
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
