import { expect } from 'chai';
import { ValueCodes } from '../../../src/load/value-codes.js';

describe('ValueCodes', () => {
  it('gives each value the next code from 1 the first time, and the same code after', () => {
    const codes = new ValueCodes();
    expect(['b', 'a', 'b', '', 'a', ''].map((v) => codes.codeOf(v))).to.deep.equal([
      1, 2, 1, 3, 2, 3,
    ]);
    expect(codes.values).to.deep.equal(['b', 'a', '']);
  });
});
