/**
 * The soak lane (`npm run test:soak`): the long variants of the hostile-input and open-file
 * tests. Many files under the open-file limit the issue was found with, big lines over and
 * over, and repeated kill -9 of `kinlog ship` while it ships.
 */
import { expect } from 'chai';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { KinesisLimits } from '@kinlog/core';
import { createTestStream } from '@kinlog/testkit';
import { SinkDefaults } from '../../src/index.js';
import { ShipDefaults } from '../../src/daemon/index.js';
import { configFor, shipUnderLimit, writeFiles } from '../support/many-files.js';
import {
  countNumbers,
  lossAndDuplicates,
  streamEvents,
  tempDir,
  waitFor,
} from '../support/ship-helpers.js';
import { spawnShip } from '../support/ship-process.js';

const MiB = 1024 * 1024;

describe('soak: kinlog ship', function () {
  this.timeout(900_000);

  it('1,500 files under ulimit -n 1024: --once delivers every one, then follows their growth', async () => {
    const streamName = await createTestStream(4);
    const dir = await tempDir('soak-fds-');
    const files = 1_500;
    const config = configFor(dir, streamName, writeFiles(dir, files, 'first'));
    const once = shipUnderLimit(1024, config, ['--once']);
    expect((await once.exited).code, once.output()).to.equal(0);
    expect(once.output()).to.not.include('EMFILE');
    const follow = shipUnderLimit(1024, config);
    try {
      for (let n = 0; n < files; n++)
        appendFileSync(join(dir, 'logs', `f${n}.log`), `second ${n}\n`);
      await waitFor(
        async () => (await streamEvents(streamName)).length >= 2 * files,
        'every file twice',
        600_000,
      );
    } finally {
      follow.child.kill('SIGTERM');
      await follow.exited;
    }
    const msgs = new Set((await streamEvents(streamName)).map((e) => e.msg));
    expect(msgs.size).to.equal(2 * files);
  });

  it('big lines over and over: 40 JSON lines of 5 MiB, each one record with its fields', async () => {
    const streamName = await createTestStream(2);
    const dir = await tempDir('soak-big-');
    const file = join(dir, 'big.jsonl');
    const line = (n: number) =>
      JSON.stringify({ level: 'error', status: 500, n, msg: 'b'.repeat(5 * MiB) }) + '\n';
    writeFileSync(file, '');
    for (let n = 0; n < 40; n++) appendFileSync(file, line(n));
    const proc = spawnShip([
      file,
      '--stream',
      streamName,
      '--parser',
      'json',
      '--once',
      '--state-dir',
      join(dir, 'state'),
      '--endpoint',
      process.env.AWS_ENDPOINT_URL_KINESIS ?? '',
    ]);
    expect((await proc.exited).code, proc.output()).to.equal(0);
    const events = await streamEvents(streamName);
    expect(events.map((e) => e.n).sort((a, b) => Number(a) - Number(b))).to.deep.equal(
      Array.from({ length: 40 }, (_, n) => n),
    );
    for (const e of events) expect(e).to.include({ level: 'error', status: 500 });
  });

  it('ten kill -9 while shipping 200,000 lines: nothing lost, re-sends bounded', async () => {
    const streamName = await createTestStream(2);
    const dir = await tempDir('soak-kill-');
    const file = join(dir, 'app.log');
    const total = 200_000;
    let text = '';
    for (let n = 0; n < total; n++) text += `line ${n} ${'k'.repeat(40)}\n`;
    writeFileSync(file, text);
    const args = [
      file,
      '--stream',
      streamName,
      '--state-dir',
      join(dir, 'state'),
      '--endpoint',
      process.env.AWS_ENDPOINT_URL_KINESIS ?? '',
    ];
    for (let kill = 0; kill < 10; kill++) {
      const proc = spawnShip(args);
      await delay(1_500);
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
    const last = spawnShip([...args, '--once']);
    expect((await last.exited).code, last.output()).to.equal(0);
    const { missing, duplicates } = lossAndDuplicates(
      countNumbers(await streamEvents(streamName), 'line'),
      total,
    );
    expect(missing).to.deep.equal([]);
    // At most the default commit window re-sent per kill: COMMIT_WINDOW_REQUESTS × maxInFlight
    // full batches (the bound the README states).
    const window =
      ShipDefaults.COMMIT_WINDOW_REQUESTS *
      SinkDefaults.MAX_IN_FLIGHT *
      KinesisLimits.MAX_RECORDS_PER_REQUEST;
    expect(duplicates).to.be.at.most(10 * window);
  });
});
