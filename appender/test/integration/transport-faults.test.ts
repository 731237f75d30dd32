/**
 * Both transports through a fault proxy: failing entries, failing requests, an outage, and a
 * full buffer. Nothing is lost unless it is counted, and only what failed is sent again.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { expect } from 'chai';
import {
  createTestStream,
  readAllRecords,
  startFaultProxy,
  type FaultProxy,
} from '@kinlog/testkit';
import { SinkDefaults } from '../../src/index.js';
import { transportDrivers, type TransportDriver } from '../support/transport-drivers.js';

const EVENTS = 50_000;
const LOG_CHUNK = 1_000;
const OUTAGE_AT_EVENT = 20_000;
const OUTAGE_MS = 5_000;
/** Quick retries keep a run short; the outage still outlasts many of them. */
const FAST_RETRIES = { backoffBaseMs: 20, backoffMaxMs: 500, maxRetries: Infinity } as const;

function idsIn(records: { data: Buffer }[]): number[] {
  return records.map((r) => (JSON.parse(r.data.toString('utf8')) as { id: number }).id);
}

function faults(driver: TransportDriver): void {
  describe(`${driver.name} transport under faults`, function () {
    this.timeout(90_000);
    let proxy: FaultProxy | undefined;

    afterEach(async () => {
      await proxy?.close();
      proxy = undefined;
    });

    it(`delivers ${EVENTS} events through failing entries, 500s and an outage, re-sending only what failed`, async () => {
      const streamName = await createTestStream(2);
      proxy = await startFaultProxy({
        upstream: process.env.AWS_ENDPOINT_URL_KINESIS ?? '',
        faults: { entryFailureRate: 0.1, requestErrorRate: 0.05 },
        seed: 42,
      });
      const logger = driver.open({
        streamName,
        endpoint: proxy.url,
        flushIntervalMs: 50,
        shutdownTimeoutMs: 9_000,
        ...FAST_RETRIES,
      });
      for (let id = 0; id < EVENTS; id++) {
        if (id === OUTAGE_AT_EVENT) proxy.outage(OUTAGE_MS);
        logger.log('info', 'through faults', { id });
        if (id % LOG_CHUNK === LOG_CHUNK - 1) await yieldToLoop();
      }
      await logger.flush();
      await logger.close();

      const ids = idsIn(await readAllRecords({ streamName }));
      const unique = new Set(ids);
      expect(unique.size, 'distinct ids in the stream').to.equal(EVENTS);
      expect(ids.length).to.be.at.least(EVENTS);

      const p = proxy.stats();
      const s = logger.stats();
      expect(s, 'sink counters').to.not.equal(undefined);
      expect(p.requestsFailedByKind.outage, 'requests failed by the outage').to.be.above(0);
      expect(p.requestsFailedByKind.requestError, 'requests answered 500').to.be.above(0);
      expect(p.entriesFailed, 'entries failed on their own').to.be.above(EVENTS * 0.05);
      // What reached Kinesis' door: each event once, plus exactly the failed entries and the
      // entries of failed requests again. Nothing that succeeded was sent twice.
      expect(p.entriesReceived).to.equal(EVENTS + p.entriesFailed + p.entriesInFailedRequests);
      expect(s!.entriesSent, JSON.stringify({ sink: s, proxy: p })).to.equal(p.entriesReceived);
      expect(s!.entriesRetried).to.equal(p.entriesFailed);
      const failedByCode = Object.values(s!.entriesFailedByCode).reduce((a, b) => a + b, 0);
      expect(failedByCode).to.equal(p.entriesFailed);
      expect(s!.recordsSent).to.equal(EVENTS);
      expect(s!.droppedTotal).to.equal(0);
    });

    it('counts every drop exactly with whenFull: dropNewest through a long outage', async () => {
      const streamName = await createTestStream(1);
      proxy = await startFaultProxy({ upstream: process.env.AWS_ENDPOINT_URL_KINESIS ?? '' });
      const logger = driver.open({
        streamName,
        endpoint: proxy.url,
        flushIntervalMs: 50,
        whenFull: 'dropNewest',
        maxBufferBytes: SinkDefaults.MIN_BUFFER_BYTES,
        shutdownTimeoutMs: 9_000,
        ...FAST_RETRIES,
      });
      proxy.outage(3_000);
      const put = 20_000;
      const padding = 'p'.repeat(150);
      for (let id = 0; id < put; id++) {
        logger.log('info', 'during outage', { id, padding });
        if (id % LOG_CHUNK === LOG_CHUNK - 1) await yieldToLoop();
      }
      await logger.close();

      const s = logger.stats();
      expect(s, 'sink counters').to.not.equal(undefined);
      expect(s!.recordsPut).to.equal(put);
      expect(s!.dropped.bufferFull).to.be.above(0);
      expect(s!.droppedTotal).to.equal(s!.dropped.bufferFull);
      expect(s!.recordsSent + s!.droppedTotal).to.equal(put);
      const unique = new Set(idsIn(await readAllRecords({ streamName })));
      expect(unique.size).to.equal(s!.recordsSent);
    });
  });
}

for (const driver of transportDrivers) faults(driver);
