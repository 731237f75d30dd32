/**
 * A transport's close() ends within shutdownTimeoutMs + 1 s in every network state: an endpoint
 * that never answers, answers a byte at a time, resets after the headers or speaks no HTTP.
 */
import { expect } from 'chai';
import pino from 'pino';
import winston from 'winston';
import { NetworkFaults, startNetworkFaultServer, type NetworkFault } from '@kinlog/testkit';
import { closeLogger, KinesisTransport, kinesisPinoTransport } from '../../src/index.js';

const SHUTDOWN_MS = 1_500;
const CLOSE_SLACK_MS = 1_000;
/**
 * Scheduling delay of this test's own process on a loaded machine (timers fire late): not part
 * of the promise, but small next to the hang the test guards against (close() never ending).
 */
const OBSERVER_SLACK_MS = 3_000;
const LINES = 200;
const FAULTS: readonly NetworkFault[] = [
  NetworkFaults.silent,
  NetworkFaults.slow,
  NetworkFaults.resetAfterHeaders,
  NetworkFaults.garbage,
];

describe('transport close() under network faults', function () {
  this.timeout(30_000);

  for (const fault of FAULTS) {
    for (const transport of ['winston', 'pino'] as const) {
      it(`${transport}: close() ends within shutdownTimeoutMs + 1 s when Kinesis is ${fault}`, async () => {
        const server = await startNetworkFaultServer({ plan: fault });
        const options = {
          streamName: 'faulty',
          endpoint: server.url,
          shutdownTimeoutMs: SHUTDOWN_MS,
          flushIntervalMs: 10,
        };
        try {
          let log: (id: number) => void;
          let close: () => Promise<void>;
          if (transport === 'winston') {
            const logger = winston.createLogger({ transports: [new KinesisTransport(options)] });
            log = (id) => void logger.info('line', { id });
            close = () => closeLogger(logger);
          } else {
            const stream = kinesisPinoTransport(options);
            const logger = pino(stream);
            log = (id) => logger.info({ id }, 'line');
            close = () => closeLogger(stream);
          }
          for (let id = 0; id < LINES; id++) log(id);
          // Let the first requests meet the fault before closing.
          await new Promise((resolve) => setTimeout(resolve, 100));
          const started = performance.now();
          await close();
          expect(performance.now() - started).to.be.below(
            SHUTDOWN_MS + CLOSE_SLACK_MS + OBSERVER_SLACK_MS,
          );
        } finally {
          await server.close();
        }
      });
    }
  }
});
