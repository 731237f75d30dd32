/**
 * 50 rotations of each kind while lines are written: every line arrives exactly once (none lost,
 * no rotated file shipped again from its start). The daemon runs in-process, so a rotation done
 * with synchronous calls is atomic from its point of view, as a fast logrotate is.
 */
import { expect } from 'chai';
import {
  appendFileSync,
  copyFileSync,
  renameSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createTestStream } from '@kinlog/testkit';
import { ShipDaemon } from '../../src/daemon/index.js';
import {
  countNumbers,
  lossAndDuplicates,
  shipConfig,
  streamEvents,
  tempDir,
  waitFor,
} from '../support/ship-helpers.js';

const ROTATIONS = 50;
const LINES_PER_ROTATION = 60;
const LINES_PER_WRITE = 20;

type Kind = 'rename' | 'copytruncate' | 'refill';

async function rotateWhileWriting(kind: Kind): Promise<void> {
  const streamName = await createTestStream(1);
  const dir = await tempDir(`ship-rot-${kind}-`);
  const file = join(dir, 'app.log');
  writeFileSync(file, '');
  const config = shipConfig({
    stateDir: join(dir, 'state'),
    flows: [{ paths: [`${file}*`], stream: streamName, parser: 'raw' }],
  });
  const daemon = await ShipDaemon.start({ config });
  try {
    await rotate(kind, file, daemon, streamName);
  } finally {
    await daemon.stop();
  }
}

async function rotate(
  kind: Kind,
  file: string,
  daemon: ShipDaemon,
  streamName: string,
): Promise<void> {
  const warnings: string[] = [];
  daemon.on('warning', (w) => warnings.push(w));
  let n = 0;
  const write = (count: number): void => {
    let text = '';
    for (let i = 0; i < count; i++) text += `${kind} ${n++} ${'x'.repeat(40)}\n`;
    appendFileSync(file, text);
  };
  const caughtUp = () => {
    const size = statSync(file).size;
    return daemon
      .stats()
      .files.some((f) => f.path === file && f.size === size && f.behindBytes === 0);
  };
  for (let r = 0; r < ROTATIONS; r++) {
    for (let w = 0; kind !== 'refill' && w < LINES_PER_ROTATION / LINES_PER_WRITE; w++) {
      write(LINES_PER_WRITE);
      await delay(r % 3 === 0 ? 0 : 7);
    }
    const rotated = `${file}.${r + 1}`;
    if (kind === 'rename') {
      renameSync(file, rotated);
      writeFileSync(file, '');
      write(5);
    } else if (kind === 'copytruncate') {
      copyFileSync(file, rotated);
      truncateSync(file, 0);
      write(5);
    } else {
      // Truncate, then refill past the old size before the daemon looks again: a tailer that
      // only compares sizes would skip the new lines up to the old offset.
      await waitFor(caughtUp, 'the daemon to catch up before truncating');
      const before = statSync(file).size;
      truncateSync(file, 0);
      write(LINES_PER_ROTATION);
      while (statSync(file).size <= before) write(1);
    }
  }
  write(10);
  const total = n;
  await waitFor(
    () => daemon.stats().counters.recordsAcked >= total,
    `all ${total} lines acknowledged`,
    60_000,
  );
  await daemon.stop();
  const counts = countNumbers(await streamEvents(streamName), kind);
  const { missing, duplicates } = lossAndDuplicates(counts, total);
  const c = daemon.stats().counters;
  console.log(
    `      ${kind}: ${total} lines, ${ROTATIONS} rotations, lost ${missing.length}, duplicates ${duplicates}, truncations seen ${c.truncations}, copies followed ${c.copiesFollowed}`,
  );
  expect(missing, `lost lines (first: ${missing.slice(0, 5).join(',')})`).to.deep.equal([]);
  expect(duplicates, 'lines shipped twice').to.equal(0);
  expect(warnings).to.deep.equal([]);
  // Refills are always seen; copytruncate is seen unless the daemon had read nothing since.
  if (kind === 'refill') expect(c.truncations).to.be.at.least(ROTATIONS - 1); // the first starts from empty
  if (kind === 'copytruncate') expect(c.truncations + c.filesOpened).to.be.at.least(ROTATIONS);
}

describe('kinlog ship: rotation while writing', function () {
  this.timeout(120_000);

  it('rename + create, 50 times: 0 lost, none twice', async () => {
    await rotateWhileWriting('rename');
  });

  it('copytruncate, 50 times: 0 lost (unread tails come from the copies), none twice', async () => {
    await rotateWhileWriting('copytruncate');
  });

  it('truncate + fast refill past the old size, 50 times: 0 lost, none twice', async () => {
    await rotateWhileWriting('refill');
  });
});
