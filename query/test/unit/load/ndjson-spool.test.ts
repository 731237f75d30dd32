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
});
