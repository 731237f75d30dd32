import { expect } from 'chai';
import { displayText } from '../../../src/report/display-text.js';
import { escapeHtml } from '../../../src/report/escape-html.js';
import { displayWidth, fitWidth } from '../../../src/report/display-width.js';

describe('displayText', () => {
  it('shows control characters as escapes', () => {
    expect(displayText('a\u0000b\nc\td\u001b[0m\u0085')).to.equal(
      'a\\u0000b\\nc\\td\\u001b[0m\\u0085',
    );
  });

  it('neutralizes bidi overrides and zero-width characters', () => {
    expect(displayText('x\u202ey\u200bz\u2066\ufeff')).to.equal('x\\u202ey\\u200bz\\u2066\\ufeff');
  });

  it('keeps ordinary right-to-left letters and emoji', () => {
    expect(displayText('שלום 😀')).to.equal('שלום 😀');
  });

  it('replaces lone surrogates', () => {
    expect(displayText('a\ud800b\udc00')).to.equal('a\ufffdb\ufffd');
  });

  it('cuts long text with an ellipsis, never splitting a pair or an escape', () => {
    expect(displayText('x'.repeat(10_000), 10)).to.equal('xxxxxxxxx…');
    expect(displayText('abc', 3)).to.equal('abc');
    expect(displayText('abcd', 3)).to.equal('ab…');
    expect(displayText('ab😀😀', 4)).to.equal('ab…');
    expect(displayText('ab\u0000cd', 6)).to.equal('ab…');
  });

  it('escapeHtml leaves no markup', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&`)).to.equal(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;',
    );
  });

  it('measures and fits wide characters', () => {
    expect(displayWidth('日本語')).to.equal(6);
    expect(fitWidth('日本語', 5)).to.equal('日本…');
    expect(displayWidth(fitWidth('日本語', 5))).to.be.at.most(5);
  });
});
