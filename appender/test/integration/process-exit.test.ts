/**
 * Real processes that log and end: every line arrives when Kinesis is there, and the process
 * still exits within shutdownTimeoutMs + 1 s when it is not.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  createTestStream,
  NetworkFaults,
  readAllRecords,
  startNetworkFaultServer,
} from '@kinlog/testkit';

const FIXTURE = fileURLToPath(new URL('../fixtures/log-then-exit.js', import.meta.url));
const LINES = 10_000;
/** Unreachable Kinesis: the bound under test. */
const SHUTDOWN_MS = 2_000;
/** Reachable Kinesis: room for a slow machine to deliver everything. */
const DELIVERY_SHUTDOWN_MS = 8_000;
/** The documented bound: exit within shutdownTimeoutMs + 1 s of the last log line. */
const EXIT_SLACK_MS = 1_000;
/**
 * The observer's own latency on a busy machine (reading the child's "logged" line, its process
 * teardown): added so the check fails on a shutdown that ignores its bound, not on a slow CI.
 */
const OBSERVER_SLACK_MS = 3_000;
const EXIT_BOUND_MS = SHUTDOWN_MS + EXIT_SLACK_MS + OBSERVER_SLACK_MS;

const ENDINGS = ['normal', 'exitCode', 'sigterm'] as const;
/** `exit`: process.exit() right after logging, the mistake the transport warns about. */
type Ending = (typeof ENDINGS)[number] | 'exit';
const EXPECTED_CODE: Record<Ending, number> = { normal: 0, exitCode: 3, sigterm: 0, exit: 0 };

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From "logged" (every line handed to the logger; SIGTERM sent) to the process' exit. */
  exitAfterLoggedMs: number;
  stderr: string;
}

async function runFixture(
  transport: string,
  ending: Ending,
  streamName: string,
  endpoint: string,
  shutdownMs: number,
  extraEnv: Record<string, string> = {},
): Promise<Run> {
  const child = spawn(process.execPath, [FIXTURE], {
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      KINLOG_FIXTURE_TRANSPORT: transport,
      KINLOG_FIXTURE_END: ending,
      KINLOG_FIXTURE_STREAM: streamName,
      KINLOG_FIXTURE_ENDPOINT: endpoint,
      KINLOG_FIXTURE_LINES: String(LINES),
      KINLOG_FIXTURE_SHUTDOWN_MS: String(shutdownMs),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let loggedAt = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    if (loggedAt === 0 && chunk.toString().includes('logged')) {
      loggedAt = performance.now();
      if (ending === 'sigterm') child.kill('SIGTERM');
    }
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  const exitedAt = performance.now();
  return { code, signal, exitAfterLoggedMs: loggedAt === 0 ? NaN : exitedAt - loggedAt, stderr };
}

/** An endpoint nothing listens on: a port that was free a moment ago. */
async function unreachableEndpoint(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return `http://127.0.0.1:${port}`;
}

for (const transport of ['winston', 'pino']) {
  describe(`${transport} transport in a process that ends`, function () {
    this.timeout(60_000);

    for (const ending of ENDINGS) {
      it(`delivers all ${LINES} lines when the process ends by ${ending}`, async () => {
        const streamName = await createTestStream(1);
        const endpoint = process.env.AWS_ENDPOINT_URL_KINESIS ?? '';
        const run = await runFixture(transport, ending, streamName, endpoint, DELIVERY_SHUTDOWN_MS);
        expect(run.code, run.stderr).to.equal(EXPECTED_CODE[ending]);
        const ids = readIds(await readAllRecords({ streamName }));
        expect(new Set(ids).size).to.equal(LINES);
        expect(ids).to.have.length(LINES);
      });

      it(`exits within shutdownTimeoutMs + 1 s by ${ending} when Kinesis is unreachable`, async () => {
        const endpoint = await unreachableEndpoint();
        const run = await runFixture(transport, ending, 'unreachable', endpoint, SHUTDOWN_MS);
        expect(run.code, run.stderr).to.equal(EXPECTED_CODE[ending]);
        expect(run.exitAfterLoggedMs).to.be.below(EXIT_BOUND_MS);
      });
    }

    for (const fault of [
      NetworkFaults.silent,
      NetworkFaults.slow,
      NetworkFaults.resetAfterHeaders,
      NetworkFaults.garbage,
    ]) {
      for (const ending of ENDINGS) {
        it(`exits within shutdownTimeoutMs + 1 s by ${ending} when Kinesis is ${fault}`, async () => {
          const server = await startNetworkFaultServer({ plan: fault });
          try {
            const run = await runFixture(transport, ending, 'faulty', server.url, SHUTDOWN_MS);
            expect(run.code, run.stderr).to.equal(EXPECTED_CODE[ending]);
            expect(run.exitAfterLoggedMs, run.stderr).to.be.below(SHUTDOWN_MS + EXIT_SLACK_MS);
            expect(run.stderr).to.not.contain('requestTimeout');
          } finally {
            await server.close();
          }
        });
      }
    }

    it('exits within the bound even when the backlog is larger than the buffer', async () => {
      // 10,000 lines of ~100 bytes against a 1 MiB buffer, Kinesis down: a transport that blocked
      // on the full buffer would stall pino's worker, and pino's exit would wait on it.
      const endpoint = await unreachableEndpoint();
      const run = await runFixture(transport, 'normal', 'unreachable', endpoint, SHUTDOWN_MS, {
        KINLOG_FIXTURE_LINES: String(LINES * 3),
        KINLOG_FIXTURE_BUFFER_BYTES: String(1024 * 1024),
      });
      expect(run.code, run.stderr).to.equal(0);
      expect(run.exitAfterLoggedMs).to.be.below(EXIT_BOUND_MS);
    });
  });
}

describe('winston transport and process.exit() right after logging', function () {
  this.timeout(60_000);

  it('says once on stderr how many records were not delivered, and what to do instead', async () => {
    const endpoint = await unreachableEndpoint();
    const run = await runFixture('winston', 'exit', 'unreachable', endpoint, SHUTDOWN_MS);
    expect(run.code, run.stderr).to.equal(0);
    const warnings = run.stderr.split('\n').filter((l) => l.includes('not delivered'));
    expect(warnings, run.stderr).to.have.length(1);
    expect(warnings[0]).to.match(/^kinlog: \d+ log record\(s\) not delivered to Kinesis/);
    expect(Number(/(\d+) log record/.exec(warnings[0]!)![1])).to.be.within(1, LINES);
    expect(warnings[0]).to.include('closeLogger').and.include('process.exitCode');
  });

  it('says nothing when the process ends with nothing held', async () => {
    const streamName = await createTestStream(1);
    const endpoint = process.env.AWS_ENDPOINT_URL_KINESIS ?? '';
    const run = await runFixture('winston', 'normal', streamName, endpoint, DELIVERY_SHUTDOWN_MS);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.not.include('not delivered');
  });
});

describe('pino transport and process.exit() right after logging', function () {
  this.timeout(60_000);

  // No warning is needed here, unlike Winston: pino holds the exiting main thread while its
  // worker closes, so the sink delivers within shutdownTimeoutMs (README: the pino transport).
  it('delivers every line: pino waits for its worker to close', async () => {
    const streamName = await createTestStream(1);
    const endpoint = process.env.AWS_ENDPOINT_URL_KINESIS ?? '';
    const run = await runFixture('pino', 'exit', streamName, endpoint, DELIVERY_SHUTDOWN_MS);
    expect(run.code, run.stderr).to.equal(0);
    const ids = readIds(await readAllRecords({ streamName }));
    expect(new Set(ids).size).to.equal(LINES);
  });

  it('exits within shutdownTimeoutMs + 1 s when Kinesis is unreachable', async () => {
    const endpoint = await unreachableEndpoint();
    const run = await runFixture('pino', 'exit', 'unreachable', endpoint, SHUTDOWN_MS);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.exitAfterLoggedMs).to.be.below(EXIT_BOUND_MS);
  });
});

function readIds(records: { data: Buffer }[]): number[] {
  return records.map((r) => (JSON.parse(r.data.toString('utf8')) as { id: number }).id);
}
