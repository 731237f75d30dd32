import { expect } from 'chai';
import { FNV_OFFSET, FNV_PRIME, InternedUnits } from '../../../src/classify/interned-units.js';

/** Writes `text` into the table's buffer and looks it up. */
function textOf(table: InternedUnits, text: string): string {
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    table.units[i] = text.charCodeAt(i);
    hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  }
  return table.text(text.length, hash);
}

describe('InternedUnits', () => {
  it('gives the text written, again and again', () => {
    const table = new InternedUnits(16, 8);
    const a = textOf(table, '/a/:id');
    expect(a).to.equal('/a/:id');
    expect(textOf(table, '/a/:id')).to.equal(a);
    expect(textOf(table, '')).to.equal('');
    expect(textOf(table, 'é💥')).to.equal('é💥');
  });

  it('gives the right text when texts share a slot or a hash', () => {
    // One slot: every text displaces the one before, and a same-length text is compared.
    const table = new InternedUnits(1, 8);
    expect(textOf(table, 'abc')).to.equal('abc');
    expect(textOf(table, 'abd')).to.equal('abd');
    expect(textOf(table, 'abc')).to.equal('abc');
    // A wrong hash only puts a text in another slot: it is still compared unit by unit.
    table.units.set([0x78, 0x79, 0x7a]);
    expect(table.text(3, 12345)).to.equal('xyz');
    table.units.set([0x61, 0x62, 0x63]);
    expect(table.text(3, 12345)).to.equal('abc');
  });

  it('compares every unit, whatever the parity of the slot and the length', () => {
    // 7 units a slot: slots start at even and odd units, and texts differ in their last unit.
    for (const slots of [1, 2, 4]) {
      const table = new InternedUnits(slots, 7);
      const texts = ['abcdefg', 'abcdefh', 'abcdef', 'abcdeg', 'a', 'b', 'ab', 'ac', 'abcdefg'];
      for (let round = 0; round < 3; round++) {
        for (const text of texts) expect(textOf(table, text)).to.equal(text);
      }
      for (const text of texts) {
        const again = textOf(table, text);
        expect(again).to.equal(text);
        expect(textOf(table, text)).to.equal(again);
      }
    }
  });

  it('refuses bounds it cannot hold', () => {
    expect(() => new InternedUnits(3, 8)).to.throw(RangeError, /power of two/);
    expect(() => new InternedUnits(4, 0)).to.throw(RangeError, /maxUnits/);
    expect(() => new InternedUnits(4, 70_000)).to.throw(RangeError, /maxUnits/);
    expect(() => new InternedUnits(4, 8, 7)).to.throw(RangeError, /bufferUnits/);
    expect(new InternedUnits(4, 8, 16).units.length).to.equal(16);
  });
});
