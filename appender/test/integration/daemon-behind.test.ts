/** The `behind` figure keeps tracking the files while Kinesis is away and reading waits. */
import { expect } from 'chai';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createTestStream, startFaultProxy } from '@kinlog/testkit';
import { ShipDaemon } from '../../src/daemon/index.js';
import { shipConfig, tempDir, waitFor } from '../support/ship-helpers.js';

const endpoint = (): string => process.env.AWS_ENDPOINT_URL_KINESIS ?? '';
const OUTAGE_MS = 60_000;

describe('kinlog ship: behind during an outage', function () {
  this.timeout(60_000);

  it('keeps growing with the file while reading waits for an unreachable Kinesis', async () => {
    const streamName = await createTestStream(1);
    const proxy = await startFaultProxy({ upstream: endpoint(), seed: 1 });
    const dir = await tempDir('ship-behind-');
    const file = join(dir, 'app.log');
    writeFileSync(file, 'first\n');
    const daemon = await ShipDaemon.start({
      config: shipConfig({
        endpoint: proxy.url,
        stateDir: join(dir, 'state'),
        maxUncommittedRecords: 10,
        sink: { flushIntervalMs: 20, backoffBaseMs: 20, backoffMaxMs: 200, shutdownTimeoutMs: 0 },
        flows: [{ paths: [file], stream: streamName }],
      }),
    });
    try {
      await waitFor(() => daemon.stats().counters.recordsAcked === 1, 'the first line delivered');
      proxy.outage(OUTAGE_MS);
      // More than the commit window and the read-ahead: reading now waits inside a read turn.
      appendFileSync(file, 'during the outage\n'.repeat(100_000));
      await waitFor(
        () => daemon.stats().files[0]!.behindBytes > 0,
        'the first batch of the outage counted',
      );
      await delay(500);
      const before = daemon.stats().files[0]!;
      const grown = 'still growing\n'.repeat(10_000);
      appendFileSync(file, grown);
      await waitFor(
        () => daemon.stats().files[0]!.size === before.size + grown.length,
        'the new size seen while Kinesis is away',
        10_000,
      );
      const after = daemon.stats().files[0]!;
      expect(after.behindBytes - before.behindBytes).to.equal(grown.length);
    } finally {
      await daemon.stop();
      await proxy.close();
    }
  });
});
