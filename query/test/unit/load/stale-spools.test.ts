import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { expect } from 'chai';
import { SpoolDirectory } from '../../../src/load/ndjson-spool.js';
import {
  processIsAlive,
  removeStaleSpools,
  spoolNamePrefix,
} from '../../../src/load/stale-spools.js';

/** The id of a process that has ended (a child run to its end). */
function endedPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid;
}

describe('stale spools', () => {
  let parent: string;
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'kinlog-stale-test-'));
  });
  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  /** A spool directory as a process `pid` of `host` would have made it, with a file in it. */
  async function leftover(host: string, pid: number, suffix = 'a1B2c3'): Promise<string> {
    const name = `${spoolNamePrefix(host, pid)}${suffix}`;
    await mkdir(join(parent, name));
    await writeFile(join(parent, name, '1-logs.ndjson'), '{"a":1}\n');
    return name;
  }

  it('removes the directories of ended processes of this host and keeps every other', async () => {
    const dead = endedPid();
    expect(processIsAlive(dead)).to.equal(false);
    const gone = await leftover(hostname(), dead);
    const running = await leftover(hostname(), process.ppid);
    const mine = await leftover(hostname(), process.pid);
    const otherHost = await leftover(`${hostname()}-elsewhere`, dead, 'z9Y8x7');
    await mkdir(join(parent, 'kinlog-query-Qw3rTy')); // unnamed owner: cannot be judged
    await mkdir(join(parent, 'unrelated'));

    expect(await removeStaleSpools(parent)).to.deep.equal([gone]);
    expect((await readdir(parent)).sort()).to.deep.equal(
      [running, mine, otherHost, 'kinlog-query-Qw3rTy', 'unrelated'].sort(),
    );
  });

  it('judges by the process id in the name, through the check it is given', async () => {
    const a = await leftover('web-1', 101);
    const b = await leftover('web-1', 202);
    const asked: number[] = [];
    const removed = await removeStaleSpools(parent, 'web-1', (pid) => {
      asked.push(pid);
      return pid === 202;
    });
    expect(removed).to.deep.equal([a]);
    expect(asked.sort()).to.deep.equal([101, 202]);
    expect(await readdir(parent)).to.deep.equal([b]);
  });

  it('does not take one host for another whose name it begins', async () => {
    await leftover('web-1', 101);
    expect(await removeStaleSpools(parent, 'web', () => false)).to.deep.equal([]);
  });

  it('answers nothing for a parent that cannot be read', async () => {
    expect(await removeStaleSpools(join(parent, 'missing'), 'web', () => false)).to.deep.equal([]);
  });

  it('is what a new spool directory does first, and names its own for this process', async () => {
    const gone = await leftover(hostname(), endedPid());
    const spool = await SpoolDirectory.create(undefined, parent);
    try {
      expect(basename(spool.path).startsWith(spoolNamePrefix())).to.equal(true);
      expect(await readdir(parent)).to.deep.equal([basename(spool.path)]);
      expect(gone).to.not.equal(basename(spool.path));
    } finally {
      await spool.remove();
    }
  });
});
