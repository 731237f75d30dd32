import { expect } from 'chai';
import { LineSplitter } from '../../../src/daemon/line-splitter.js';

const splitter = (
  maxLineBytes = 1024,
  longLines: 'split' | 'truncate' = 'split',
  startOffset = 0,
) => new LineSplitter({ startOffset, maxLineBytes, longLines });

describe('LineSplitter', () => {
  it('hands out complete lines with the offset after each, holding a partial line', () => {
    const s = splitter(1024, 'split', 10);
    expect(s.push(Buffer.from('ab\r\ncd\nef'))).to.deep.equal([
      { text: 'ab', end: 14 },
      { text: 'cd', end: 17 },
    ]);
    expect(s.pendingBytes).to.equal(2);
    expect(s.lineEnd).to.equal(17);
    expect(s.push(Buffer.from('g\n'))).to.deep.equal([{ text: 'efg', end: 21 }]);
    expect(s.finish()).to.deep.equal([]);
  });

  it('joins a line across many chunks, and a multi-byte character cut between chunks', () => {
    const s = splitter();
    const bytes = Buffer.from('héllo wörld\n');
    const out = [];
    for (let i = 0; i < bytes.length; i++) out.push(...s.push(bytes.subarray(i, i + 1)));
    expect(out).to.deep.equal([{ text: 'héllo wörld', end: bytes.length }]);
  });

  it('flags invalid UTF-8 and keeps the line', () => {
    const s = splitter();
    const out = s.push(Buffer.from([0x61, 0xff, 0x62, 0x0a]));
    expect(out).to.have.length(1);
    expect(out[0]!.invalidUtf8).to.equal(true);
    expect(out[0]!.text).to.equal('a\uFFFDb');
    expect(s.stats.invalidUtf8).to.equal(1);
  });

  it('splits a 5 MB line into pieces that hold every byte, with bounded memory', () => {
    const s = splitter(512 * 1024);
    const line = 'x'.repeat(5 * 1024 * 1024);
    const out = [];
    const buf = Buffer.from(line + '\nnext\n');
    for (let i = 0; i < buf.length; i += 64 * 1024) {
      out.push(...s.push(buf.subarray(i, i + 64 * 1024)));
      expect(s.pendingBytes).to.be.at.most(512 * 1024);
    }
    const pieces = out.filter((l) => l.cut === 'split');
    // 5 MiB in 512 KiB pieces: 9 cut off, the 10th ends at the newline.
    expect(pieces.length).to.equal(9);
    expect(out.map((l) => l.text).join('')).to.equal(line + 'next');
    expect(out.at(-1)).to.deep.equal({ text: 'next', end: buf.length });
    expect(s.stats.splitPieces).to.equal(9);
  });

  it('truncates a long line to maxLineBytes and resumes at the next line', () => {
    const s = splitter(1024, 'truncate');
    const out = s.push(Buffer.from('y'.repeat(5000) + '\nok\n'));
    expect(out.map((l) => [l.text.length, l.cut, l.end])).to.deep.equal([
      [1024, 'truncated', 5001],
      [2, undefined, 5004],
    ]);
    expect(s.stats.truncated).to.equal(1);
    expect(s.stats.truncatedBytes).to.equal(5000 - 1024);
  });

  it('finish() hands out a last line without its newline', () => {
    const s = splitter();
    s.push(Buffer.from('tail'));
    expect(s.finish()).to.deep.equal([{ text: 'tail', end: 4 }]);
  });
});
