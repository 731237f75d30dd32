import { expect } from 'chai';
import { wellFormedJson } from '../../../src/columns/well-formed-json.js';

describe('wellFormedJson', () => {
  it('writes lone surrogate escapes, high or low, in any case, as \\ufffd', () => {
    expect(wellFormedJson('{"m":"a\\ud800b"}')).to.equal('{"m":"a\\ufffdb"}');
    expect(wellFormedJson('{"m":"\\uDC00"}')).to.equal('{"m":"\\ufffd"}');
    expect(wellFormedJson('{"\\udbff":1,"m":"\\ud800\\ud800"}')).to.equal(
      '{"\\ufffd":1,"m":"\\ufffd\\ufffd"}',
    );
    // A high one closing the string, and one at the very end of a cut text.
    expect(wellFormedJson('{"m":"x\\ud83d"}')).to.equal('{"m":"x\\ufffd"}');
    expect(wellFormedJson('"\\ud83d')).to.equal('"\\ufffd');
  });

  it('keeps surrogate pairs, escaped or written, and other escapes', () => {
    for (const text of [
      '{"m":"\\ud83d\\ude00"}',
      '{"m":"\\uD83D\\uDE00 ok"}',
      '{"m":"😀"}',
      '{"m":"\\u00e9\\n\\t\\"\\\\"}',
      '{"m":"\\u12"}',
    ]) {
      expect(wellFormedJson(text)).to.equal(text);
    }
  });

  it('tells an escaped backslash followed by "ud800" from an escape', () => {
    // Text `\\ud800` is a backslash then the letters ud800: nothing to change.
    expect(wellFormedJson('{"m":"\\\\ud800"}')).to.equal('{"m":"\\\\ud800"}');
    // Three backslashes: an escaped backslash, then a real lone escape.
    expect(wellFormedJson('{"m":"\\\\\\ud800"}')).to.equal('{"m":"\\\\\\ufffd"}');
  });

  it('gives JSON that parses to what JSON.stringify of the well-formed value would', () => {
    const values = ['a\ud800', '\udc00b', '\ud83d\ude00', 'x\\ud800', '\ud800\ud800\udc00'];
    for (const v of values) {
      const fixed = JSON.parse(wellFormedJson(JSON.stringify({ [v]: v }))) as Record<
        string,
        string
      >;
      const expected = (v as string & { toWellFormed(): string }).toWellFormed();
      expect(fixed).to.deep.equal({ [expected]: expected });
    }
  });
});
