import { expect } from 'chai';
import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pino from 'pino';
import { createTestStream, readAllRecords, startFaultProxy } from '@kinlog/testkit';
import { flushLogger, kinesisPinoTransport } from '../../src/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('flushLogger', function () {
  this.timeout(30_000);

  it('keeps a pino logger nothing else holds alive until its flush settles', async () => {
    const streamName = await createTestStream(1);
    // Slow answers keep the flush pending while garbage is collected.
    const proxy = await startFaultProxy({
      upstream: process.env.AWS_ENDPOINT_URL_KINESIS ?? '',
      faults: { latencyMs: 300 },
    });
    const collector = setInterval(gc, 20);
    try {
      // The logger lives only in this function's frame: once it awaits, only the pending
      // flush refers to it. pino's worker dies with the stream if the stream is collected.
      const logAndFlush = async (): Promise<void> => {
        const transport = kinesisPinoTransport({
          streamName,
          endpoint: proxy.url,
          flushIntervalMs: 20,
          maxBatchRecords: 100,
        });
        await once(transport, 'ready');
        const logger = pino(transport);
        for (let id = 0; id < 1000; id++) logger.info({ id }, 'kept alive');
        await flushLogger(logger);
        transport.end();
      };
      await logAndFlush();
    } finally {
      clearInterval(collector);
      await proxy.close();
    }
    const records = await readAllRecords({ streamName });
    expect(
      new Set(records.map((r) => (JSON.parse(r.data.toString()) as { id: number }).id)).size,
    ).to.equal(1000);
  });
});
