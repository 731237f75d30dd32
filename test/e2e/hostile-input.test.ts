/**
 * Generated hostile files through `kinlog ship --once` and then `kinlog analyze`: deep nesting,
 * lines around every limit, invalid UTF-8, NUL bytes, BOMs, CR-only endings, no final newline.
 *
 * Invariants: one record per line (a line over maxLineBytes: one per piece, counted), every
 * file fully acknowledged, nothing thrown or warned but the one binary file skipped, and the
 * analyzer reads every record. Then files truncated or replaced while they are being read.
 * Long variants (many files, big lines, repeated kills) run in the soak lane.
 */
import { expect } from 'chai';
import { renameSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { analyzeCommand } from '@kinlog/analyzer';
import { ShipDaemon, ShipDefaults, resolveShipConfig } from '@kinlog/appender/daemon';
import { seededRandom, type RandomSource } from '@kinlog/core';
import { createTestStream, readAllRecords } from '@kinlog/testkit';

const KiB = 1024;
const MiB = 1024 * KiB;
/** Split size of raw lines (the default maxLineBytes). */
const RAW_MAX = ShipDefaults.MAX_LINE_BYTES;
/** Sizes around every limit: the split size, the record limit, and far beyond. */
const AROUND_LIMITS = [RAW_MAX - 1, RAW_MAX, RAW_MAX + 1, MiB - 1, MiB, MiB + 1, 5 * MiB];

/** A generated file: its bytes, its parser, and how many records it must give. */
interface Case {
  name: string;
  parser: 'raw' | 'json';
  bytes: Buffer;
  records: number;
}

/** Records one raw line of `len` bytes (its "\r" at the end not counted) gives. */
function rawRecords(line: Buffer): number {
  const len = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
  if (line.length > RAW_MAX) return Math.ceil(line.length / RAW_MAX);
  return len === 0 ? 0 : 1;
}

/** Joins lines with "\n"; `final`: whether the last one ends with it. */
function file(lines: Buffer[], final: boolean): Buffer {
  const parts: Buffer[] = [];
  for (const [i, l] of lines.entries()) {
    parts.push(l);
    if (i < lines.length - 1 || final) parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Random bytes that are not valid UTF-8 and hold no "\n" (and no NUL: NUL is its own case). */
function invalidUtf8(random: RandomSource, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    const v = Math.floor(random() * 256);
    b[i] = v === 0x0a || v === 0 ? 0xff : v;
  }
  b[0] = 0xc3; // a lead byte followed by a non-continuation: invalid for sure
  b[1] = 0x28;
  return b;
}

function generateCases(random: RandomSource): Case[] {
  const cases: Case[] = [];
  const add = (name: string, parser: Case['parser'], lines: Buffer[], final = true): void => {
    const records =
      parser === 'raw'
        ? lines.reduce((n, l) => n + rawRecords(l), 0)
        : lines.filter((l) => l.length > 0).length;
    cases.push({ name, parser, bytes: file(lines, final), records });
  };
  const depth = (n: number) => utf8('{"a":'.repeat(n) + '1' + '}'.repeat(n));
  add('deep-object.jsonl', 'json', [
    utf8('{"msg":"before"}'),
    depth(10_000),
    utf8('{"msg":"after"}'),
  ]);
  add('deep-array.jsonl', 'json', [
    utf8('['.repeat(100_000) + ']'.repeat(100_000)),
    utf8('{"ok":1}'),
  ]);
  add(
    'huge-raw.log',
    'raw',
    AROUND_LIMITS.map((n) => Buffer.alloc(n, 'r')),
  );
  add(
    'huge-json.jsonl',
    'json',
    AROUND_LIMITS.map((n) => {
      const head = '{"level":"error","status":500,"msg":"';
      return utf8(head + 'j'.repeat(n - head.length - 2) + '"}');
    }),
  );
  add(
    'invalid-utf8.log',
    'raw',
    Array.from({ length: 20 }, () => invalidUtf8(random, 1 + Math.floor(random() * 300))),
  );
  // NUL bytes past the first bytes (a NUL in them marks the file binary: that is its own case).
  add('nul-bytes.log', 'raw', [
    utf8('x'.repeat(400)),
    ...Array.from({ length: 10 }, (_, i) =>
      Buffer.concat([utf8(`nul ${i} `), Buffer.alloc(i + 1), utf8(' end')]),
    ),
  ]);
  add('bom.jsonl', 'json', [
    utf8('\uFEFF{"level":"warn","msg":"bom"}'),
    utf8('\uFEFF'),
    utf8('{"msg":"x"}'),
  ]);
  add('bom.log', 'raw', [utf8('\uFEFFfirst'), utf8('second')]);
  // CR-only endings: one line as far as "\n" goes, shipped at the end of the file.
  add('cr-only.log', 'raw', [utf8('one\rtwo\rthree\r')], false);
  add('crlf.log', 'raw', [utf8('one\r'), utf8('\r'), utf8(''), utf8('two\r')]);
  add('no-final-newline.log', 'raw', [utf8('first'), utf8('last, no newline')], false);
  add('no-final-newline.jsonl', 'json', [utf8('{"msg":"a"}'), utf8('{"msg":"unended"')], false);
  // Random mixes of all of it, short lines.
  for (let f = 0; f < 4; f++) {
    const kinds = [
      () => invalidUtf8(random, 1 + Math.floor(random() * 80)),
      () => utf8('\uFEFF' + 'b'.repeat(Math.floor(random() * 40))),
      () => utf8(`{"n":${f},"s":"${'\u202e\u200b'.repeat(Math.floor(random() * 5))}"}`),
      () => utf8('c'.repeat(Math.floor(random() * 60)) + '\r'),
      () => depth(50 + Math.floor(random() * 2_000)),
    ];
    const lines = Array.from({ length: 200 }, () => kinds[Math.floor(random() * kinds.length)]!());
    add(`mix-${f}.log`, 'raw', [utf8('mixed file start'), ...lines], random() < 0.5);
  }
  return cases;
}

describe('hostile input: kinlog ship and kinlog analyze', function () {
  this.timeout(180_000);

  it('ships one record per line (per piece past maxLineBytes), acknowledges every file, and analyze reads them all', async () => {
    const cases = generateCases(seededRandom(14));
    const dir = await mkdtemp(join(tmpdir(), 'kinlog-hostile-'));
    for (const c of cases) writeFileSync(join(dir, c.name), c.bytes);
    // A binary file: skipped and counted, never shipped.
    writeFileSync(join(dir, 'binary.log'), Buffer.concat([Buffer.alloc(16), utf8('tail\n')]));
    const stream = await createTestStream(2);
    const config = resolveShipConfig({
      endpoint: process.env.AWS_ENDPOINT_URL_KINESIS,
      stateDir: join(dir, 'state'),
      pollIntervalMs: 20,
      statsIntervalMs: 0,
      sink: { flushIntervalMs: 20 },
      flows: [
        { name: 'raw', paths: [join(dir, '*.log')], stream, parser: 'raw' },
        { name: 'json', paths: [join(dir, '*.jsonl')], stream, parser: 'json' },
      ],
    });
    const daemon = await ShipDaemon.start({ config, once: true });
    const warnings: string[] = [];
    daemon.on('warning', (w) => warnings.push(w));
    await daemon.done;

    expect(
      warnings.filter((w) => !w.includes('binary.log')),
      warnings.join('\n'),
    ).to.deep.equal([]);
    expect(await daemon.undelivered()).to.deep.equal([]);
    const stats = daemon.stats();
    expect(stats.counters.binaryFilesSkipped).to.equal(1);
    for (const f of stats.files) expect(f.behindBytes, f.path).to.equal(0);

    const records = await readAllRecords({ streamName: stream });
    const bySource = new Map<string, number>();
    for (const r of records) {
      const source = String((JSON.parse(r.data.toString('utf8')) as { source: unknown }).source);
      bySource.set(source, (bySource.get(source) ?? 0) + 1);
    }
    for (const c of cases) expect(bySource.get(join(dir, c.name)) ?? 0, c.name).to.equal(c.records);
    const total = cases.reduce((n, c) => n + c.records, 0);
    expect(records).to.have.length(total);
    expect(stats.counters.recordsAcked).to.equal(total);

    // The analyzer reads the same records: nothing thrown, every record counted.
    let out = '';
    let err = '';
    const stdout = new PassThrough().on('data', (d: Buffer) => (out += d.toString()));
    const stderr = new PassThrough().on('data', (d: Buffer) => (err += d.toString()));
    await analyzeCommand({ signal: new AbortController().signal, stdout, stderr })
      .exitOverride()
      .parseAsync(['--stream', stream, '--name', 'hostile', '--whole-stream', '--format', 'json'], {
        from: 'user',
      });
    const report = JSON.parse(out) as { result: { totals: { events: number } } };
    expect(report.result.totals.events, err).to.equal(total);
  });

  for (const how of ['truncated and refilled', 'replaced by a new file'] as const) {
    it(`a file ${how} mid-read: new lines once each, no old line twice, fully acknowledged`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'kinlog-midread-'));
      const path = join(dir, 'app.log');
      const OLD = 40_000;
      const NEW = 500;
      writeFileSync(path, Array.from({ length: OLD }, (_, i) => `old ${i}\n`).join(''));
      const stream = await createTestStream(1);
      const config = resolveShipConfig({
        endpoint: process.env.AWS_ENDPOINT_URL_KINESIS,
        stateDir: join(dir, 'state'),
        pollIntervalMs: 20,
        releaseIdleMs: 200,
        statsIntervalMs: 0,
        sink: { flushIntervalMs: 20 },
        flows: [{ paths: [path], stream, parser: 'raw' }],
      });
      const daemon = await ShipDaemon.start({ config });
      const warnings: string[] = [];
      daemon.on('warning', (w) => warnings.push(w));
      const fresh = Array.from({ length: NEW }, (_, i) => `new ${i}\n`).join('');
      try {
        while (daemon.stats().counters.linesRead === 0) await delay(1);
        if (how === 'truncated and refilled') writeFileSync(path, fresh);
        else {
          writeFileSync(join(dir, 'next.log'), fresh);
          renameSync(join(dir, 'next.log'), path);
        }
        let msgs: string[] = [];
        const deadline = Date.now() + 60_000;
        while (msgs.filter((m) => m.startsWith('new ')).length < NEW && Date.now() < deadline) {
          await delay(200);
          msgs = (await readAllRecords({ streamName: stream })).map(
            (r) => (JSON.parse(r.data.toString('utf8')) as { msg: string }).msg,
          );
        }
        const counts = new Map<string, number>();
        for (const m of msgs) counts.set(m, (counts.get(m) ?? 0) + 1);
        expect(
          [...counts.values()].every((n) => n === 1),
          'no line twice',
        ).to.equal(true);
        expect(msgs.filter((m) => m.startsWith('new '))).to.have.length(NEW);
        const old = msgs.filter((m) => m.startsWith('old ')).length;
        // The old inode stays readable when replaced: all of it arrives; truncated: what was read.
        if (how === 'replaced by a new file') expect(old).to.equal(OLD);
        else expect(old).to.be.within(1, OLD);
        while (daemon.stats().files.some((f) => f.behindBytes > 0)) await delay(20);
      } finally {
        await daemon.stop();
      }
      expect(warnings).to.deep.equal([]);
    });
  }
});
