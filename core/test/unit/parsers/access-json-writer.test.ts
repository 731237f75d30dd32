import { expect } from 'chai';
import { accessEventJson } from '../../../src/parsers/access-event-json.js';
import { accessJsonRoomBytes, writeAccessJson } from '../../../src/parsers/access-json-writer.js';
import { readAccessLine } from '../../../src/parsers/access-line-reader.js';
import { autoAccessLine } from '../../../src/parsers/format-detector.js';
import { accessJsonWriterOf } from '../../../src/parsers/parsers.js';
import { pick, seededRandom } from '../../../src/random/seeded-random.js';
import { accessLineCorpus, REAL_ACCESS_LINES } from './support/access-line-corpus.js';

const MORE = ',"source":"/var/log/a.log","host":"web-1","env":"prod"';
const MORE_BYTES = Buffer.from(MORE);
/** Bytes around the line that a reader must not take for part of it. */
const BEFORE = Buffer.from('1.2.3.4 - - [');
const AFTER = Buffer.from('" 200 12 "x" "y" 9\n');

/**
 * The writer's text for `line` (undefined when it leaves the line to the string path), the
 * line set between other bytes and written at an offset of a dirty buffer.
 */
function written(line: string, auto: boolean, more = MORE_BYTES): string | undefined {
  const bytes = Buffer.from(line, 'utf8');
  const src = Buffer.concat([BEFORE, bytes, AFTER]);
  const at = 7;
  const out = Buffer.alloc(at + accessJsonRoomBytes(bytes.length, more.length), 0x41);
  const end = writeAccessJson(
    src,
    BEFORE.length,
    BEFORE.length + bytes.length,
    out,
    at,
    more,
    auto,
  );
  if (end === -1) return undefined;
  expect(end).to.be.at.most(out.length);
  return out.toString('utf8', at, end);
}

/** What the string path writes for `line` (undefined when it is not an access line). */
function careful(line: string, auto: boolean, more = MORE): string | undefined {
  const a = auto ? autoAccessLine(line) : readAccessLine(line);
  return a === undefined ? undefined : accessEventJson(a, more);
}

describe('writeAccessJson', () => {
  it('writes what the string path writes, on every line of 30,000 mutated it writes', () => {
    for (const auto of [true, false]) {
      let fast = 0;
      let left = 0;
      for (const line of accessLineCorpus(30_000, 23)) {
        const got = written(line, auto);
        const want = careful(line, auto);
        if (got === undefined) {
          if (want !== undefined) left++;
          continue;
        }
        fast++;
        expect(got, JSON.stringify(line)).to.equal(want);
      }
      // Most mutated lines stay plain access lines; the rest go the careful way.
      expect(fast).to.be.above(1_000);
      expect(left).to.be.above(1_000);
    }
  });

  it('writes what the string path writes, on 30,000 plain lines mutated with plain bytes', () => {
    // The characters the grammar turns on, all of them plain ASCII: the fast path's own edges.
    const edges = [
      ' ',
      '"',
      '-',
      '0',
      '7',
      '[',
      ']',
      ':',
      '/',
      '+',
      'a',
      'Z',
      ' "',
      '" ',
      '  ',
      '""',
    ];
    const plainLines = REAL_ACCESS_LINES.filter((l) => written(l, true) !== undefined);
    const random = seededRandom(29);
    let fast = 0;
    for (let i = 0; i < 30_000; i++) {
      let line = pick(random, plainLines);
      const mutations = 1 + Math.floor(random() * 3);
      for (let m = 0; m < mutations; m++) {
        const at = Math.floor(random() * (line.length + 1));
        const roll = random();
        const cut = roll < 0.5 ? 0 : 1;
        line = line.slice(0, at) + (roll < 0.8 ? pick(random, edges) : '') + line.slice(at + cut);
      }
      for (const auto of [true, false]) {
        const got = written(line, auto);
        if (got === undefined) continue;
        fast++;
        expect(got, JSON.stringify(line)).to.equal(careful(line, auto));
      }
    }
    expect(fast).to.be.above(10_000);
  });

  it('writes every plain real line, and leaves the others to the string path', () => {
    let fast = 0;
    for (const line of REAL_ACCESS_LINES) {
      const got = written(line, true);
      const want = careful(line, true);
      // Printable ASCII, and nothing escaped in its JSON.
      const plain = /^[\x20-\x7e]*$/.test(line) && !(want ?? '\\').includes('\\');
      if (plain) {
        expect(got, line).to.equal(careful(line, true));
        fast++;
      } else {
        expect(got, line).to.equal(undefined);
      }
    }
    expect(fast).to.be.above(6);
  });

  it('never reads past the line: every prefix and every suffix of the real lines', () => {
    for (const line of REAL_ACCESS_LINES) {
      for (let n = 0; n <= line.length; n++) {
        for (const piece of [line.slice(0, n), line.slice(n)]) {
          const got = written(piece, true);
          if (got !== undefined) expect(got, piece).to.equal(careful(piece, true));
        }
      }
    }
  });

  it('writes status and byte counts as numbers, as JSON.stringify does', () => {
    const base = '10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1"';
    for (const tail of [
      ' 007 0012',
      ' 200 000',
      ' 200 0',
      ' 499 -',
      ' 500 123456789012345',
      ' 200 0000000000000000001',
    ]) {
      const line = base + tail;
      expect(written(line, true), line).to.equal(careful(line, true));
    }
    // Too long to be exact in a double: the string path rounds it (or writes null).
    for (const count of ['1234567890123456789', '9'.repeat(400)]) {
      expect(written(`${base} 200 ${count}`, true)).to.equal(undefined);
    }
  });

  it('writes lines of odd dates and zones as the string path does (no time when not real)', () => {
    for (const date of [
      '1/Jan/2024:00:00:00 +0000',
      '31/Feb/2024:00:00:00 +0000',
      '10/Foo/2024:00:00:00 +0000',
      '10/Oct/2024:24:00:00 +0000',
      '10/Oct/2024:13:55:36 +15:00',
      '10/Oct/2024:13:55:36 -14:59',
      '10/Oct/2024:13:55:36 +0160',
      '10/oct/2024:13:55:36 +0000',
      // One minute, second by second, a leap second, and the same minute in other zones.
      '10/Oct/2024:13:55:00 +0000',
      '10/Oct/2024:13:55:09 +0000',
      '10/Oct/2024:13:55:59 +0000',
      '10/Oct/2024:13:55:60 +0000',
      '10/Oct/2024:13:55:61 +0000',
      '10/Oct/2024:13:55:07 +0000',
      '10/Oct/2024:13:55:07 -0000',
      '10/Oct/2024:13:55:08 +0130',
      '10/Oct/2024:13:55:08 -0130',
      '31/Dec/2024:23:59:59 -0100',
      // UTC years outside 0000-9999, which ISO text writes with six digits.
      '01/Jan/0000:00:00:05 +0100',
      '01/Jan/0000:00:00:06 +0100',
      '31/Dec/9999:23:59:58 -0100',
      '31/Dec/9999:23:59:60 -0100',
      '29/Feb/2023:00:00:01 +0000',
      '29/Feb/2024:00:00:01 +0000',
    ]) {
      const line = `10.0.0.1 - - [${date}] "GET / HTTP/1.1" 200 1`;
      expect(written(line, true), line).to.equal(careful(line, true));
      expect(written(line, false), line).to.equal(careful(line, false));
    }
  });

  it('reads as its parser: `auto` leaves lines opening like another format to it', () => {
    const line = '{x - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1';
    expect(written(line, true)).to.equal(undefined);
    expect(written(line, false)).to.equal(careful(line, false));
    expect(careful(line, false)).to.be.a('string');
  });

  it('is what accessJsonWriterOf gives for the access parsers only', () => {
    const line = Buffer.from(REAL_ACCESS_LINES[0]!);
    const out = Buffer.alloc(accessJsonRoomBytes(line.length, 0));
    for (const name of ['auto', 'apache', 'nginx'] as const) {
      const end = accessJsonWriterOf(name)!(line, 0, line.length, out, 0, Buffer.alloc(0));
      expect(out.toString('utf8', 0, end)).to.equal(careful(line.toString(), true, ''));
    }
    expect(accessJsonWriterOf('json')).to.equal(undefined);
    expect(accessJsonWriterOf('log4j')).to.equal(undefined);
  });
});
