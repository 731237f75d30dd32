import { expect } from 'chai';
import { accessEventJson } from '../../../src/parsers/access-event-json.js';
import { AccessJsonWasm, AccessJsonWasmLimits } from '../../../src/parsers/access-json-wasm.js';
import { accessJsonRoomBytes, writeAccessJson } from '../../../src/parsers/access-json-writer.js';
import { readAccessLine } from '../../../src/parsers/access-line-reader.js';
import { autoAccessLine } from '../../../src/parsers/format-detector.js';
import { accessJsonWasmOf, ACCESS_JSON_WRITER_ENV } from '../../../src/parsers/parsers.js';
import { pick, seededRandom, type RandomSource } from '../../../src/random/seeded-random.js';
import { accessLineCorpus, REAL_ACCESS_LINES } from './support/access-line-corpus.js';

const MORES = [
  Buffer.alloc(0),
  Buffer.from(',"source":"/var/log/a.log","host":"web-1","env":"prod"'),
  Buffer.from(`,"source":"/var/log/${'deep/'.repeat(40)}a.log","host":"h"`),
];

/** Lines shaped as busy servers write them, with fields past every SIMD block width. */
const SERVER_LINES: readonly string[] = [
  ...REAL_ACCESS_LINES,
  '10.0.0.1 - - [10/Oct/2024:13:55:36 +0000] "GET /index.html HTTP/1.1" 200 5120 "-" "-"',
  `172.16.254.1 - alice-${'x'.repeat(31)} [01/Jan/2024:00:00:00 -1459] "DELETE /${'segment/'.repeat(40)}end?q=${'a'.repeat(17)} HTTP/2.0" 404 0000000000000000001 "https://ref.example/${'r'.repeat(64)}" "${'Mozilla/5.0 '.repeat(30)}" extra   tail   `,
  '2001:0db8:85a3:0000:0000:8a2e:0370:7334 ident user [31/Dec/9999:23:59:60 -1400] "OPTIONS * HTTP/1.1" 599 -',
  '1.2.3.4 - - [7/Jul/0050:12:00:00 +0000] "get lowercase http/1.0" 100 1 x',
  '1.2.3.4 - - [29/Feb/0000:23:59:59 +1459] "M-SEARCH * HTTP/1.1" 399 12345678901234 "" "" ',
];

/** Bytes around a line that a reader must not take for part of it. */
const OTHER_LINE = '9.9.9.9 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 1 "';
const CHUNK_PAD = Buffer.from(
  `${SERVER_LINES.join('\n')}\n`.repeat(2).slice(0, AccessJsonWasmLimits.SMALL_SOURCE_BYTES),
);

/** Replacement dates: leap seconds, odd zones, years Date.UTC reads oddly, unreal days. */
const DATES = [
  '10/Oct/2000:13:55:36 -0700',
  '1/Jan/2024:00:00:00 +0000',
  '31/Dec/1969:23:59:59 +0001',
  '01/Jan/1970:00:00:00 +0000',
  '30/Jun/2015:23:59:60 +0000',
  '31/Dec/2016:23:59:61 +0000',
  '28/Feb/2100:23:59:60 -1459',
  '29/Feb/2100:00:00:00 +0000',
  '29/Feb/2000:00:00:00 +0000',
  '00/Jan/2024:00:00:00 +0000',
  '32/Jan/2024:00:00:00 +0000',
  '31/Apr/2024:00:00:00 +0000',
  '10/Oct/2024:24:00:00 +0000',
  '10/Oct/2024:23:60:00 +0000',
  '10/Oct/2024:13:55:36 +15:00',
  '10/Oct/2024:13:55:36 -14:59',
  '10/Oct/2024:13:55:36 +0060',
  '10/Oct/2024:13:55:36 +05:30',
  '10/Oct/2024:13:55:36 +0545',
  '10/OCT/2024:13:55:36 +0000',
  '10/Oct/0000:00:00:00 +1459',
  '01/Jan/0099:00:00:00 +0000',
  '01/Jan/0100:00:00:00 +1459',
  '31/Dec/9999:23:59:59 -1459',
  '31/Dec/9999:23:59:60 -0000',
  '01/Jan/0001:00:00:00 -0100',
  '5/May/2024:5:05:05 +0000',
];

/** Bytes that turn how a line reads, or that JSON would escape, or beyond ASCII. */
function oddByte(random: RandomSource): number {
  const roll = random();
  if (roll < 0.2) return pick(random, [0x22, 0x5c, 0x20, 0x2d, 0x5b, 0x5d, 0x3a, 0x2f, 0x2b]);
  if (roll < 0.35) return Math.floor(random() * 0x20); // control bytes
  if (roll < 0.45) return 0x7f;
  if (roll < 0.6) return 0x80 + Math.floor(random() * 0x80);
  if (roll < 0.8) return 0x30 + Math.floor(random() * 10);
  return 0x21 + Math.floor(random() * 0x5e); // any printable
}

/** One mutation of the bytes of a line. */
function mutate(random: RandomSource, line: Buffer): Buffer {
  const at = Math.floor(random() * (line.length + 1));
  const roll = random();
  if (roll < 0.3) {
    const b = line.length === 0 ? line : Buffer.from(line);
    if (at < b.length) b[at] = oddByte(random);
    return b;
  }
  if (roll < 0.45)
    return Buffer.concat([line.subarray(0, at), Buffer.of(oddByte(random)), line.subarray(at)]);
  if (roll < 0.55) return Buffer.concat([line.subarray(0, at), line.subarray(at + 1)]);
  if (roll < 0.62) return line.subarray(0, at); // truncated
  if (roll < 0.7) return line.subarray(at);
  if (roll < 0.85) {
    // A piece repeated: fields longer than a 16-byte block, or two blocks.
    const to = Math.min(line.length, at + 1 + Math.floor(random() * 20));
    const piece = line.subarray(at, to);
    return Buffer.concat([line.subarray(0, to), piece, piece, line.subarray(to)]);
  }
  // Another date.
  const text = line.toString('latin1');
  const open = text.indexOf('[');
  const close = text.indexOf(']', open);
  if (open < 0 || close < 0) return line;
  return Buffer.concat([
    line.subarray(0, open + 1),
    Buffer.from(pick(random, DATES), 'latin1'),
    line.subarray(close),
  ]);
}

/**
 * Both writers' answers for the line `bytes` placed in a source buffer (between other bytes,
 * or at its very end) and written at `at` into an output buffer of the WebAssembly writer.
 */
function bothWrite(
  wasm: AccessJsonWasm,
  auto: boolean,
  bytes: Buffer,
  more: Buffer,
  random: RandomSource,
): { js: string | undefined; wasm: string | undefined } {
  // Now and then in a buffer big enough to be kept whole (a chunk of lines).
  const pad = random() < 0.2 ? CHUNK_PAD : Buffer.alloc(0);
  const before = Buffer.concat([
    pad,
    Buffer.from(OTHER_LINE.slice(0, Math.floor(random() * OTHER_LINE.length))),
  ]);
  const after =
    random() < 0.3
      ? Buffer.alloc(0)
      : Buffer.from('" "x" 200 12\n' + String.fromCharCode(0x20 + Math.floor(random() * 0x5f)));
  const src = Buffer.concat([before, bytes, after]);
  const from = before.length;
  const to = from + bytes.length;
  const room = accessJsonRoomBytes(bytes.length, more.length);
  const buffers = wasm.outputBuffers;
  const out = buffers[Math.floor(random() * buffers.length)]!;
  const at = Math.floor(random() * (out.length - room));
  out.fill(0x41, at, at + room);
  const jsAt = at % 64;
  const jsOut = Buffer.alloc(jsAt + room, 0x42);
  const jsEnd = writeAccessJson(src, from, to, jsOut, jsAt, more, auto);
  const wasmEnd = wasm.write(src, from, to, out, at, more);
  return {
    js: jsEnd < 0 ? undefined : jsOut.toString('latin1', jsAt, jsEnd),
    wasm: wasmEnd < 0 ? undefined : out.toString('latin1', at, wasmEnd),
  };
}

/** What the string path writes for `line` (undefined when it is not an access line). */
function careful(line: string, auto: boolean, more: Buffer): string | undefined {
  const a = auto ? autoAccessLine(line) : readAccessLine(line);
  return a === undefined ? undefined : accessEventJson(a, more.toString());
}

describe('AccessJsonWasm', () => {
  const writers = { auto: AccessJsonWasm.create(true)!, apache: AccessJsonWasm.create(false)! };

  it('is available here (WebAssembly with SIMD), with fixed output buffers', () => {
    expect(writers.auto).to.be.instanceOf(AccessJsonWasm);
    expect(writers.auto.outputBuffers).to.have.length(AccessJsonWasmLimits.OUTPUT_BUFFERS);
    for (const b of writers.auto.outputBuffers) {
      expect(b.length).to.equal(AccessJsonWasmLimits.OUTPUT_BUFFER_BYTES);
    }
  });

  it('writes what the JS writer writes on the hostile corpus and the server lines', () => {
    const random = seededRandom(41);
    let written = 0;
    for (const line of [...accessLineCorpus(20_000, 43), ...SERVER_LINES]) {
      for (const auto of [true, false]) {
        const more = pick(random, MORES);
        const got = bothWrite(
          auto ? writers.auto : writers.apache,
          auto,
          Buffer.from(line),
          more,
          random,
        );
        expect(got.wasm, JSON.stringify(line)).to.equal(got.js);
        if (got.js !== undefined) {
          written++;
          expect(got.wasm, JSON.stringify(line)).to.equal(careful(line, auto, more));
        }
      }
    }
    expect(written).to.be.above(1_500);
  });

  it('writes what the JS writer writes on 300,000 lines with mutated bytes', function () {
    this.timeout(120_000);
    const random = seededRandom(47);
    const seeds = SERVER_LINES.map((l) => Buffer.from(l));
    let written = 0;
    let left = 0;
    for (let i = 0; i < 300_000; i++) {
      let bytes: Buffer = pick(random, seeds);
      const mutations = Math.floor(random() * 4);
      for (let m = 0; m < mutations; m++) bytes = mutate(random, bytes);
      const auto = random() < 0.5;
      const more = pick(random, MORES);
      const got = bothWrite(auto ? writers.auto : writers.apache, auto, bytes, more, random);
      if (got.wasm !== got.js) {
        expect(got.wasm, `${JSON.stringify(bytes.toString('latin1'))} auto=${auto}`).to.equal(
          got.js,
        );
      }
      if (got.js === undefined) left++;
      else written++;
      // The string path too, now and then (it is the slow one).
      if (got.js !== undefined && i % 16 === 0) {
        expect(got.wasm).to.equal(careful(bytes.toString('utf8'), auto, more));
      }
    }
    // Both ways are taken often: the fuzz reaches the writer's every exit.
    expect(written).to.be.above(60_000);
    expect(left).to.be.above(60_000);
  });

  it('writes each line of a chunk as the JS writer does, the chunk copied in once', () => {
    const random = seededRandom(53);
    const lines = accessLineCorpus(3_000, 59).map((l) => Buffer.from(l.replace(/\n/g, ' ')));
    const chunk = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
    expect(chunk.length).to.be.above(AccessJsonWasmLimits.SMALL_SOURCE_BYTES);
    const more = MORES[1]!;
    const out = writers.auto.outputBuffers[1]!;
    writers.auto.forgetSource();
    let from = 0;
    let written = 0;
    for (const line of lines) {
      const to = from + line.length;
      const room = accessJsonRoomBytes(line.length, more.length);
      const js = Buffer.alloc(room);
      const jsEnd = writeAccessJson(chunk, from, to, js, 0, more, true);
      // A line of its own now and then: the chunk stays kept.
      const own = random() < 0.1;
      const end = own
        ? writers.auto.write(Buffer.from(line), 0, line.length, out, 0, more)
        : writers.auto.write(chunk, from, to, out, 0, more);
      expect(end < 0 ? undefined : out.toString('latin1', 0, end)).to.equal(
        jsEnd < 0 ? undefined : js.toString('latin1', 0, jsEnd),
      );
      if (end >= 0) written++;
      from = to + 1;
    }
    expect(written).to.be.above(100);
  });

  it('keeps a chunk until forgetSource, takes any `more`, and any buffer', () => {
    const w = AccessJsonWasm.create(true)!;
    const out = w.outputBuffers[0]!;
    const line = Buffer.from(SERVER_LINES[0]!);
    // A chunk: kept whole, and read from the copy while it is passed again.
    const chunk = Buffer.concat([line, Buffer.from('\n'), CHUNK_PAD]);
    const more = Buffer.from(',"host":"a"');
    const record = (end: number): string => out.toString('latin1', 0, end);
    const first = record(w.write(chunk, 0, line.length, out, 0, more));
    chunk.write('10.9.8.7', 'latin1');
    expect(record(w.write(chunk, 0, line.length, out, 0, more))).to.equal(first);
    w.forgetSource();
    const second = record(w.write(chunk, 0, line.length, out, 0, more));
    expect(second).to.not.equal(first);
    const text = chunk.toString('latin1', 0, line.length);
    expect(second).to.equal(careful(text, true, more));
    // A new `more` is taken as it comes.
    const moreB = Buffer.from(',"host":"b"');
    expect(record(w.write(chunk, 0, line.length, out, 0, moreB))).to.equal(
      careful(text, true, moreB),
    );
    const src = Buffer.from(text);
    // `more` too long for its room, a source too big to copy whole, a buffer of its own: the
    // JS writer's answer, the same.
    const longMore = Buffer.from(`,"x":"${'m'.repeat(AccessJsonWasmLimits.MORE_BYTES)}"`);
    const big = Buffer.alloc(AccessJsonWasmLimits.SOURCE_BYTES + 100, 0x0a);
    src.copy(big, 50);
    const own = Buffer.alloc(accessJsonRoomBytes(src.length, longMore.length));
    for (const [s, from, o, m] of [
      [src, 0, out, longMore],
      [big, 50, out, more],
      [src, 0, own, more],
    ] as const) {
      const at = w.write(s, from, from + src.length, o, 0, m);
      expect(o.toString('latin1', 0, at)).to.equal(careful(src.toString(), true, m));
    }
  });

  it('is what accessJsonWasmOf gives the access parsers, unless told to write in JS', () => {
    expect(accessJsonWasmOf('auto', {})).to.be.instanceOf(AccessJsonWasm);
    expect(accessJsonWasmOf('nginx', {})).to.be.instanceOf(AccessJsonWasm);
    expect(accessJsonWasmOf('json', {})).to.equal(undefined);
    expect(accessJsonWasmOf('auto', { [ACCESS_JSON_WRITER_ENV]: 'js' })).to.equal(undefined);
    // apache reads a line opening with `{` as an access line; auto leaves it to the JSON parser.
    const line = Buffer.from('{x - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1');
    const apache = accessJsonWasmOf('apache', {})!;
    const auto = accessJsonWasmOf('auto', {})!;
    expect(apache.write(line, 0, line.length, apache.outputBuffers[0]!, 0, MORES[0]!)).to.be.above(
      0,
    );
    expect(auto.write(line, 0, line.length, auto.outputBuffers[0]!, 0, MORES[0]!)).to.equal(-1);
  });
});
