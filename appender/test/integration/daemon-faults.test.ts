/**
 * Kinesis misbehaving under the daemon (fault proxy: 10 % of entries failed, then a 5-second
 * outage), and the process contract of `kinlog ship`: signals (128 + n, within 5 s even with
 * Kinesis silent), exit codes.
 */
import { expect } from 'chai';
import { appendFileSync, statSync, writeFileSync } from 'node:fs';
import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  createTestStream,
  NetworkFaults,
  startFaultProxy,
  startNetworkFaultServer,
} from '@kinlog/testkit';
import { ShipDaemon, STATE_FILE_NAME, type ShipState } from '../../src/daemon/index.js';
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

/** The committed offset of the only followed file (0 before any commit). */
async function committedOffset(stateDir: string): Promise<number> {
  try {
    const state = JSON.parse(await readFile(join(stateDir, STATE_FILE_NAME), 'utf8')) as ShipState;
    return state.files[0]?.offset ?? 0;
  } catch {
    return 0;
  }
}

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

  it('SIGTERM: stops reading, delivers, commits, exits 143; a restart ships the rest once', async () => {
    const streamName = await createTestStream(1);
    const dir = await tempDir('ship-sigterm-');
    const file = join(dir, 'app.log');
    const lines = (from: number, to: number): string => {
      let text = '';
      for (let i = from; i < to; i++) text += `line ${i}\n`;
      return text;
    };
    writeFileSync(file, lines(0, 3_000));
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
    expect((await first.exited).code, first.output()).to.equal(143);
    expect(await committedOffset(join(dir, 'state'))).to.equal(statSync(file).size);
    // Written while it was stopped: the next start ships these, and nothing again.
    appendFileSync(file, lines(3_000, 4_000));
    const second = spawnShip([...args, '--once']);
    expect((await second.exited).code, second.output()).to.equal(0);
    const { missing, duplicates } = lossAndDuplicates(
      countNumbers(await streamEvents(streamName), 'line'),
      4_000,
    );
    expect({ missing: missing.length, duplicates }).to.deep.equal({ missing: 0, duplicates: 0 });
  });

  it('SIGTERM with Kinesis silent: exits 143 within 5 s, commits only what was acknowledged', async () => {
    const streamName = await createTestStream(1);
    let silent = false;
    const server = await startNetworkFaultServer({
      upstream: endpoint(),
      plan: () => (silent ? NetworkFaults.silent : NetworkFaults.forward),
    });
    const dir = await tempDir('ship-silent-');
    const file = join(dir, 'app.log');
    writeFileSync(file, 'line 0\nline 1\nline 2\n');
    const acknowledgedBytes = statSync(file).size;
    const args = [
      file,
      '--stream',
      streamName,
      '--endpoint',
      server.url,
      '--state-dir',
      join(dir, 'state'),
      '--poll-interval',
      '20',
      '--flush-interval',
      '20',
    ];
    const proc = spawnShip(args);
    let exit: Awaited<typeof proc.exited>;
    let stopMs: number;
    try {
      await waitFor(
        async () => (await committedOffset(join(dir, 'state'))) === acknowledgedBytes,
        'the first lines acknowledged and committed',
        30_000,
      );
      silent = true;
      appendFileSync(file, 'line 3\nline 4\n');
      await waitFor(() => server.received.silent > 0, 'a request held by the silent endpoint');
      const stoppedAt = performance.now();
      proc.child.kill('SIGTERM');
      exit = await proc.exited;
      stopMs = performance.now() - stoppedAt;
    } finally {
      proc.child.kill('SIGKILL');
      await server.close();
    }
    expect(exit.code, proc.output()).to.equal(143);
    expect(stopMs).to.be.below(5_000);
    expect(await committedOffset(join(dir, 'state'))).to.equal(acknowledgedBytes);
    expect(proc.output()).to.include('stopped before everything was delivered');
    expect(proc.output()).to.match(new RegExp(`${file}: .* not acknowledged by stream`));
    // The next start reads the two lines again: each is in the stream once.
    const again = spawnShip([...args.slice(0, 3), ...args.slice(5), '--once']);
    expect((await again.exited).code, again.output()).to.equal(0);
    const { missing, duplicates } = lossAndDuplicates(
      countNumbers(await streamEvents(streamName), 'line'),
      5,
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
    expect(proc.child.exitCode, 'still delivering after the first signal').to.equal(null);
    proc.child.kill('SIGTERM');
    const exit = await proc.exited;
    expect(exit.code).to.equal(143);
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
    // Usage mistakes commander finds exit 2 too, as with the real bin.
    for (const args of [['--no-such-option'], ['--parser', 'nope', '--stream', 's', 'x.log']]) {
      const usage = spawnShip(args);
      expect((await usage.exited).code, usage.output()).to.equal(2);
    }
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
