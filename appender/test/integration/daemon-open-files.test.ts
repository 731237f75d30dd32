/**
 * More matching files than the process may open: `kinlog ship` under a low `ulimit -n` keeps
 * its files within a budget (closing idle ones, reopening them by dev:ino), still reaches
 * Kinesis, ships every file and says why it is slower.
 */
import { expect } from 'chai';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestStream } from '@kinlog/testkit';
import { streamEvents, tempDir, waitFor } from '../support/ship-helpers.js';
import { configFor, shipUnderLimit, writeFiles } from '../support/many-files.js';
import { FileBudget, openFilesAllowed, softOpenFileLimit } from '../../src/daemon/file-budget.js';

describe('kinlog ship: more files than it may open', function () {
  this.timeout(120_000);

  it('reads the soft limit and leaves a reserve for Node and Kinesis', () => {
    expect(
      softOpenFileLimit(
        'Max open files            1024                 4096                 files\n',
      ),
    ).to.equal(1024);
    expect(
      softOpenFileLimit(
        'Max open files            unlimited            unlimited            files\n',
      ),
    ).to.equal(Infinity);
    expect(openFilesAllowed(512, 1024, 1)).to.equal(512);
    expect(openFilesAllowed(512, 256, 1)).to.equal(176);
    expect(openFilesAllowed(512, 64, 2)).to.equal(4);
    const budget = new FileBudget(2);
    expect([budget.take(), budget.take(), budget.take()]).to.deep.equal([true, true, false]);
    budget.give();
    expect(budget.take()).to.equal(true);
  });

  it('ships 400 files under ulimit -n 128 (--once exits 0), warns why, and follows them as they grow', async () => {
    const streamName = await createTestStream(2);
    const dir = await tempDir('ship-fds-');
    const files = 400;
    const glob = writeFiles(dir, files, 'first');
    const config = configFor(dir, streamName, glob);
    const once = shipUnderLimit(128, config, ['--once']);
    const exit = await once.exited;
    expect(exit.code, once.output()).to.equal(0);
    expect(once.output()).to.include('more files match than the').and.include('LimitNOFILE');
    expect(once.output()).to.not.include('EMFILE');
    let events = await streamEvents(streamName);
    expect(new Set(events.map((e) => e.msg)).size, once.output()).to.equal(files);

    // Following: every file grows after it was closed for the budget; each is reopened.
    const follow = shipUnderLimit(128, config);
    try {
      for (let n = 0; n < files; n++)
        appendFileSync(join(dir, 'logs', `f${n}.log`), `second ${n}\n`);
      await waitFor(
        async () => (events = await streamEvents(streamName)).length >= 2 * files,
        'the second line of every file',
        90_000,
      );
    } finally {
      follow.child.kill('SIGTERM');
      await follow.exited;
    }
    expect(follow.output()).to.not.include('EMFILE');
    const second = events.filter((e) => String(e.msg).startsWith('second '));
    expect(new Set(second.map((e) => e.msg)).size).to.equal(files);
    expect(events.filter((e) => String(e.msg).startsWith('first '))).to.have.length(files);
  });
});
