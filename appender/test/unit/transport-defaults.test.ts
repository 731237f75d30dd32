import { expect } from 'chai';
import { KinesisLimits } from '@kinlog/core';
import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { kinesisPinoTransport } from '../../src/pino/kinesis-pino-transport.js';
import { closeLogger } from '../../src/shutdown/close-logger.js';
import { resolvePinoOptions } from '../../src/pino/pino-options.js';
import { TransportDefaults } from '../../src/transport-defaults.js';
import { KinesisTransport } from '../../src/winston/kinesis-transport.js';

describe('transport defaults', function () {
  it('pino: a 16 MiB buffer that drops its oldest records, 8 requests in flight', function () {
    const o = resolvePinoOptions({ streamName: 'logs', region: 'us-east-1' });
    expect(o.maxBufferBytes).to.equal(16 * 1024 * 1024);
    expect(o.maxBufferBytes).to.equal(TransportDefaults.PINO_MAX_BUFFER_BYTES);
    expect(o.whenFull).to.equal('dropOldest');
    expect(o.maxInFlight).to.equal(8);
    expect(TransportDefaults.PINO_PAUSE_AT_BYTES).to.be.below(o.maxBufferBytes);
  });

  it('pino: the worker pauses only past what its requests in flight carry, with room to spare', function () {
    // Resuming at half the pause bound must still leave full requests of ~250-byte lines for
    // every slot in flight: a lower bound would leave slots idle while Kinesis answers.
    const o = resolvePinoOptions({ streamName: 'logs', region: 'us-east-1' });
    const typicalRecordBytes = 262;
    const inFlightBytes =
      o.maxInFlight * KinesisLimits.MAX_RECORDS_PER_REQUEST * typicalRecordBytes;
    expect(TransportDefaults.PINO_PAUSE_AT_BYTES / 2).to.be.at.least(inFlightBytes * 0.9);
    expect(TransportDefaults.PINO_PAUSE_AT_BYTES).to.be.at.most(4 * inFlightBytes);
  });

  it('both transports pick the wire protocol by endpoint by default, take wireProtocol, and reject a bad one eagerly', async function () {
    expect(resolvePinoOptions({ streamName: 'logs' }).wireProtocol).to.equal('auto');
    expect(resolvePinoOptions({ streamName: 'logs', wireProtocol: 'json' }).wireProtocol).to.equal(
      'json',
    );
    expect(() => resolvePinoOptions({ streamName: 'logs', wireProtocol: 'xml' as never })).to.throw(
      /wireProtocol must be "auto", "cbor" or "json"/,
    );
    const transport = new KinesisTransport({ streamName: 'logs', wireProtocol: 'json' });
    try {
      expect(transport.sink.options.wireProtocol).to.equal('json');
    } finally {
      await transport.close();
    }
    expect(
      () => new KinesisTransport({ streamName: 'logs', wireProtocol: 'xml' as never }),
    ).to.throw(/wireProtocol must be "auto", "cbor" or "json"/);
  });

  it('pino: options given win over the defaults', function () {
    const o = resolvePinoOptions({
      streamName: 'logs',
      region: 'us-east-1',
      maxBufferBytes: 2 * 1024 * 1024,
      whenFull: 'block',
      maxInFlight: 2,
    });
    expect([o.maxBufferBytes, o.whenFull, o.maxInFlight]).to.deep.equal([
      2 * 1024 * 1024,
      'block',
      2,
    ]);
  });

  it('winston: a 64 MiB buffer that drops its oldest records, the sink’s 4 requests in flight', async function () {
    const transport = new KinesisTransport({ streamName: 'logs', region: 'us-east-1' });
    try {
      const o = transport.sink.options;
      expect(o.maxBufferBytes).to.equal(TransportDefaults.WINSTON_MAX_BUFFER_BYTES);
      expect(o.maxBufferBytes).to.equal(64 * 1024 * 1024);
      expect(o.whenFull).to.equal('dropOldest');
      expect(o.maxInFlight).to.equal(4);
    } finally {
      await transport.close();
    }
  });
  it('pino: kinesisPinoTransport starts its worker with a small young generation', async function () {
    const transport = kinesisPinoTransport({ streamName: 'logs', region: 'us-east-1' });
    try {
      await once(transport, 'ready');
      // thread-stream keeps its Worker as `worker`; its resourceLimits are the ones it runs with.
      const { worker } = transport as unknown as { worker: Worker };
      expect(worker.resourceLimits?.maxYoungGenerationSizeMb).to.equal(
        TransportDefaults.PINO_WORKER_YOUNG_GENERATION_MB,
      );
      expect(TransportDefaults.PINO_WORKER_YOUNG_GENERATION_MB).to.equal(8);
    } finally {
      await closeLogger(transport);
    }
  });
});
