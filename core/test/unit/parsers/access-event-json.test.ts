import { expect } from 'chai';
import { accessEventJson } from '../../../src/parsers/access-event-json.js';
import { readAccessLine } from '../../../src/parsers/access-line-reader.js';
import { accessEvent } from '../../../src/parsers/access-log-parser.js';
import { accessLineCorpus } from './support/access-line-corpus.js';

describe('accessEventJson', () => {
  it('writes what JSON.stringify writes of the event, on every line read of 30,000 mutated', () => {
    let written = 0;
    let escaped = 0;
    for (const line of accessLineCorpus(30_000, 11)) {
      const a = readAccessLine(line);
      if (a === undefined) continue;
      written++;
      if (!a.plainJson) escaped++;
      expect(accessEventJson(a), JSON.stringify(line)).to.equal(JSON.stringify(accessEvent(a)));
    }
    expect(written).to.be.above(5_000);
    expect(escaped).to.be.above(1_000);
  });

  it('writes huge fields, escaped or not, as JSON.stringify does', () => {
    for (const line of [
      `10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /${'a\u00e9'.repeat(200_000)} HTTP/1.1" 200 1 "-" "x"`,
      `10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /${'\\"\u0001\ud800'.repeat(100_000)} HTTP/1.1" 200 1`,
    ]) {
      const a = readAccessLine(line)!;
      expect(accessEventJson(a, ',"host":"h"')).to.equal(
        JSON.stringify({ ...accessEvent(a), host: 'h' }),
      );
    }
  });

  it('adds members before the closing brace', () => {
    const a = readAccessLine(
      '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 503 12 "-" "curl/8" 0.1',
    )!;
    const json = accessEventJson(a, ',"host":"web-1","n":1');
    expect(json).to.equal(JSON.stringify({ ...accessEvent(a), host: 'web-1', n: 1 }));
    expect(JSON.parse(json)).to.include({ extra: '0.1', agent: 'curl/8', level: 'error' });
  });

  it('writes a byte count too big for a number as null, as JSON.stringify does', () => {
    const a = readAccessLine(
      `10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 ${'9'.repeat(400)}`,
    )!;
    expect(a.bytes).to.equal(Infinity);
    expect(accessEventJson(a)).to.equal(JSON.stringify(accessEvent(a)));
    expect(accessEventJson(a)).to.contain('"bytes":null');
  });
});
