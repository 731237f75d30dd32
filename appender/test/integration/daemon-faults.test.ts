/**
 * Kinesis misbehaving under the daemon (fault proxy: 10 % of entries failed, then a 5-second
 * outage), and the process contract of `kinlog ship`: signals, exit codes.
 */
import { expect } from 'chai';
import { appendFileSync, writeFileSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createTestStream, startFaultProxy } from '@kinlog/testkit';
import { ShipDaemon } from '../../src/daemon/index.js';
import {
  Capture,
  countNumbers,
  lossAndDuplicates,
  shipConfig,
  streamEvents,
  tempDir,
  waitFor,
} from '../support/ship-helpers.js';
import { spawnShip } from '../support/ship-process.js';

const endpoint = (): string => process.env.AWS_ENDPOINT_URL_KINESIS ?? '';
/** uid and gid of `nobody` on Linux. */
const NOBODY_ID = 65_534;

describe('kinlog ship: faults and process contract', function () {
  this.timeout(90_000);

  it('loses nothing with 10 % failed entries and a 5-second outage', async () => {
    const streamName = await createTestStream(2);
    const proxy = await startFaultProxy({
      upstream: endpoint(),
      faults: { entryFailureRate: 0.1 },
      seed: 3,
    });
    const dir = await tempDir('ship-faults-');
    const file = join(dir, 'app.log');
    writeFileSync(file, '');
    const daemon = await ShipDaemon.start({
      config: shipConfig({
        endpoint: proxy.url,
        stateDir: join(dir, 'state'),
        sink: { flushIntervalMs: 50, backoffBaseMs: 20, backoffMaxMs: 500 },
        flows: [{ paths: [file], stream: streamName }],
      }),
    });
    const total = 20_000;
    try {
      let n = 0;
      while (n < total) {
        let text = '';
        for (let i = 0; i < 500; i++) text += `line ${n++} ${'f'.repeat(50)}\n`;
        appendFileSync(file, text);
        if (n === 8_000) proxy.outage(5_000);
        await delay(40);
      }
      await waitFor(
        () => daemon.stats().counters.recordsAcked >= total,
        'every line acknowledged',
        60_000,
      );
    } finally {
      await daemon.stop();
      await proxy.close();
    }
    const stats = daemon.stats();
    const { missing, duplicates } = lossAndDuplicates(
      countNumbers(await streamEvents(streamName), 'line'),
      total,
    );
    console.log(
      `      ${total} lines through 10 % failed entries and a 5 s outage: lost ${missing.length}, duplicates ${duplicates}, entries retried ${stats.sink.entriesRetried}, requests retried ${stats.sink.requestRetries}`,
    );
    expect(missing).to.deep.equal([]);
    expect(stats.sink.entriesRetried).to.be.greaterThan(0);
    expect(stats.sink.requestRetries).to.be.greaterThan(0);
    expect(stats.sink.droppedTotal).to.equal(0);
  });

  it('SIGTERM: stops reading, delivers, commits, exits 0; a restart sends nothing again', async () => {
    const streamName = await createTestStream(1);
    const dir = await tempDir('ship-sigterm-');
    const file = join(dir, 'app.log');
    let text = '';
    for (let i = 0; i < 3_000; i++) text += `line ${i}\n`;
    writeFileSync(file, text);
    const args = [
      file,
      '--stream',
      streamName,
      '--state-dir',
      join(dir, 'state'),
      '--poll-interval',
      '20',
      '--flush-interval',
      '50',
      '--stats-interval',
      '0.2',
    ];
    const first = spawnShip(args);
    await waitFor(
      () => first.output().includes('acked=3000'),
      'a stats line with every line acknowledged',
      30_000,
    );
    first.child.kill('SIGTERM');
    expect((await first.exited).code, first.output()).to.equal(0);
    const second = spawnShip([...args, '--once']);
    expect((await second.exited).code, second.output()).to.equal(0);
    const { missing, duplicates } = lossAndDuplicates(
      countNumbers(await streamEvents(streamName), 'line'),
      3_000,
    );
    expect({ missing: missing.length, duplicates }).to.deep.equal({ missing: 0, duplicates: 0 });
  });

  it('warns once about a file it may not read, ships the others, and reads it once allowed', async () => {
    const dir = await tempDir('ship-perm-');
    // Permissions do not stop root: as root, the daemon runs as nobody instead.
    const runAs = process.getuid?.() === 0 ? { uid: NOBODY_ID, gid: NOBODY_ID } : undefined;
    await chmod(dir, 0o755);
    writeFileSync(join(dir, 'open.log'), 'open 1\nopen 2\nopen 3\n', { mode: 0o644 });
    const secret = join(dir, 'secret.log');
    writeFileSync(secret, 'secret 1\nsecret 2\n');
    await chmod(secret, 0o000);
    const proc = spawnShip(
      [join(dir, '*.log'), '--stream', 's', '--dry-run', '--poll-interval', '20'],
      { HOME: dir },
      runAs,
    );
    try {
      const events = () =>
        proc
          .output()
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => (JSON.parse(line) as { msg: string }).msg);
      await waitFor(() => events().length === 3, 'the readable file shipped', 20_000);
      await waitFor(
        () => proc.output().includes(`cannot read ${secret}: permission denied`),
        'a warning naming the unreadable file',
        20_000,
      );
      // Scans go on every poll interval; the warning is not repeated for the same file.
      await delay(300);
      expect(proc.output().split('permission denied').length - 1, proc.output()).to.equal(1);
      await chmod(secret, 0o644);
      await waitFor(() => events().length === 5, 'the file shipped once readable', 20_000);
      expect(events()).to.deep.equal(['open 1', 'open 2', 'open 3', 'secret 1', 'secret 2']);
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  });

  it('a second signal ends a shutdown that cannot finish (Kinesis unreachable) at once', async () => {
    const dir = await tempDir('ship-sig2-');
    const file = join(dir, 'app.log');
    writeFileSync(file, 'never delivered\n');
    const proc = spawnShip([
      file,
      '--stream',
      's',
      '--endpoint',
      'http://127.0.0.1:9',
      '--state-dir',
      join(dir, 'state'),
      '--poll-interval',
      '20',
      '--flush-interval',
      '20',
    ]);
    // Running (its signal handlers installed) once it reports the endpoint it cannot reach;
    // a fixed wait would signal a daemon still starting up on a busy machine.
    await waitFor(() => proc.output().includes('127.0.0.1:9'), 'the unreachable endpoint reported');
    proc.child.kill('SIGTERM');
    await delay(300);
    expect(proc.child.exitCode, 'still shutting down after the first signal').to.equal(null);
    proc.child.kill('SIGTERM');
    const exit = await proc.exited;
    // Killed by the default handler: a shell reports 128 + 15.
    expect(exit.signal).to.equal('SIGTERM');
  });

  it('exits 2 with a clear message for a state directory it cannot write, and for a bad config', async () => {
    const dir = await tempDir('ship-exit2-');
    writeFileSync(join(dir, 'plain-file'), '');
    const bad = spawnShip([
      join(dir, '*.log'),
      '--stream',
      's',
      '--state-dir',
      join(dir, 'plain-file', 'state'),
    ]);
    expect((await bad.exited).code).to.equal(2);
    expect(bad.output()).to.include(
      `state directory ${join(dir, 'plain-file', 'state')} is not writable`,
    );
    writeFileSync(
      join(dir, 'ship.yaml'),
      'flows:\n  - paths: [a.log]\n    stream: s\n  - paths: [b.log]\n    stream: s\n    parser: xml\n',
    );
    const cfg = spawnShip(['--config', join(dir, 'ship.yaml')]);
    expect((await cfg.exited).code).to.equal(2);
    expect(cfg.output()).to.include(
      'flows[1].parser: expected one of auto|json|apache|nginx|log4j|apacheError|syslog|raw',
    );
  });

  it('serves Prometheus metrics on --metrics-port', async () => {
    const dir = await tempDir('ship-metrics-');
    writeFileSync(join(dir, 'a.log'), 'x\ny\n');
    const daemon = await ShipDaemon.start({
      config: shipConfig({ metricsPort: 0, flows: [{ paths: [join(dir, 'a.log')], stream: 's' }] }),
      dryRun: true,
      stdout: new Capture(),
    });
    try {
      await waitFor(() => daemon.stats().counters.recordsAcked === 2, 'two lines');
      const text = await (await fetch(`http://127.0.0.1:${daemon.metricsPort}/metrics`)).text();
      expect(text).to.match(/kinlog_ship_lines_read_total 2/);
      expect(text).to.include(`kinlog_ship_behind_bytes{flow=`);
    } finally {
      await daemon.stop();
    }
  });
});
