/**
 * The pino worker holds a burst back in pino's own buffer while Kinesis acknowledges, instead
 * of holding it as records until its (byte-bounded) buffer drops the oldest. The endpoint runs
 * in a process of its own: pino's end() blocks this thread until the worker has closed.
 */
import { expect } from 'chai';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { closeLogger, kinesisPinoTransport, type SinkStats } from '../../src/index.js';
import { TransportDefaults } from '../../src/transport-defaults.js';

const ENDPOINT_PROCESS = fileURLToPath(
  new URL('../fixtures/null-kinesis-process.js', import.meta.url),
);
/** Bytes of filler per event: each line is about 500 bytes. */
const PAD = 'p'.repeat(440);

interface Receipt {
  payloads: number;
  keys: number;
  duplicated: number;
  unkeyed: number;
}

async function ask<T>(child: ChildProcess, message: string): Promise<T> {
  const answer = once(child, 'message') as Promise<[T]>;
  child.send(message);
  return (await answer)[0];
}

describe('pino transport backlog (integration)', function () {
  this.timeout(120_000);
  let endpoint: ChildProcess;
  let url: string;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kinlog-pino-backlog-'));
    endpoint = fork(ENDPOINT_PROCESS, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    [{ url }] = (await once(endpoint, 'message')) as [{ url: string }];
  });
  after(async () => {
    if (endpoint.connected) {
      const exited = once(endpoint, 'exit');
      endpoint.send('close');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers a burst larger than its buffer bound whole, each line once, dropping nothing', async () => {
    // Logged in one synchronous loop: the worker reads it far faster than Kinesis takes it.
    const burstBytes = TransportDefaults.PINO_MAX_BUFFER_BYTES * 1.5;
    const events = Math.ceil(burstBytes / (PAD.length + 60));
    const statsFile = join(dir, 'stats.json');
    const transport = kinesisPinoTransport({
      streamName: 'burst',
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      statsFile,
    });
    await once(transport, 'ready');
    const logger = pino(transport);
    for (let i = 0; i < events; i++) logger.info({ i, pad: PAD }, 'burst');
    await closeLogger(transport);

    const stats = JSON.parse(await readFile(statsFile, 'utf8')) as SinkStats;
    expect(stats.droppedTotal, JSON.stringify(stats.dropped)).to.equal(0);
    expect(stats.recordsSent).to.equal(events);
    const receipt = await ask<Receipt>(endpoint, 'receipt');
    expect(receipt).to.deep.equal({ payloads: events, keys: events, duplicated: 0, unkeyed: 0 });
  });
});
