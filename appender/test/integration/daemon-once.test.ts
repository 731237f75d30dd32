/**
 * `kinlog ship --once` as cron runs it: exit 0 only when every line it read was acknowledged
 * (and says so in a stats line), 3 with what is left otherwise; and lines no parser can take.
 */
import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createTestStream } from '@kinlog/testkit';
import { ShipDaemon } from '../../src/daemon/index.js';
import { TRUNCATED_FIELD, TRUNCATION_MARKER } from '../../src/index.js';
import { FlowRunner } from '../../src/daemon/flow-runner.js';
import { Capture, shipConfig, streamEvents, tempDir } from '../support/ship-helpers.js';
import { spawnShip } from '../support/ship-process.js';

const endpoint = (): string => process.env.AWS_ENDPOINT_URL_KINESIS ?? '';
/** uid and gid of `nobody` on Linux. */
const NOBODY_ID = 65_534;
const KiB = 1024;
const MiB = 1024 * KiB;
/** Short, so that runs against a broken Kinesis end in about a second. */
const SHUTDOWN_TIMEOUT_MS = 800;

/** A JSON line nested `depth` levels: parsers and encoders that recurse overflow the stack. */
function deepJson(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

async function runOnce(
  dir: string,
  streamName: string,
  file: string,
  parser: 'json' | 'raw',
): Promise<ShipDaemon> {
  const daemon = await ShipDaemon.start({
    config: shipConfig({
      endpoint: endpoint(),
      stateDir: join(dir, 'state'),
      flows: [{ paths: [file], stream: streamName, parser }],
    }),
    once: true,
  });
  await daemon.done;
  return daemon;
}

/** A config file for a spawned `--once` run against `kinesisUrl`. */
function onceConfig(dir: string, kinesisUrl: string, stream: string, paths: string[]): string {
  const file = join(dir, 'ship.json');
  writeFileSync(
    file,
    JSON.stringify({
      endpoint: kinesisUrl,
      stateDir: join(dir, 'state'),
      pollIntervalMs: 20,
      statsIntervalMs: 0,
      sink: { flushIntervalMs: 20, shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS, backoffMaxMs: 100 },
      flows: [{ paths, stream }],
    }),
  );
  return file;
}

/** A TCP server that accepts connections and never answers. */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('kinlog ship --once: poison lines, long JSON lines, honest exit codes', function () {
  this.timeout(90_000);

  it('ships a line nested 10,000 levels deep, acknowledges the file, never re-reads it', async () => {
    const streamName = await createTestStream(1);
    const dir = await tempDir('ship-poison-');
    const file = join(dir, 'app.jsonl');
    writeFileSync(
      file,
      `{"level":"info","msg":"one"}\n${deepJson(10_000)}\n{"level":"error","msg":"three"}\n`,
    );
    const first = await runOnce(dir, streamName, file, 'json');
    expect(await first.undelivered()).to.deep.equal([]);
    expect(first.stats().counters).to.include({ recordsShipped: 3, recordsAcked: 3 });
    const events = await streamEvents(streamName);
    expect(events).to.have.length(3);
    expect(events[0]).to.include({ level: 'info', msg: 'one' });
    expect(events[1]).to.include({ source: file });
    expect(events[2]).to.include({ level: 'error', msg: 'three' });

    const second = await runOnce(dir, streamName, file, 'json');
    expect(second.stats().counters.recordsShipped, 'a restart re-reads nothing').to.equal(0);
    expect(await streamEvents(streamName)).to.have.length(3);
  });

  it('parses JSON lines whole around 512 KiB, 1 MiB and 5 MiB; past the record limit the long field is cut', async () => {
    const streamName = await createTestStream(1);
    const dir = await tempDir('ship-longjson-');
    const file = join(dir, 'big.jsonl');
    const sizes = [511 * KiB, 513 * KiB, MiB - 2 * KiB, MiB + 2 * KiB, 5 * MiB];
    const msgLength = (i: number): number =>
      sizes[i]! - JSON.stringify({ level: 'error', status: 500, n: i, msg: '' }).length;
    const line = (i: number): string =>
      JSON.stringify({ level: 'error', status: 500, n: i, msg: 'm'.repeat(msgLength(i)) });
    writeFileSync(file, sizes.map((_, i) => line(i) + '\n').join(''));
    const daemon = await runOnce(dir, streamName, file, 'json');
    expect(await daemon.undelivered()).to.deep.equal([]);
    expect(daemon.stats().counters).to.include({ linesSplit: 0, parseErrors: 0 });
    // A throttled entry is retried after the next ones: compare in line order.
    const events = (await streamEvents(streamName)).sort((a, b) => Number(a.n) - Number(b.n));
    expect(events.map((e) => e.n)).to.deep.equal([0, 1, 2, 3, 4]);
    for (const [i, e] of events.entries()) {
      expect(e, `line ${i}`).to.include({ level: 'error', status: 500 });
      expect(e.parseError, `line ${i}`).to.equal(undefined);
      const msg = String(e.msg);
      // Fields plus partition key fit in 1 MiB: kept whole; beyond, cut and marked.
      if (sizes[i]! < MiB - KiB) {
        expect(msg.length, `line ${i}`).to.equal(msgLength(i));
        expect(e[TRUNCATED_FIELD], `line ${i}`).to.equal(undefined);
      } else {
        expect(msg.endsWith(TRUNCATION_MARKER), `line ${i}`).to.equal(true);
        expect(e[TRUNCATED_FIELD], `line ${i}`).to.be.a('number');
      }
    }
  });

  it('exits 0 with a stats line when everything is delivered, a last line without "\\n" included', async () => {
    const streamName = await createTestStream(1);
    const dir = await tempDir('ship-once-ok-');
    const file = join(dir, 'app.log');
    writeFileSync(file, 'first\nsecond\nlast without newline');
    const proc = spawnShip(['--config', onceConfig(dir, endpoint(), streamName, [file]), '--once']);
    const exit = await proc.exited;
    expect(exit.code, proc.output()).to.equal(0);
    expect(proc.output()).to.match(/ship: files=\d+ .*acked=3 /);
    const events = await streamEvents(streamName);
    expect(events.map((e) => e.msg)).to.deep.equal(['first', 'second', 'last without newline']);
    const again = spawnShip([
      '--config',
      onceConfig(dir, endpoint(), streamName, [file]),
      '--once',
    ]);
    expect((await again.exited).code, again.output()).to.equal(0);
    expect(await streamEvents(streamName), 'nothing read twice').to.have.length(3);
  });

  it('exits 3 naming what is left: a missing stream, an unreachable or silent endpoint', async () => {
    const silent = await silentServer();
    try {
      const cases = [
        { name: 'missing stream', url: endpoint(), stream: 'no-such-stream-here' },
        { name: 'unreachable endpoint', url: 'http://127.0.0.1:9', stream: 's' },
        { name: 'silent endpoint', url: silent.url, stream: 's' },
      ];
      for (const c of cases) {
        const dir = await tempDir('ship-once-fail-');
        const file = join(dir, 'app.log');
        writeFileSync(file, 'a\nb\n');
        const proc = spawnShip(['--config', onceConfig(dir, c.url, c.stream, [file]), '--once']);
        const exit = await proc.exited;
        expect(exit.code, `${c.name}: ${proc.output()}`).to.equal(3);
        expect(proc.output(), c.name).to.include(
          `${file}: 2 record(s), 4 byte(s) not acknowledged`,
        );
      }
    } finally {
      await silent.close();
    }
  });

  it('exits 3 naming a missing path, a directory and a file it may not read', async () => {
    const dir = await tempDir('ship-once-paths-');
    await chmod(dir, 0o755);
    const logs = join(dir, 'logs');
    mkdirSync(logs, { mode: 0o755 });
    const secret = join(dir, 'secret.log');
    writeFileSync(secret, 'secret\n');
    await chmod(secret, 0o000);
    writeFileSync(join(dir, 'open.log'), 'open\n', { mode: 0o644 });
    // Permissions do not stop root: as root, the process runs as nobody instead.
    const runAs = process.getuid?.() === 0 ? { uid: NOBODY_ID, gid: NOBODY_ID } : undefined;
    const missing = join(dir, 'missing.log');
    const proc = spawnShip(
      [join(dir, '*.log'), missing, logs, '--stream', 's', '--dry-run', '--once'],
      { HOME: dir },
      runAs,
    );
    const exit = await proc.exited;
    const out = proc.output();
    expect(exit.code, out).to.equal(3);
    expect(out).to.include('"msg":"open"');
    expect(out).to.include(`${missing}: no such file`);
    expect(out).to.include(`${logs}: is a directory`);
    expect(out).to.include(`cannot read ${secret}: permission denied`);
  });

  it('a line the parser throws on is shipped as a parse error and passed', async () => {
    const dir = await tempDir('ship-throw-');
    const file = join(dir, 'app.log');
    writeFileSync(file, 'fine 1\npoison\nfine 2\n');
    const out = new Capture();
    const runner = new FlowRunner(
      // One turn, no drain: no multi-line joining holding the last line back.
      shipConfig({ flows: [{ paths: [file], stream: 's', multiline: false }] }).flows[0]!,
      [],
      {
        sink: undefined,
        stdout: out,
        warn: (m) => expect.fail(m),
        onProgress() {},
        releaseIdleMs: 0,
        maxUncommittedRecords: 1,
        pollIntervalMs: 20,
        parser: (line) => {
          if (line === 'poison') throw new RangeError('Maximum call stack size exceeded');
          return { msg: line };
        },
      },
    );
    await runner.turn(true);
    await runner.close();
    const events = out.events();
    expect(events.map((e) => e.msg)).to.deep.equal(['fine 1', 'poison', 'fine 2']);
    expect(events[1]).to.include({
      parseError: true,
      msg: 'poison',
      kinlogParseFailure: 'Maximum call stack size exceeded',
    });
    expect(runner.counters).to.include({ parserFailures: 1, parseErrors: 1, recordsAcked: 3 });
    expect(runner.unacknowledged()).to.deep.equal([]);
  });
});
