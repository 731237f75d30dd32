/**
 * Pipelined commits: with several PutRecords in flight, the state file still commits only the
 * contiguous acknowledged offset. One request is held by the fault proxy while the ones after
 * it are acknowledged; `kinlog ship` is then killed with SIGKILL: its saved offset must not
 * pass the first line of the held request, and a restart must deliver every line.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestStream, readAllRecords, startFaultProxy } from '@kinlog/testkit';
import { STATE_FILE_NAME, type ShipState } from '../../src/daemon/index.js';
import { lossAndDuplicates, tempDir, waitFor } from '../support/ship-helpers.js';
import { spawnShip } from '../support/ship-process.js';

const LINES = 12_000;
/** Requests let through before the held one, so some offsets commit before it. */
const SKIPPED_REQUESTS = 2;
const HOLD_MS = 120_000;

const endpoint = (): string => process.env.AWS_ENDPOINT_URL_KINESIS ?? '';

describe('kinlog ship: pipelined commits (integration)', function () {
  this.timeout(120_000);

  it('never saves an offset past a line whose request is still unanswered while later ones succeed', async () => {
    const streamName = await createTestStream(2);
    const proxy = await startFaultProxy({ upstream: endpoint() });
    const dir = await tempDir('ship-pipeline-');
    const file = join(dir, 'app.log');
    const stateDir = join(dir, 'state');
    const lineStarts: number[] = [];
    let text = '';
    for (let i = 0; i < LINES; i++) {
      lineStarts.push(Buffer.byteLength(text));
      text += `line ${i} ${'p'.repeat(40)}\n`;
    }
    writeFileSync(file, text);
    const config = join(dir, 'ship.json');
    const writeConfig = (via: string) =>
      writeFile(
        config,
        JSON.stringify({
          stateDir,
          endpoint: via,
          pollIntervalMs: 20,
          statsIntervalMs: 0,
          commitIntervalMs: 0,
          sink: { flushIntervalMs: 50, maxInFlight: 4 },
          flows: [
            { name: 'app', paths: [file], stream: streamName, parser: 'raw', output: 'line' },
          ],
        }),
      );
    try {
      await writeConfig(proxy.url);
      const held = proxy.holdPutRecords(SKIPPED_REQUESTS, HOLD_MS);
      const first = spawnShip(['--config', config]);
      const heldLines = (await held).map((d) => Number(/^line (\d+)/.exec(d.toString())![1]));
      const firstHeld = Math.min(...heldLines);
      // Later requests go through while the held one waits.
      const putsAtHold = proxy.stats().putRecordsRequests;
      await waitFor(
        () => proxy.stats().putRecordsRequests >= putsAtHold + 3,
        'requests after the held one',
        60_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 500)); // their acks and commits
      first.child.kill('SIGKILL');
      expect((await first.exited).signal, first.output()).to.equal('SIGKILL');

      // No state file yet is offset 0.
      const saved = await readFile(join(stateDir, STATE_FILE_NAME), 'utf8').then(
        (t) => (JSON.parse(t) as ShipState).files[0]?.offset ?? 0,
        () => 0,
      );
      const acked = await readAllRecords({ streamName });
      const ackedLines = new Set(
        acked.map((r) => Number(/^line (\d+)/.exec(r.data.toString())![1])),
      );
      expect(
        heldLines.some((n) => ackedLines.has(n)),
        'a held line reached the stream',
      ).to.equal(false);
      expect([...ackedLines].some((n) => n > Math.max(...heldLines))).to.equal(true);
      expect(saved, `saved offset vs first held line ${firstHeld}`).to.be.at.most(
        lineStarts[firstHeld]!,
      );

      // A restart straight to Kinesis delivers the rest.
      await writeConfig(endpoint());
      const second = spawnShip(['--config', config, '--once']);
      expect((await second.exited).code, second.output()).to.equal(0);
      const counts = new Map<number, number>();
      for (const r of await readAllRecords({ streamName })) {
        const n = Number(/^line (\d+)/.exec(r.data.toString())![1]);
        counts.set(n, (counts.get(n) ?? 0) + 1);
      }
      expect(lossAndDuplicates(counts, LINES).missing).to.deep.equal([]);
    } finally {
      await proxy.close();
    }
  });
});
