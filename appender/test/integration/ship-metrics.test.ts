/**
 * `kinlog ship --metrics-port` after a run in which Kinesis throttled some entries (the null
 * endpoint's failing mode): bytes sent and failed entries by code, per stream and shard.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startNullKinesis, type NullKinesis } from '@kinlog/testkit';
import { ShipDaemon } from '../../src/daemon/index.js';
import { Capture, shipConfig, tempDir, waitFor } from '../support/ship-helpers.js';

const LINES = 400;
const SHARDS = 2;
const THROTTLED = 'ProvisionedThroughputExceededException';

/** `name{labels} value` lines of one metric, as label string → value. */
function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`).exec(line);
    if (m !== null) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

describe('kinlog ship --metrics-port: per-shard bytes and failed entries', function () {
  this.timeout(60_000);
  let kinesis: NullKinesis;
  let savedEnv: NodeJS.ProcessEnv = {};

  before(async () => {
    savedEnv = { ...process.env };
    kinesis = await startNullKinesis({ shardCount: SHARDS, failFraction: 0.2 });
    // The daemon signs with the usual AWS environment; the null endpoint accepts any key.
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  });
  after(async () => {
    await kinesis.close();
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
      if (savedEnv[key] === undefined) delete process.env[key];
      else process.env[key] = savedEnv[key];
    }
  });

  it('shows bytes sent and throttled entries per shard after a run with failures', async () => {
    const dir = await tempDir('ship-shard-metrics-');
    const file = join(dir, 'app.log');
    writeFileSync(file, Array.from({ length: LINES }, (_, i) => `line ${i}\n`).join(''));
    const daemon = await ShipDaemon.start({
      config: shipConfig({
        metricsPort: 0,
        endpoint: kinesis.url,
        region: 'us-east-1',
        stateDir: join(dir, 'state'),
        sink: { flushIntervalMs: 20, backoffBaseMs: 5, backoffMaxMs: 50 },
        flows: [{ paths: [file], stream: 'metered' }],
      }),
      stdout: new Capture(),
    });
    try {
      await waitFor(() => daemon.stats().counters.recordsAcked === LINES, 'every line acked');
      const text = await (await fetch(`http://127.0.0.1:${daemon.metricsPort}/metrics`)).text();

      const bytes = samples(text, 'kinlog_ship_bytes_sent_total');
      const shards = Array.from(
        { length: SHARDS },
        (_, i) => `shardId-${String(i).padStart(12, '0')}`,
      );
      for (const shard of shards) {
        expect(bytes.get(`stream="metered",shard="${shard}"`), text).to.be.greaterThan(0);
      }
      const sink = daemon.stats().streams[0]!;
      const bytesTotal = [...bytes.values()].reduce((a, b) => a + b, 0);
      expect(bytesTotal).to.equal(Object.values(sink.bytesSentByShard).reduce((a, b) => a + b, 0));

      const failed = samples(text, 'kinlog_ship_entries_failed_total');
      let failedTotal = 0;
      for (const [labels, n] of failed) {
        expect(labels).to.match(
          new RegExp(`^stream="metered",shard="shardId-00000000000[01]",code="${THROTTLED}"$`),
        );
        failedTotal += n;
      }
      expect(failedTotal).to.be.greaterThan(0);
      expect(failedTotal).to.equal(kinesis.stats().failedEntries);
    } finally {
      await daemon.stop();
    }
  });
});
