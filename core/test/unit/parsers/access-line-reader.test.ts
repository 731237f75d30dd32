import { expect } from 'chai';
import { isWhitespace, readAccessLine } from '../../../src/parsers/access-line-reader.js';
import { accessEvent, createAccessLogParser } from '../../../src/parsers/access-log-parser.js';
import { unparsedEvent } from '../../../src/parsers/log-event.js';
import { accessLineCorpus, REAL_ACCESS_LINES } from './support/access-line-corpus.js';
import { createRegexAccessLogParser } from './support/regex-access-log-parser.js';

describe('readAccessLine', () => {
  const byRegex = createRegexAccessLogParser();
  const parse = createAccessLogParser();

  /** Same fields, same values, same order (the order is what JSON output shows). */
  function expectSameAsRegex(line: string): void {
    const want = byRegex(line);
    const got = parse(line);
    expect(JSON.stringify(got), JSON.stringify(line)).to.equal(JSON.stringify(want));
    expect(got).to.deep.equal(want);
  }

  it('reads real lines into the events the regular expressions make of them', () => {
    for (const line of REAL_ACCESS_LINES) {
      expect(readAccessLine(line), line).not.to.equal(undefined);
      expectSameAsRegex(line);
    }
  });

  it('accepts and turns down exactly what the regular expressions do, on 30,000 mutated lines', () => {
    const lines = accessLineCorpus(30_000);
    let read = 0;
    for (const line of lines) {
      expectSameAsRegex(line);
      if (readAccessLine(line) !== undefined) read++;
    }
    // Both outcomes are well represented, so the comparison means something either way.
    expect(read).to.be.above(lines.length / 5);
    expect(lines.length - read).to.be.above(lines.length / 5);
  });

  it('agrees on the grammar edges: escapes, line ends, zones, dates, numbers', () => {
    const head = '10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] ';
    const edges = [
      `${head}"GET /a\\` + '\n' + `b HTTP/1.1" 200 1`,
      `${head}"GET /a\\"b HTTP/1.1" 200 1`,
      `${head}"GET /a HTTP/1.1" 200 1 "r" "a"\nmore`,
      `${head}"GET /a HTTP/1.1" 200 1 "r" "a"\tx\u2028y`,
      `${head}"GET /a HTTP/1.1" 200 1\u2028tail`,
      `${head}"GET /a HTTP/1.1" 200 1 "r\nx" "a"`,
      `${head}"GET /a HTTP/1.1" 200 1 "r" "a" "b"`,
      `${head}"GET /a HTTP/1.1" 200 1 "r" "a`,
      `${head}"GET /a HTTP/1.1" 200 1\r\r`,
      `${head}"GET /a HTTP/1.1" 200 1\r`,
      `${head}"GET /a HTTP/1.1\r" 200 1`,
      `${head}"GET /a HTTP/1.1" 200 -5`,
      `${head}"GET /a HTTP/1.1" 2000 1`,
      `${head}"GET /a HTTP/1.1" 200 ${'9'.repeat(400)}`,
      `${head}"GET /a HTTP/1.1" 200 007`,
      `${head}"GET\t/a HTTP/1.1" 200 1`,
      `${head}"GET /a  HTTP/1.1" 200 1`,
      `${head}"GET /a HTTP/1.1 " 200 1`,
      `${head}"G-T /a" 200 1`,
      `${head}"-GET /a" 200 1`,
      `${head}"" 200 1`,
      '10.0.0.1 - - [1/oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1',
      '10.0.0.1 - - [31/Feb/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1',
      '10.0.0.1 - - [10/Oct/2000:24:00:00 +0000] "GET / HTTP/1.1" 200 1',
      '10.0.0.1 - - [10/Oct/2000:13:55:36 +1500] "GET / HTTP/1.1" 200 1',
      '10.0.0.1 - - [10/Oct/2000:13:55:36 -07:60] "GET / HTTP/1.1" 200 1',
      '10.0.0.1 - - [10/Oct/2000:13:55:36 -07:30] "GET / HTTP/1.1" 200 1',
      '10.0.0.1 - - [100/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1',
      '10.0.0.1 - - [10/Oct/0099:13:55:36 +0000] "GET / HTTP/1.1" 200 1',
      '10.0.0.1 - - [10/Oct/2000:13:55:36 +0000]  "GET / HTTP/1.1" 200 1',
      '10.0.0.1\u00a0x - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1',
      '\ufeff10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1',
      '10.0.0.1  - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1',
      '10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1 "\ud800" "\udc00x"',
      '10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200',
      '',
      ' ',
    ];
    for (const line of edges) expectSameAsRegex(line);
  });

  it('reads a huge line, and a hostile one full of backslashes, as the regular expressions do', () => {
    const big = `10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /${'a'.repeat(300_000)} HTTP/1.1" 200 1 "-" "${'b\\"'.repeat(50_000)}"`;
    expectSameAsRegex(big);
    const unterminated = `10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /${'\\"'.repeat(100_000)}`;
    expectSameAsRegex(unterminated);
    expect(parse(unterminated)).to.deep.equal(unparsedEvent(unterminated));
  });

  it('gives each line of a run within one second its own time, zones and bad dates included', () => {
    const at = (date: string) => `10.0.0.1 - - [${date}] "GET / HTTP/1.1" 200 1`;
    const dates = [
      '10/Oct/2000:13:55:36 +0000',
      '10/Oct/2000:13:55:36 +0000',
      '10/Oct/2000:13:55:36 -0700',
      '10/Oct/2000:13:55:36 +0000',
      '31/Feb/2000:13:55:36 +0000',
      '10/Oct/2000:13:55:36 +0000',
      '10/Oct/2000:13:55:37 +0000',
      '10/Oct/2000:13:55:36 +0000',
      '10/Nov/2000:13:55:36 +0000',
      '10/Oct/2001:13:55:36 +0000',
      '10/Oct/2001:13:55:36 +1500',
      '10/Oct/2001:13:55:36 +0000',
    ];
    for (const date of dates) expectSameAsRegex(at(date));
    expect(parse(at(dates[2]!)).time).to.equal('2000-10-10T20:55:36.000Z');
  });

  it('knows the characters \\s matches', () => {
    for (let c = 0; c <= 0xffff; c++) {
      expect(isWhitespace(c), c.toString(16)).to.equal(/\s/.test(String.fromCharCode(c)));
    }
    expect(isWhitespace(Number.NaN)).to.equal(false);
  });

  it('says whether its fields can be written as JSON without escapes', () => {
    const plain = readAccessLine(REAL_ACCESS_LINES[0]!)!;
    expect(plain.plainJson).to.equal(true);
    expect(accessEvent(plain)).to.include({ method: 'GET', status: 200 });
    for (const line of [
      '10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /a\\"b HTTP/1.1" 200 1',
      '10.0"1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1',
      '10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 1 x="y"',
      '10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /\u0001 HTTP/1.1" 200 1',
      '10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /\u{1f600} HTTP/1.1" 200 1',
    ]) {
      expect(readAccessLine(line)?.plainJson, line).to.equal(false);
    }
  });
});
