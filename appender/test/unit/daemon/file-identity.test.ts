import { expect } from 'chai';
import { isCopyOf, looksBinary, sameContent } from '../../../src/daemon/file-identity.js';

const b = (s: string) => Buffer.from(s);

describe('file identity', () => {
  it('sameContent: a grown file is the same, a refilled or shorter one is not', () => {
    expect(sameContent(b('abc'), b('abcdef'))).to.equal(true);
    expect(sameContent(b(''), b('xyz'))).to.equal(true);
    expect(sameContent(b('abc'), b('xbc'))).to.equal(false);
    expect(sameContent(b('abcdef'), b('abc'))).to.equal(false);
  });

  it('isCopyOf needs a non-empty fingerprint the copy starts with', () => {
    expect(isCopyOf(b('line 1\n'), b('line 1\nline 2\n'))).to.equal(true);
    expect(isCopyOf(b(''), b('line 1\n'))).to.equal(false);
    expect(isCopyOf(b('line 1\nline 2\n'), b('line 1\n'))).to.equal(false);
  });

  it('looksBinary on NUL bytes', () => {
    expect(looksBinary(Buffer.from([0x1f, 0x8b, 0x08, 0x00]))).to.equal(true);
    expect(looksBinary(b('text\n'))).to.equal(false);
  });
});
