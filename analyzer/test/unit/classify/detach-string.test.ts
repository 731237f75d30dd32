import { expect } from 'chai';
import { detachString } from '../../../src/classify/detach-string.js';

describe('detachString', () => {
  it('gives the same text for views and strings of every length, any characters', () => {
    const record =
      `{"page":"/api/orders/1234/items","msg":"caf\u00e9 \ud83d\udca5 \ud800 x"}`.repeat(3);
    for (let start = 0; start < 12; start++) {
      for (let end = start; end <= record.length; end++) {
        const view = record.slice(start, end);
        const copy = detachString(view);
        expect(copy).to.equal(view);
        expect(copy.length).to.equal(view.length);
        // Read again after the first read made the copy flat.
        expect(copy.charCodeAt(copy.length - 1)).to.deep.equal(view.charCodeAt(view.length - 1));
      }
    }
  });
});
