/**
 * `await closeLogger(transport)` at the top level of a real process settles in every state of
 * the pino transport's worker: the process exits with its own code, never 13 (Node's code for
 * a top-level await that can never settle), and the lines logged before the close arrive.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { createTestStream, readAllRecords } from '@kinlog/testkit';

const FIXTURE = fileURLToPath(new URL('../fixtures/close-pino-in-state.js', import.meta.url));
const OWN_EXIT_CODE = 7;
const LINES = 25;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function runFixture(state: string, streamName: string, lines: number): Promise<Run> {
  const child = spawn(process.execPath, [FIXTURE], {
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      KINLOG_FIXTURE_STATE: state,
      KINLOG_FIXTURE_STREAM: streamName,
      KINLOG_FIXTURE_ENDPOINT: process.env.AWS_ENDPOINT_URL_KINESIS ?? '',
      KINLOG_FIXTURE_LINES: String(lines),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

async function loggedIds(streamName: string): Promise<number[]> {
  const records = await readAllRecords({ streamName });
  return records
    .map((r) => (JSON.parse(r.data.toString('utf8')) as { id: number }).id)
    .sort((a, b) => a - b);
}

const allIds = Array.from({ length: LINES }, (_, id) => id);

describe('closeLogger on a pino transport, awaited at top level', function () {
  this.timeout(90_000);

  it('settles when the worker has not started (closed in the tick that created it)', async () => {
    const streamName = await createTestStream(1);
    const run = await runFixture('not-started', streamName, 0);
    expect(run.code, run.stderr).to.equal(OWN_EXIT_CODE);
    expect(run.stdout).to.equal('ready-at-close=false\nclosed\n');
  });

  it('settles and delivers when the worker is still starting', async () => {
    const streamName = await createTestStream(1);
    const run = await runFixture('starting', streamName, LINES);
    expect(run.code, run.stderr).to.equal(OWN_EXIT_CODE);
    expect(run.stdout).to.equal('ready-at-close=false\nclosed\n');
    expect(await loggedIds(streamName)).to.deep.equal(allIds);
  });

  it('settles and delivers when the worker is ready', async () => {
    const streamName = await createTestStream(1);
    const run = await runFixture('ready', streamName, LINES);
    expect(run.code, run.stderr).to.equal(OWN_EXIT_CODE);
    expect(run.stdout).to.equal('ready-at-close=true\nclosed\n');
    expect(await loggedIds(streamName)).to.deep.equal(allIds);
  });

  it('settles when the worker has failed', async () => {
    const streamName = await createTestStream(1);
    const run = await runFixture('failed', streamName, LINES);
    expect(run.code, run.stderr).to.equal(OWN_EXIT_CODE);
    expect(run.stdout).to.match(/closed\n$/);
  });

  it('settles when the worker fails while the close is pending', async () => {
    const streamName = await createTestStream(1);
    const run = await runFixture('failing', streamName, LINES);
    expect(run.code, run.stderr).to.equal(OWN_EXIT_CODE);
    expect(run.stdout).to.match(/closed\n$/);
  });
});
