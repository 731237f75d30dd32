import { expect } from 'chai';
import { httpReasonPhrase, HttpReasonPhrases } from '../../../src/classify/http-reason-phrase.js';

/** The signature as it was made for every record, before it was made once per status. */
function madeAnew(status: number): string {
  const phrase = HttpReasonPhrases[status];
  return phrase === undefined ? String(status) : `${status} ${phrase}`;
}

describe('httpReasonPhrase', () => {
  it('names registered statuses and gives the number alone for others', () => {
    expect(httpReasonPhrase(503)).to.equal('503 Service Unavailable');
    expect(httpReasonPhrase(499)).to.equal('499 Client Closed Request');
    expect(httpReasonPhrase(599)).to.equal('599');
    expect(httpReasonPhrase(0)).to.equal('0');
  });

  it('gives for every number what it gave when it made the text per call', () => {
    // Every code in and around the table, and numbers no status has.
    const codes = [...Array.from({ length: 800 }, (_, i) => i - 50), 1.5, -0, 1e21, NaN, Infinity];
    for (const code of codes) expect(httpReasonPhrase(code), String(code)).to.equal(madeAnew(code));
  });
});
