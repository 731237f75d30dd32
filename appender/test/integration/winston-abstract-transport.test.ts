/**
 * winston's own transport conformance suite (`abstract-winston-transport`, the mocha suite
 * winston's Console and File transports run) against KinesisTransport on the local Kinesis,
 * then a check that what the suite logged arrived.
 */
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { createTestStream, readAllRecords } from '@kinlog/testkit';
import { KinesisTransport, type KinesisTransportOptions } from '../../src/index.js';

interface AbstractSuiteOptions {
  name: string;
  Transport: new (options: KinesisTransportOptions) => KinesisTransport;
  construct: () => KinesisTransportOptions;
  /** Called after each test and after the suite, with the options above. */
  afterEach: (options: AbstractSuiteOptions, done: (err?: unknown) => void) => void;
}
const abstractWinstonTransport = createRequire(import.meta.url)('abstract-winston-transport') as (
  options: AbstractSuiteOptions,
) => void;

/** `.log()` without a callback, with one, and the `logged` event: one 'foo' each. */
const EVENTS_THE_SUITE_LOGS = 3;

describe('KinesisTransport under winston’s abstract-winston-transport suite', function () {
  let streamName = '';
  // The suite makes a transport per test and never closes it: close each, delivering its events.
  const open: KinesisTransport[] = [];

  before(async function () {
    streamName = await createTestStream(1);
  });

  abstractWinstonTransport({
    name: 'KinesisTransport',
    Transport: class extends KinesisTransport {
      constructor(options: KinesisTransportOptions) {
        super(options);
        open.push(this);
      }
    },
    construct: () => ({
      streamName,
      endpoint: process.env.AWS_ENDPOINT_URL_KINESIS ?? '',
      flushIntervalMs: 10,
    }),
    afterEach: (_options, done) => {
      Promise.all(open.splice(0).map((transport) => transport.close())).then(() => done(), done);
    },
  });

  describe('after the suite', function () {
    it('has delivered every event the suite logged, none dropped', async function () {
      const records = await readAllRecords({ streamName });
      const events = records.map(
        (r) => JSON.parse(r.data.toString('utf8')) as { level: string; msg: string },
      );
      expect(events).to.have.length(EVENTS_THE_SUITE_LOGS);
      for (const event of events) expect(event).to.include({ level: 'debug', msg: 'foo' });
    });
  });
});
