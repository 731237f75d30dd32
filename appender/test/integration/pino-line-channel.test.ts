/**
 * The lines kinesisPinoTransport carries on its worker's port (line-channel.ts) against pino's
 * own way (thread-stream's shared buffer, `pino.transport({ target })`) on the same odd input,
 * against the local Kinesis: the same records, byte for byte, in the same order.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createTestStream, readAllRecords } from '@kinlog/testkit';
import {
  closeLogger,
  flushLogger,
  kinesisPinoTransport,
  type PinoKinesisOptions,
} from '../../src/index.js';

const WORKER_MODULE = fileURLToPath(new URL('../../src/pino/pino-transport.js', import.meta.url));
/** Small, so that a line goes over it. */
const MAX_RECORD_BYTES = 2048;

/** Writes as pino would (strings), and as a caller may (Buffers, cut anywhere), in order. */
const WRITES: (string | Buffer)[] = [
  '{"a":1}\n',
  'crlf\r\n',
  '\n\n',
  '{"split":',
  '"across writes"}\n',
  '{"lone":"\uD800"}\n',
  'é€😀\n',
  `{"long":"${'x'.repeat(5000)}"}\n`,
  Buffer.from('{"bad":"'),
  Buffer.from([0xff, 0xe2, 0x82]),
  Buffer.from('"}\n'),
  Buffer.from('€').subarray(0, 2),
  Buffer.from('€').subarray(2),
  Buffer.from('\n'),
  ...Array.from({ length: 2000 }, (_, i) => `{"i":${i},"s":"${'ü'.repeat(i % 50)}"}\n`),
  'tail without a newline',
];

async function deliver(viaChannel: boolean): Promise<string[]> {
  const streamName = await createTestStream(1);
  const options: PinoKinesisOptions = {
    streamName,
    endpoint: process.env.AWS_ENDPOINT_URL_KINESIS ?? '',
    flushIntervalMs: 50,
    maxRecordBytes: MAX_RECORD_BYTES,
  };
  const stream = viaChannel
    ? kinesisPinoTransport(options)
    : pino.transport<PinoKinesisOptions>({ target: WORKER_MODULE, options });
  stream.on('error', () => {});
  await once(stream, 'ready');
  const write = (data: string | Buffer): boolean =>
    (stream.write as (data: string | Buffer) => boolean)(data);
  for (const w of WRITES) write(w);
  // closeLogger blocks this thread at the end (pino's end()), where the local Kinesis may run:
  // deliver first, without blocking.
  await flushLogger(stream);
  await closeLogger(stream);
  const records = await readAllRecords({ streamName });
  return records.map((r) => r.data.toString('hex'));
}

describe('pino lines carried on the worker port against thread-stream', function () {
  this.timeout(60_000);

  it('delivers the same records, byte for byte, for odd input', async () => {
    const careful = await deliver(false);
    const channel = await deliver(true);
    expect(channel).to.deep.equal(careful);
    // Every line but the empty ones (the last one at the end), the long one cut to the limit.
    expect(careful).to.have.length(2009);
    const long = careful.find((hex) => hex.startsWith(Buffer.from('{"long"').toString('hex')));
    expect(Buffer.from(long!, 'hex').length).to.be.below(MAX_RECORD_BYTES);
  });
});
