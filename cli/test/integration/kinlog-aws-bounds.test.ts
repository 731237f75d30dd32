/**
 * `kinlog analyze` and `kinlog report` against endpoints that never answer: each gives up within
 * its retry budget with a one-line error and exit 1, and SIGTERM/SIGINT end either within 5 s
 * with 128 + n even mid-request; so does `ship` (after its bounded drain). Bad usage exits 2. Short injected timeouts keep it fast.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { startNetworkFaultServer, NetworkFaults, type NetworkFaultServer } from '@kinlog/testkit';

const kinlogBin = fileURLToPath(new URL('../../bin/kinlog.js', import.meta.url));
/** The injected request timeout: attempts stay short, the whole run stays in seconds. */
const REQUEST_TIMEOUT_MS = 300;
/** The stop bound promised for SIGTERM/SIGINT. */
const STOP_BOUND_MS = 5_000;
/** A bound a hang cannot meet (retry budget 2 × 300 ms plus start-up on a loaded machine). */
const GIVE_UP_BOUND_MS = 20_000;
const CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** From the signal sent (or the start) to the exit. */
  elapsedMs: number;
}

/** Runs kinlog; with `stop`, sends that signal once the server has a request in hand. */
async function runKinlog(
  args: string[],
  stop?: { signal: NodeJS.Signals; server: NetworkFaultServer },
): Promise<Exit> {
  const child = spawn(process.execPath, [kinlogBin, ...args], {
    env: { ...process.env, ...CREDENTIALS },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let startedAt = performance.now();
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  if (stop !== undefined) {
    const poll = setInterval(() => {
      if (stop.server.received.silent > 0) {
        clearInterval(poll);
        startedAt = performance.now();
        child.kill(stop.signal);
      }
    }, 20);
    void exited.finally(() => clearInterval(poll));
  }
  const [code, signal] = await exited;
  return { code, signal, stderr, elapsedMs: performance.now() - startedAt };
}

describe('kinlog exit codes and bounds', function () {
  this.timeout(60_000);
  let server: NetworkFaultServer;

  beforeEach(async () => {
    server = await startNetworkFaultServer({ plan: NetworkFaults.silent });
  });
  afterEach(() => server.close());

  const commands = {
    analyze: () => ['analyze', '--stream', 'logs', '--name', 'web', '--endpoint', server.url],
    report: () => ['report', '--name', 'web', '--endpoint', server.url],
  };

  for (const [name, args] of Object.entries(commands)) {
    it(`${name} gives up on a silent endpoint with one line and exit 1`, async () => {
      const run = await runKinlog([...args(), '--request-timeout', String(REQUEST_TIMEOUT_MS)]);
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr).to.match(/^kinlog: [^\n]*(timeout|TimeoutError)[^\n]*\n$/);
      expect(server.received.silent).to.be.at.least(2); // retried, within its budget
      expect(run.elapsedMs).to.be.below(GIVE_UP_BOUND_MS);
    });

    for (const [signal, code] of [
      ['SIGTERM', 143],
      ['SIGINT', 130],
    ] as const) {
      it(`${name} ends on ${signal} mid-request within 5 s with ${code}`, async () => {
        // The default 30 s request timeout: only the stop can end the call in time.
        const run = await runKinlog(args(), { signal, server });
        // analyze says that the window it was reading is left for the next run; report is silent.
        const stderr =
          name === 'analyze'
            ? "stopped: web's unfinished window was not stored; the next run reads it again\n"
            : '';
        expect({ code: run.code, stderr: run.stderr }).to.deep.equal({ code, stderr });
        expect(run.elapsedMs).to.be.below(STOP_BOUND_MS);
      });
    }
  }

  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`ship ends on ${signal} within 5 s with ${code} while Kinesis is silent, naming what is left`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'kinlog-ship-stop-'));
      writeFileSync(join(dir, 'app.log'), 'one\ntwo\n');
      const run = await runKinlog(
        [
          'ship',
          join(dir, 'app.log'),
          '--stream',
          'logs',
          '--endpoint',
          server.url,
          '--state-dir',
          join(dir, 'state'),
          '--flush-interval',
          '20',
        ],
        { signal, server },
      );
      expect(run.code, run.stderr).to.equal(code);
      expect(run.stderr).to.include('read again at the next start');
      expect(run.elapsedMs).to.be.below(STOP_BOUND_MS);
    });
  }

  it('exits 2 for bad usage or configuration', async () => {
    for (const args of [
      ['analyze', '--stream', 'logs', '--name', 'web', '--top', '0'],
      ['analyze', '--bogus'],
      ['report', '--name', 'web', '--request-timeout', '5'],
    ]) {
      const run = await runKinlog(args);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).to.equal(2);
      expect(run.stderr).to.not.equal('');
    }
    expect(server.received.silent).to.equal(0);
  });
});
