/**
 * `registerKinlogMetrics`: a winston and a pino transport registered with one prom-client
 * registry in one call, their counters in `registry.metrics()` (per-shard bytes and failed
 * entries from the null endpoint's failing mode included).
 */
import { expect } from 'chai';
import pino from 'pino';
import { Registry } from 'prom-client';
import winston from 'winston';
import { startNullKinesis, type NullKinesis } from '@kinlog/testkit';
import {
  closeLogger,
  flushLogger,
  kinesisPinoTransport,
  KinesisTransport,
} from '../../src/index.js';
import { registerKinlogMetrics } from '../../src/metrics/index.js';

const EVENTS = 40;
const SHARDS = 2;

function valueOf(text: string, line: RegExp): number {
  const found = text.split('\n').filter((l) => line.test(l));
  expect(found, text).to.have.length(1);
  return Number(found[0]!.split(' ').at(-1));
}

describe('registerKinlogMetrics (integration)', function () {
  this.timeout(60_000);
  let kinesis: NullKinesis;

  before(async () => {
    kinesis = await startNullKinesis({ shardCount: SHARDS, failFraction: 0.25 });
  });
  after(async () => {
    await kinesis.close();
  });

  it('shows the counters of a winston and a pino transport registered in one call', async () => {
    const connection = {
      endpoint: kinesis.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      flushIntervalMs: 20,
      backoffBaseMs: 5,
      backoffMaxMs: 50,
    };
    const winstonTransport = new KinesisTransport({ ...connection, streamName: 'web-logs' });
    const winstonLogger = winston.createLogger({ transports: [winstonTransport] });
    const pinoTransport = kinesisPinoTransport({ ...connection, streamName: 'job-logs' });
    const pinoLogger = pino(pinoTransport);
    const registry = new Registry();
    registerKinlogMetrics(registry, { web: winstonTransport, jobs: pinoTransport });
    try {
      for (let i = 0; i < EVENTS; i++) {
        winstonLogger.info('request', { i });
        pinoLogger.info({ i }, 'job step');
      }
      await flushLogger(winstonLogger);
      await flushLogger(pinoTransport);
      const text = await registry.metrics();

      for (const [logger, stream] of [
        ['web', 'web-logs'],
        ['jobs', 'job-logs'],
      ] as const) {
        const labels = `logger="${logger}",stream="${stream}"`;
        expect(
          valueOf(text, new RegExp(`^kinlog_appender_records_sent_total\\{${labels}\\} `)),
        ).to.equal(EVENTS);
        expect(
          valueOf(text, new RegExp(`^kinlog_appender_records_put_total\\{${labels}\\} `)),
        ).to.equal(EVENTS);
        let bytes = 0;
        for (let s = 0; s < SHARDS; s++) {
          const shard = `shardId-${String(s).padStart(12, '0')}`;
          bytes += valueOf(
            text,
            new RegExp(`^kinlog_appender_bytes_sent_total\\{${labels},shard="${shard}"\\} `),
          );
        }
        expect(bytes).to.be.greaterThan(EVENTS * 10);
        const failed = text
          .split('\n')
          .filter((l) => l.startsWith(`kinlog_appender_entries_failed_total{${labels},`));
        expect(failed.length, text).to.be.greaterThan(0);
        for (const l of failed) {
          expect(l).to.match(
            /shard="shardId-00000000000[01]",code="ProvisionedThroughputExceededException"\} [1-9]/,
          );
        }
        expect(
          valueOf(
            text,
            new RegExp(
              `^kinlog_appender_records_dropped_total\\{${labels},reason="bufferFull"\\} `,
            ),
          ),
        ).to.equal(0);
      }
      expect(text).to.match(/^# TYPE kinlog_appender_buffered_bytes gauge$/m);
    } finally {
      await closeLogger(winstonLogger);
      await closeLogger(pinoTransport);
    }
  });

  it('rejects what is not a transport, a sink or a pino transport stream', function () {
    expect(() => registerKinlogMetrics(new Registry(), { x: {} as never })).to.throw(
      TypeError,
      /KinesisTransport, a KinesisSink or the pino transport stream/,
    );
  });
});
