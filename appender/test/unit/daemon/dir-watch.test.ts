import { expect } from 'chai';
import { mkdir, mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirWatch } from '../../../src/daemon/dir-watch.js';

/** Waits for `check`, polling; fails after 5 s (events are asynchronous, never assumed instant). */
async function eventually(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('no file event within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('DirWatch', () => {
  it('reports growth, new files and renames in the directories of its patterns', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dir-watch-'));
    await writeFile(join(dir, 'app.log'), 'a\n');
    let events = 0;
    const w = new DirWatch([join(dir, '*.log')], () => events++);
    try {
      w.refresh();
      expect(w.allWatched).to.equal(true);
      expect(w.takeChanged()).to.equal(false);

      await writeFile(join(dir, 'app.log'), 'a\nb\n');
      await eventually(() => events > 0);
      expect(w.takeChanged()).to.equal(true);
      expect(w.takeChanged()).to.equal(false);

      const before = events;
      await rename(join(dir, 'app.log'), join(dir, 'app.log.1'));
      await eventually(() => events > before);
      expect(w.takeChanged()).to.equal(true);
    } finally {
      w.close();
    }
  });

  it('is not all-watched while a directory is missing or is itself a glob', async () => {
    const base = await mkdtemp(join(tmpdir(), 'dir-watch-'));
    const later = join(base, 'later');
    const w = new DirWatch([join(later, 'x.log')], () => {});
    try {
      w.refresh();
      expect(w.allWatched).to.equal(false);
      await mkdir(later);
      w.refresh();
      expect(w.allWatched).to.equal(true);
    } finally {
      w.close();
    }
    const globbed = new DirWatch([join(base, '*', 'x.log')], () => {});
    globbed.refresh();
    expect(globbed.allWatched).to.equal(false);
    globbed.close();
  });
});
