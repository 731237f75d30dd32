import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { awsClientConfig } from '@kinlog/core';
import { createTestStream, descendantPids, readAllRecords, survivorsAfter } from '@kinlog/testkit';

const kinlogBin = fileURLToPath(new URL('../../bin/kinlog.js', import.meta.url));
const ORPHAN_DEADLINE_MS = 5_000;

type KinlogProcess = ChildProcessByStdio<null, Readable, Readable>;

/** Starts `kinlog local …` and collects its `export` lines up to the hint line. */
async function startKinlogLocal(
  args: string[],
): Promise<{ child: KinlogProcess; env: Record<string, string> }> {
  const child = spawn(process.execPath, [kinlogBin, 'local', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a signal to the group plays a terminal's Ctrl-C.
    detached: true,
  });
  const env: Record<string, string> = {};
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith('#')) break;
    const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line);
    expect(match, `unexpected line ${line}`).to.not.equal(null);
    env[match![1]!] = match![2]!;
  }
  return { child, env };
}

/** Parent pid of each process, from /proc. */
describe('kinlog local', function () {
  // Starts servers or processes: more than the unit-test default.
  this.timeout(60_000);
  before(function () {
    // The test's own SDK clients (through testkit) would warn about Node 20 otherwise.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  });

  it('prints the environment, serves Kinesis on it, and stops cleanly on Ctrl-C', async function () {
    const { child, env } = await startKinlogLocal([]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const services = descendantPids(child.pid!);
    try {
      expect(Object.keys(env)).to.deep.equal([
        'AWS_ENDPOINT_URL_KINESIS',
        'AWS_ENDPOINT_URL_DYNAMODB',
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_REGION',
        'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
      ]);
      expect(services).to.have.length.greaterThan(0);
      const endpoint = env.AWS_ENDPOINT_URL_KINESIS;
      const streamName = await createTestStream(1, endpoint);
      expect(await readAllRecords({ endpoint, streamName })).to.deep.equal([]);
    } finally {
      // Ctrl-C signals the whole foreground process group, not just kinlog.
      process.kill(-child.pid!, 'SIGINT');
    }
    const [code, signal] = await exited;
    // 128 + 2: stopped by SIGINT, as shells report it.
    expect({ code, signal, stderr }).to.deep.equal({ code: 130, signal: null, stderr: '' });
    expect(await survivorsAfter(services, ORPHAN_DEADLINE_MS)).to.deep.equal([]);
  });

  it('leaves DynamoDB out with --no-dynamodb, and stops on SIGTERM', async function () {
    const { child, env } = await startKinlogLocal(['--no-dynamodb']);
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    expect(env).to.have.property('AWS_ENDPOINT_URL_KINESIS');
    expect(env).to.not.have.property('AWS_ENDPOINT_URL_DYNAMODB');
    const services = descendantPids(child.pid!);
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).to.equal(143);
    expect(await survivorsAfter(services, ORPHAN_DEADLINE_MS)).to.deep.equal([]);
  });

  it('reports a bad option and exits 2', async function () {
    const child = spawn(process.execPath, [kinlogBin, 'local', '--kinesis', 'nope'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).to.equal(2);
    expect(stderr).to.contain('nope');
  });

  it('creates the --stream streams, ready for records, before it says it is running', async function () {
    const { child, env } = await startKinlogLocal([
      '--no-dynamodb',
      '--stream',
      'web-logs:3',
      '--stream',
      'clicks',
    ]);
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const kinesis = new KinesisClient(
      awsClientConfig({
        endpoint: env.AWS_ENDPOINT_URL_KINESIS!,
        region: env.AWS_REGION!,
        credentials: {
          accessKeyId: env.AWS_ACCESS_KEY_ID!,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
        },
      }),
    );
    try {
      const shardsOf = async (StreamName: string): Promise<number> =>
        (await kinesis.send(new ListShardsCommand({ StreamName }))).Shards?.length ?? 0;
      expect(await shardsOf('web-logs')).to.equal(3);
      expect(await shardsOf('clicks')).to.equal(1);
      const endpoint = env.AWS_ENDPOINT_URL_KINESIS;
      expect(await readAllRecords({ endpoint, streamName: 'web-logs' })).to.deep.equal([]);
    } finally {
      kinesis.destroy();
      child.kill('SIGTERM');
    }
    expect((await exited)[0]).to.equal(143);
  });

  it('names a bad --stream value and its limit, and exits 2 before starting anything', async function () {
    const child = spawn(
      process.execPath,
      [kinlogBin, 'local', '--stream', 'web logs', '--stream', 'a:0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).to.equal(2);
    expect(stderr)
      .to.contain('--stream: "web logs"')
      .and.to.contain('"a:0": shards must be a whole number from 1 to 64');
  });
});
