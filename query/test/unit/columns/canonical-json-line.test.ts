import { expect } from 'chai';
import { canonicalJsonKeys } from '../../../src/columns/canonical-json-line.js';

describe('canonicalJsonKeys', () => {
  it('counts the keys at every depth of a line in JSON.stringify form', () => {
    const lines: [string, number][] = [
      ['{}', 0],
      ['{"a":1}', 1],
      ['{"a":1,"b":{"c":"x","d":[1,2,{"e":null}]},"f":[]}', 6],
      ['{"t":true,"f":false,"n":null,"s":""}', 4],
      ['{"x":-0.25,"y":0.5,"z":123456789012345,"w":-7}', 4],
      ['{"q":"a \\"quoted\\": b","r":"ends with \\\\","s":"\\u00e9 \\/"}', 3],
      ['{"1":"top-level digit keys are matched by name","a":{"b1":1}}', 3],
      ['{"m":"émoji 😀 and \u2028"}', 1],
    ];
    for (const [line, keys] of lines) {
      expect(JSON.parse(line)).to.be.an('object'); // every case is JSON
      expect(canonicalJsonKeys(line), line).to.equal(keys);
    }
  });

  it('refuses what DuckDB would read differently from the parsed event', () => {
    const lines = [
      ' {"a":1}', // whitespace
      '\ufeff{"a":1}', // BOM
      '{"a": 1}',
      '{"a":1}\t',
      '{"a":1.0}', // DuckDB keeps 1.0 a double
      '{"a":12.50}',
      '{"a":1e2}',
      '{"a":1E-2}',
      '{"a":-0}',
      '{"a":1234567890123456}', // past 15 digits
      '{"a":0.1234567890123456}',
      '{"a":{"1":"x","b":2}}', // JavaScript lists integer keys first
      '{"a":[{"\\u0031":1}]}',
      '[1,2]',
      '"text"',
      '{"a":"\ud800"}', // a lone surrogate
      '',
      '{',
    ];
    for (const line of lines) expect(canonicalJsonKeys(line), JSON.stringify(line)).to.equal(-1);
  });

  it('counts duplicate keys each time, so they show against the parsed event', () => {
    expect(canonicalJsonKeys('{"a":1,"a":2}')).to.equal(2);
    expect(Object.keys(JSON.parse('{"a":1,"a":2}') as object)).to.have.length(1);
    expect(canonicalJsonKeys('{"u":{"d":1,"d":1}}')).to.equal(3);
  });
});
