import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import {
  KplAggregateBuilder,
  MAX_HASH_KEY,
  pick,
  seededRandom,
  type RandomSource,
} from '@kinlog/core';
import { TopNAggregator } from '../../../src/aggregate/top-n-aggregator.js';
import { classifyEvent, EventKinds } from '../../../src/classify/classify-event.js';
import { geoipRegionOf } from '../../../src/classify/geoip-region.js';
import { RecordDecoder, type OwnerRange } from '../../../src/decode/record-decoder.js';
import type { ShardSource } from '../../../src/stream/kinesis-shard-source.js';
import type { IteratorStart, RecordsPage, ShardInfo } from '../../../src/stream/shard-info.js';
import { analyzeShards } from '../../../src/window/analyze-shards.js';

const T0_MS = Date.parse('2024-05-01T00:00:00Z');
const ROWS = 50;
const ALL_ERRORS_FROM = 10_000;
const ALL_ERRORS_TO = 13_000;
/** The shard owns the lower half of the hash key space: some aggregated user records are not its. */
const OWNER = { startingHashKey: '0', endingHashKey: (MAX_HASH_KEY / 2n).toString() };

/** One closed shard held in memory, read in pages of `pageSize`. */
class OneShardSource implements ShardSource {
  constructor(
    private readonly records: readonly Uint8Array[],
    private readonly pageSize: number,
  ) {}

  listShards(): Promise<ShardInfo[]> {
    return Promise.resolve([{ shardId: 's0', parentShardIds: [], hashKeyRange: OWNER }]);
  }

  getIterator(_stream: string, _shardId: string, start: IteratorStart): Promise<string> {
    const from = start.type === 'afterSequenceNumber' ? Number(start.sequenceNumber) + 1 : 0;
    return Promise.resolve(String(from));
  }

  getRecords(iterator: string): Promise<RecordsPage> {
    const from = Number(iterator);
    const to = Math.min(this.records.length, from + this.pageSize);
    const records = [];
    for (let i = from; i < to; i++) {
      records.push({ sequenceNumber: String(i), data: this.records[i]!, arrivalMs: T0_MS + i });
    }
    return Promise.resolve({
      records,
      nextIterator: to === this.records.length ? undefined : String(to),
      millisBehindLatest: 0,
    });
  }

  close(): void {}
}

/**
 * The long way over the same records: every payload decoded and parsed in full (no screens),
 * classified, and counted with its line and the time `Date.parse` reads (arrival without one).
 */
function reference(records: readonly Uint8Array[]) {
  const decoder = new RecordDecoder();
  const topN = new TopNAggregator();
  const owner: OwnerRange = {
    startingHashKey: BigInt(OWNER.startingHashKey),
    endingHashKey: BigInt(OWNER.endingHashKey),
  };
  records.forEach((data, i) => {
    decoder.decode(
      data,
      (event, line) => {
        const classified = classifyEvent(event, { regionOf: geoipRegionOf });
        if (classified.kind === EventKinds.ok || classified.kind === EventKinds.unparsed) {
          topN.add(classified);
          return;
        }
        const timeMs = typeof event.time === 'string' ? Date.parse(event.time) : Number.NaN;
        topN.add(classified, line, Number.isNaN(timeMs) ? T0_MS + i : timeMs);
      },
      owner,
    );
  });
  return { result: topN.result(ROWS), decode: decoder.stats, formats: decoder.formatCounts };
}

// Values that the byte screen, the parsed screen and the classifier's memos each read their own
// way: level spellings and aliases, statuses as numbers and text, nested look-alikes, escapes.
const FINE_LEVELS = [
  '"info"',
  '"INFO"',
  '"warn"',
  '"Warning"',
  '30',
  '"30"',
  '"debug"',
  '" info "',
];
const ERROR_LEVELS = ['"error"', '"ERROR"', '"Fatal"', '50', '"50"', '" error "', '"\\u0065rror"'];
const REGIONS = ['"eu"', '" EU "', '"eu-west-1"', '"S\u00e3o  Paulo"', '42', '"APAC"', '"na"'];
const CLIENT_IPS = ['"8.8.8.8"', '"81.2.69.142"', '"200.160.2.3"', '"10.0.0.1"', '"::1"'];
const PAGES = [
  '"path":"/api/orders/{n}/items?x=1"',
  '"page":"/checkout/{s}"',
  '"url":"https://shop.example/users/{n}"',
  '"req":{"url":"/cart/{n}","method":"GET"}',
  '"request":"GET /search?q={n} HTTP/1.1"',
  '"path":"/caf\u00e9/{n}"',
  '"path":"/p/\\u00e9t\u00e9/{n}"',
];
const TIMES = [
  '"time":"{iso}"',
  '"time":"2024-05-01 12:00:0{d}"',
  '"time":{ms}',
  '"@timestamp":"{iso}"',
  '"ts":1714521600',
  '"time":"0099-01-01T00:00:00.000Z"',
  '"time":"yesterday"',
];

/** A message: repeated templates, unique ones, escaped quotes, long ones, unicode. */
function message(random: RandomSource, i: number, unique: boolean): string {
  const n = unique ? i : Math.floor(random() * 5);
  return pick(random, [
    `"db query failed after ${i % 900}ms on 10.1.${n & 255}.7:5432 for user ${n}"`,
    `"upstream \\"level\\":\\"error\\" from 10.0.${n & 7}.1 (req ${n.toString(16).padStart(12, '0')})"`,
    `"timeout ${n}"`,
    `"caf\u00e9 \u{1f4a5} ${n} \\u00e9"`,
    `"${'long message '.repeat(25)}${n}"`,
    `"${'x'.repeat(130)} ${n}"`,
  ]);
}

function fill(template: string, random: RandomSource, i: number, unique: boolean): string {
  const n = unique ? i : Math.floor(random() * 40);
  return template
    .replaceAll('{n}', String(n))
    .replaceAll('{s}', String(n % 13))
    .replaceAll('{d}', String(i % 10))
    .replaceAll('{iso}', new Date(T0_MS - i * 9_876_543).toISOString()) // 5 years back
    .replaceAll('{ms}', String(T0_MS + i * 7));
}

/** One JSON object line, its fields in random order, some of them written awkwardly. */
function jsonLine(random: RandomSource, i: number, unique: boolean, errors = 0.3): string {
  const fields: string[] = [];
  const error = random() < errors;
  const levelKey = pick(random, ['level', 'level', 'severity', 'levelname', 'lev\\u0065l']);
  fields.push(`"${levelKey}":${pick(random, error ? ERROR_LEVELS : FINE_LEVELS)}`);
  if (random() < 0.5) {
    const status = pick(random, ['200', '"200"', '302', '404', '"404"', '500', '503', '"503"']);
    fields.push(`"${pick(random, ['status', 'statusCode'])}":${status}`);
  }
  if (random() < 0.1) fields.push(`"res":{"statusCode":${pick(random, ['200', '502', '"504"'])}}`);
  if (random() < 0.1) fields.push(`"ctx":{"level":"error","status":500}`); // nested look-alikes
  if (random() < 0.05) fields.push(`"level":"info"`); // a duplicate key: the last one counts
  fields.push(`"${pick(random, ['msg', 'msg', 'message'])}":${message(random, i, unique)}`);
  fields.push(fill(pick(random, PAGES), random, i, unique));
  fields.push(
    random() < 0.6 ? `"region":${pick(random, REGIONS)}` : `"clientIp":${pick(random, CLIENT_IPS)}`,
  );
  fields.push(fill(pick(random, TIMES), random, i, unique));
  if (random() < 0.05) fields.push(`"parseError":true`);
  for (let k = fields.length - 1; k > 0; k--) {
    const j = Math.floor(random() * (k + 1));
    [fields[k], fields[j]] = [fields[j]!, fields[k]!];
  }
  const line = `{${fields.join(pick(random, [',', ',', ' , ']))}}`;
  return pick(random, [
    line,
    line,
    line,
    `${line}\n`,
    `\ufeff${line}`,
    ` ${line}`,
    line.slice(0, -1), // not JSON: read as raw text
    `${line} ERROR`,
  ]);
}

/** A payload as producers write them: JSON, other formats, gzip, KPL, and broken ones. */
function payload(random: RandomSource, i: number, unique: boolean): Uint8Array {
  const kind = random();
  // A stretch of errors only, where the bytes screen stops being run for a while.
  if (i >= ALL_ERRORS_FROM && i < ALL_ERRORS_TO) return Buffer.from(jsonLine(random, i, unique, 1));
  if (kind < 0.7) return Buffer.from(jsonLine(random, i, unique));
  if (kind < 0.8) {
    return Buffer.from(
      pick(random, [
        `2015-10-18 18:01:47,978 ERROR [main] org.x.Y: boom ${unique ? i : 1}`,
        `203.0.113.9 - - [10/Oct/2000:13:55:36 -0700] "GET /checkout/${i % 5} HTTP/1.1" 503 12`,
        `<11>1 2024-05-01T12:00:00Z web-1 api - - - disk FATAL ${i % 3}`,
        `plain text with ERROR inside ${i % 4}`,
        `{not json ERROR ${i % 4}`,
        `all fine ${i}`,
      ]),
    );
  }
  if (kind < 0.88) return gzipSync(Buffer.from(jsonLine(random, i, unique)));
  if (kind < 0.98) {
    const aggregate = new KplAggregateBuilder();
    const parts = 1 + Math.floor(random() * 4);
    for (let p = 0; p < parts; p++) {
      const line = Buffer.from(jsonLine(random, i, unique));
      aggregate.add(`key-${Math.floor(random() * 50)}`, random() < 0.2 ? gzipSync(line) : line);
    }
    return aggregate.build();
  }
  const broken = gzipSync(Buffer.from(jsonLine(random, i, unique)));
  const at = broken.length - 5; // inside the CRC: the payload no longer inflates
  broken[at] = broken[at]! ^ 0xff;
  return broken;
}

// The classifier's own shortcuts (memos, plain regions, times from digits) are checked against
// their long ways in their own tests; this one checks the read path around them.
describe('analyzeShards: the screened read path', () => {
  it('gives the report of decoding, parsing and classifying every record in full', async () => {
    const random = seededRandom(16);
    // Phases of unique and of repeating messages and pages: the memos stop and start looking up.
    const records = Array.from({ length: 16_000 }, (_, i) =>
      payload(random, i, Math.floor(i / 4000) % 2 === 0),
    );
    const source = new OneShardSource(records, 500);
    const fast = await analyzeShards(source, [{ shardId: 's0', parentShardIds: [] }], {
      stream: 'test',
      minCallIntervalMs: 0,
      storedRows: ROWS,
    });
    const full = reference(records);
    expect(fast.result).to.deep.equal(full.result);
    expect(fast.formats).to.deep.equal(full.formats);
    expect(fast.decode).to.deep.equal(full.decode);
    // The corpus is one that exercises every path: screened out, errors of every kind, unparsed.
    const totals = fast.result.totals;
    expect(totals.events).to.be.greaterThan(records.length);
    expect(totals.errors5xx).to.be.greaterThan(500);
    expect(totals.errors4xx).to.be.greaterThan(500);
    expect(totals.errorsLevel).to.be.greaterThan(2000);
    expect(totals.unparsed).to.be.greaterThan(100);
    expect(totals.events - totals.errors - totals.unparsed).to.be.greaterThan(totals.events / 3);
    expect(fast.decode.misplaced).to.be.greaterThan(100);
    expect(fast.decode.undecodable).to.be.greaterThan(100);
    expect(fast.formats.raw).to.be.greaterThan(100);
  });
});
