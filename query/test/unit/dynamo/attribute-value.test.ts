import { expect } from 'chai';
import { itemValues } from '../../../src/dynamo/scan-dynamo-table.js';

describe('itemValues', () => {
  it('turns every DynamoDB attribute type into a plain value', () => {
    expect(
      itemValues({
        s: { S: 'x' },
        n: { N: '3' },
        f: { N: '1.25' },
        big: { N: '123456789012345678901234567890' },
        b: { BOOL: true },
        nul: { NULL: true },
        m: { M: { k: { N: '1' } } },
        l: { L: [{ S: 'a' }, { N: '2' }] },
        ss: { SS: ['a', 'b'] },
        ns: { NS: ['1', '2'] },
        bin: { B: Buffer.from('hi') },
      }),
    ).to.deep.equal({
      s: 'x',
      n: 3,
      f: 1.25,
      big: '123456789012345678901234567890',
      b: true,
      nul: null,
      m: { k: 1 },
      l: ['a', 2],
      ss: ['a', 'b'],
      ns: [1, 2],
      bin: 'aGk=',
    });
  });
});
