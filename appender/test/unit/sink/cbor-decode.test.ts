/**
 * The CBOR decoder of answers: RFC 8949 Appendix A examples for every major type, indefinite
 * lengths and float widths; round trips through an independent encoder (the `cbor` package);
 * clear errors for truncated and malformed input.
 */
import { expect } from 'chai';
import { cborReference as cbor } from '../../support/cbor-reference.js';
import { seededRandom } from '@kinlog/core';
import { CborDecodeError } from '../../../src/errors.js';
import { CBOR_MAX_DEPTH, decodeCbor } from '../../../src/sink/cbor-decode.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s/g, ''), 'hex');

/** RFC 8949 Appendix A: encoded hex and the value it stands for. */
const EXAMPLES: [string, unknown][] = [
  ['00', 0],
  ['17', 23],
  ['1818', 24],
  ['1903e8', 1000],
  ['1a000f4240', 1000000],
  ['1b000000e8d4a51000', 1000000000000],
  ['1bffffffffffffffff', 18446744073709551615n],
  ['20', -1],
  ['3863', -100],
  ['3903e7', -1000],
  ['3bffffffffffffffff', -18446744073709551616n],
  ['f90000', 0],
  ['f93c00', 1],
  ['f97bff', 65504],
  ['f90001', 5.960464477539063e-8],
  ['f9c400', -4],
  ['f97c00', Infinity],
  ['f9fc00', -Infinity],
  ['fa47c35000', 100000],
  ['fa7f7fffff', 3.4028234663852886e38],
  ['fb3ff199999999999a', 1.1],
  ['fbc010666666666666', -4.1],
  ['f4', false],
  ['f5', true],
  ['f6', null],
  ['f7', undefined],
  ['40', new Uint8Array(0)],
  ['4401020304', Uint8Array.of(1, 2, 3, 4)],
  ['60', ''],
  ['6161', 'a'],
  ['6449455446', 'IETF'],
  ['62225c', '"\\'],
  ['62c3bc', '\u00fc'],
  ['63e6b0b4', '\u6c34'],
  ['64f0908591', '\u{10151}'],
  // A real replacement character is text like any other.
  ['63efbfbd', '\ufffd'],
  // Short texts repeated, and others of the same length (read from a cache once seen).
  ['8563616263636162636361626463c3a96163616264', ['abc', 'abc', 'abd', '\u00e9a', 'abd']],
  ['80', []],
  ['83010203', [1, 2, 3]],
  ['8301820203820405', [1, [2, 3], [4, 5]]],
  ['a0', {}],
  ['a201020304', { '1': 2, '3': 4 }],
  ['a26161016162820203', { a: 1, b: [2, 3] }],
  ['826161a161626163', ['a', { b: 'c' }]],
  // Tags are skipped: an epoch date reads as its number, a date string as its text.
  ['c11a514b67b0', 1363896240],
  ['c074323031332d30332d32315432303a30343a30305a', '2013-03-21T20:04:00Z'],
  ['d82076687474703a2f2f7777772e6578616d706c652e636f6d', 'http://www.example.com'],
  // Indefinite lengths.
  ['5f42010243030405ff', Uint8Array.of(1, 2, 3, 4, 5)],
  ['7f657374726561646d696e67ff', 'streaming'],
  ['9fff', []],
  ['9f018202039f0405ffff', [1, [2, 3], [4, 5]]],
  ['83018202039f0405ff', [1, [2, 3], [4, 5]]],
  ['bf61610161629f0203ffff', { a: 1, b: [2, 3] }],
  ['bf6346756ef563416d7421ff', { Fun: true, Amt: -2 }],
];

describe('decodeCbor', () => {
  for (const [encoded, value] of EXAMPLES) {
    it(`reads ${encoded}`, () => {
      expect(decodeCbor(hex(encoded))).to.deep.equal(value);
    });
  }

  it('reads NaN', () => {
    expect(Number.isNaN(decodeCbor(hex('f97e00')))).to.equal(true);
    expect(Number.isNaN(decodeCbor(hex('fb7ff8000000000000')))).to.equal(true);
  });

  it('reads what an independent encoder writes: PutRecords answers and errors', () => {
    const random = seededRandom(3);
    for (let round = 0; round < 50; round++) {
      const failed = Math.floor(random() * 5);
      const answer = {
        FailedRecordCount: failed,
        Records: Array.from({ length: 1 + Math.floor(random() * 500) }, (_, i) =>
          i < failed
            ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: `Rate ${i}` }
            : { SequenceNumber: String(BigInt(i) * 10n ** 50n), ShardId: `shardId-${i}` },
        ),
        EncryptionType: 'NONE',
      };
      expect(decodeCbor(cbor.encode(answer))).to.deep.equal(answer);
    }
    const error = { __type: 'ResourceNotFoundException', message: 'Stream s not found.' };
    expect(decodeCbor(cbor.encode(error))).to.deep.equal(error);
  });

  it('keeps a __proto__ key as a member', () => {
    const decoded = decodeCbor(hex('a1695f5f70726f746f5f5f01')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).to.equal(Object.prototype);
    expect(Object.keys(decoded)).to.deep.equal(['__proto__']);
  });

  const BAD: [string, string, RegExp][] = [
    ['empty input', '', /byte 0: truncated/],
    ['a cut integer', '1903', /byte 1: truncated: 2 bytes wanted, 1 left/],
    ['a cut text', '6449455', /truncated/],
    ['a text longer than the input', '7a7fffffff61', /byte 0: truncated: an item of length/],
    ['a cut array', '830102', /byte 0: truncated: an item of length 3 with 2 bytes left/],
    ['a cut nested array', '8201830203', /byte 2: truncated/],
    ['a cut map', 'a2616101', /truncated/],
    ['an unended indefinite array', '9f0102', /truncated/],
    ['an unended indefinite string', '5f4201', /truncated/],
    ['a chunk of another type', '5f6161ff', /another type/],
    ['a nested indefinite chunk', '7f7fffff', /another type/],
    ['a lone break', 'ff', /a break outside/],
    ['a break as a map value', 'bf6161ffff', /a break where an item was expected/],
    ['reserved additional information', '1c', /reserved additional information 28/],
    ['an indefinite integer', '1f', /cannot have an indefinite length/],
    ['an indefinite tag', 'df', /cannot have an indefinite length/],
    ['text that is not UTF-8', '62c328', /not UTF-8/],
    ['bytes after the item', '0000', /1 bytes after the item/],
    ['a two-byte simple below 32', 'f818', /simple value 24/],
  ];
  for (const [name, encoded, message] of BAD) {
    it(`refuses ${name} with an error that says where`, () => {
      expect(() => decodeCbor(hex(encoded)))
        .to.throw(CborDecodeError, message)
        .with.property('code', 'CBOR_INVALID');
    });
  }

  it('refuses every cut of a real answer', () => {
    const body = cbor.encode({
      FailedRecordCount: 0,
      Records: [{ SequenceNumber: '1', ShardId: 's' }],
    });
    for (let length = 0; length < body.length; length++) {
      expect(() => decodeCbor(body.subarray(0, length)), `cut at ${length}`).to.throw(
        CborDecodeError,
        /truncated/,
      );
    }
  });

  it('refuses nesting deeper than its bound instead of exhausting the stack', () => {
    const deep = Buffer.concat([Buffer.alloc(CBOR_MAX_DEPTH + 1, 0x81), Buffer.of(0)]);
    expect(() => decodeCbor(deep)).to.throw(CborDecodeError, /nested deeper/);
    const fine = Buffer.concat([Buffer.alloc(CBOR_MAX_DEPTH, 0x81), Buffer.of(0)]);
    expect(() => decodeCbor(fine)).not.to.throw();
  });
});
