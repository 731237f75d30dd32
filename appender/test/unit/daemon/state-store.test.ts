import { expect } from 'chai';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateDirError } from '../../../src/errors.js';
import { STATE_FILE_NAME, StateStore } from '../../../src/daemon/state-store.js';

describe('StateStore', () => {
  it('writes atomically (no temp file left) and loads what was saved', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'ship-state-')), 'nested', 'state');
    const store = await StateStore.open(dir);
    const file = { flow: 'f', path: '/a', dev: 1, ino: 2, fingerprint: 'YQ==', offset: 10 };
    await Promise.all([
      store.save({ version: 1, files: [file] }),
      store.save({ version: 1, files: [{ ...file, offset: 20 }] }),
    ]);
    expect(await readdir(dir)).to.deep.equal([STATE_FILE_NAME]);
    const again = await StateStore.open(dir);
    expect(again.loaded.files).to.deep.equal([{ ...file, offset: 20 }]);
  });

  it('refuses a directory it cannot create or write, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ship-state-'));
    await writeFile(join(dir, 'file'), 'x');
    try {
      await StateStore.open(join(dir, 'file', 'state'));
      expect.fail('should throw');
    } catch (err) {
      expect(err).to.be.instanceOf(StateDirError);
      expect((err as Error).message).to.include(join(dir, 'file', 'state'));
    }
  });

  it('sets a corrupt state file aside and says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ship-state-'));
    await writeFile(join(dir, STATE_FILE_NAME), '{"version":1,"files":[');
    const store = await StateStore.open(dir);
    expect(store.loaded.files).to.deep.equal([]);
    expect(store.warnings[0]).to.include('moved to');
    const names = await readdir(dir);
    expect(names.some((n) => n.startsWith(`${STATE_FILE_NAME}.corrupt-`))).to.equal(true);
    expect(
      await readFile(
        join(
          dir,
          names.find((n) => n.includes('corrupt'))!,
        ),
        'utf8',
      ),
    ).to.include('"files":[');
  });
});
