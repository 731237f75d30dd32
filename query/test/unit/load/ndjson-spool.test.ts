import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { expect } from 'chai';
import { LoadLimitError } from '../../../src/errors.js';
import { SpoolDirectory, SpoolLimits } from '../../../src/load/ndjson-spool.js';

/** Lines enough to fill write buffers several times over. */
function manyLines(): string[] {
  const lines: string[] = [];
  for (let bytes = 0; bytes < 3 * SpoolLimits.FLUSH_BYTES;) {
    const line = JSON.stringify({ n: lines.length, pad: 'x'.repeat(1000 + (lines.length % 7)) });
    lines.push(line);
    bytes += line.length + 1;
  }
  return lines;
}

describe('SpoolFile', () => {
  it('writes every line in order while the next buffers fill, one write at a time', async () => {
    const spool = await SpoolDirectory.create();
    try {
      const file = spool.file('t');
      const lines = manyLines();
      for (const [i, line] of lines.entries()) {
        const [head, tail] = [line.slice(0, i % 50), line.slice(i % 50)];
        file.pushParts(head, tail);
        if (i % 100 === 0) await file.flushIfFull();
      }
      await file.close();
      expect(await readFile(file.path, 'utf8')).to.equal(lines.join('\n') + '\n');
      expect(file.lines).to.equal(lines.length);
    } finally {
      await spool.remove();
    }
  });

  it('builds lines of a UTF-8 head, ASCII texts and integers byte for byte; a text that is not printable ASCII leaves its line out', async () => {
    const spool = await SpoolDirectory.create();
    try {
      const file = spool.file('t');
      const lines: string[] = [];
      const integers = [0, 7, -1, 10, 99, 100, 99_999_999, 100_000_000, 100_000_007, -200_000_001];
      integers.push(1714521600000, -62167219200000, 10 ** 15, 2 ** 53 - 1);
      // Seeded integers of every length, both signs: each half of the digits written apart.
      let seed = 17;
      for (let i = 0; i < 2_000; i++) {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        const digits = 1 + (i % 15);
        const n = Math.floor((seed / 2 ** 31) * 10 ** digits);
        integers.push(i % 2 === 0 ? n : -n, 10 ** (digits - 1), 10 ** (digits - 1) - 1);
      }
      for (const [i, n] of [...integers, -(2 ** 53 - 1)].entries()) {
        file.startLine(`{"é":${i}}`, 64);
        file.appendTab();
        expect(file.appendAscii(' ~\x7f"')).to.equal(true);
        file.appendTab();
        file.appendInteger(n);
        file.endLine();
        lines.push(`{"é":${i}}\t ~\x7f"\t${n}`);
      }
      for (const odd of [
        'tab\there',
        'line\n',
        'é',
        '\u0080',
        '😀',
        'a\u0000',
        '\u001f',
        '\uffff',
      ]) {
        file.startLine('{"dropped":true}', 64);
        file.appendTab();
        expect(file.appendAscii('kept so far')).to.equal(true);
        expect(file.appendAscii(odd), odd).to.equal(false);
      }
      // A line left unended is dropped by the next one started.
      file.startLine('{"last":1}', 8);
      file.appendTab();
      file.endLine();
      lines.push('{"last":1}\t');
      await file.close();
      expect(await readFile(file.path, 'utf8')).to.equal(lines.join('\n') + '\n');
      expect(file.lines).to.equal(lines.length);
      expect(file.longestLineBytes).to.equal(Math.max(...lines.map((l) => Buffer.byteLength(l))));
    } finally {
      await spool.remove();
    }
  });

  it('refuses to end a line longer than the room its start announced', async () => {
    const spool = await SpoolDirectory.create();
    try {
      const file = spool.file('t');
      // Three bytes each: the head fills what its start asked for, but for the newline.
      file.startLine('✓'.repeat(Math.floor(SpoolLimits.FLUSH_BYTES / 3) - 1), 0);
      expect(file.appendAscii('past the end')).to.equal(true);
      expect(() => file.endLine()).to.throw(RangeError);
      await file.close();
      expect(file.lines).to.equal(0);
    } finally {
      await spool.remove();
    }
  });

  it('fails the flush that passes the spool bound, before writing it', async () => {
    const spool = await SpoolDirectory.create(SpoolLimits.FLUSH_BYTES);
    try {
      const file = spool.file('t');
      let failure: unknown;
      for (const line of manyLines()) {
        file.push(line);
        failure = await file.flushIfFull().catch((err: unknown) => err);
        if (failure !== undefined) break;
      }
      expect(failure).to.be.instanceOf(LoadLimitError);
      await file.close().catch(() => undefined);
      expect((await readFile(file.path)).length).to.be.at.most(SpoolLimits.FLUSH_BYTES);
    } finally {
      await spool.remove();
    }
  });

  it('reports a write that failed in the background from the next flush or close', async () => {
    const spool = await SpoolDirectory.create();
    try {
      const file = spool.file('t');
      // The file is created exclusively on its first write: one already there fails it.
      await writeFile(file.path, 'taken');
      const lines = manyLines();
      let failure: unknown;
      for (const line of lines) {
        file.push(line);
        failure = await file.flushIfFull().catch((err: unknown) => err);
        if (failure !== undefined) break;
      }
      const closing = await file.close().catch((err: unknown) => err);
      expect(failure ?? closing).to.have.property('code', 'EEXIST');
      // Closing again (as an abandoned load does) does nothing.
      await file.close();
      expect(await readFile(file.path, 'utf8')).to.equal('taken');
    } finally {
      await spool.remove();
    }
  });

  it('closed twice at once, ends both closes only once every line is written and the file closed', async () => {
    const spool = await SpoolDirectory.create();
    try {
      const file = spool.file('t');
      const lines = manyLines();
      for (const line of lines) file.push(line);
      await file.flushIfFull();
      const first = file.close();
      await file.close();
      // Read at once, before the first close's promise is looked at.
      expect(readFileSync(file.path, 'utf8')).to.equal(lines.join('\n') + '\n');
      await first;
    } finally {
      await spool.remove();
    }
  });
});
