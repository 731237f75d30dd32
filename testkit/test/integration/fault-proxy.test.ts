import { after, afterEach, before, describe, it } from 'mocha';
import { expect } from 'chai';
import {
  DescribeStreamSummaryCommand,
  KinesisServiceException,
  LimitExceededException,
  ProvisionedThroughputExceededException,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import type { KinesisClient, PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { PutRecordsEntryErrors } from '@kinlog/core';
import { startFaultProxy } from '../../src/fault-proxy.js';
import type { FaultProxy, FaultProxyOptions } from '../../src/fault-proxy.js';
import {
  createActiveStream,
  kinesisClient,
  readAll,
  startKinesalite,
} from '../support/local-kinesis.js';
import type { LocalKinesis } from '../support/local-kinesis.js';

const STREAM = 'fault-proxy-test';
/** Outage windows of the outage test: one no request outlasts, one that ends by itself. */
const LONG_OUTAGE_MS = 120_000;
const SHORT_OUTAGE_MS = 300;

function entries(prefix: string, count: number): { Data: Uint8Array; PartitionKey: string }[] {
  return Array.from({ length: count }, (_, i) => ({
    Data: Buffer.from(`${prefix}-${i}`),
    PartitionKey: `key-${i}`,
  }));
}

async function caught(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

function failurePattern(output: PutRecordsCommandOutput): string {
  return (output.Records ?? []).map((r) => r.ErrorCode?.[0] ?? '.').join('');
}

describe('fault proxy (integration, kinesalite upstream)', function () {
  // Starts servers or processes: more than the unit-test default.
  this.timeout(60_000);
  let local: LocalKinesis;
  let direct: KinesisClient;
  const proxies: FaultProxy[] = [];
  const clients: KinesisClient[] = [];
  let streamCounter = 0;

  async function proxyFor(options: Omit<FaultProxyOptions, 'upstream'>) {
    const proxy = await startFaultProxy({ upstream: local.url, ...options });
    const kinesis = kinesisClient(proxy.url);
    proxies.push(proxy);
    clients.push(kinesis);
    return { proxy, kinesis };
  }

  async function freshStream(shardCount = 1): Promise<string> {
    const name = `${STREAM}-${++streamCounter}`;
    await createActiveStream(direct, name, shardCount);
    return name;
  }

  before(async () => {
    local = await startKinesalite();
    direct = kinesisClient(local.url);
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });
  after(async () => {
    direct.destroy();
    await local.close();
  });

  it('fails single entries in a 200 answer and writes only the others upstream', async () => {
    const stream = await freshStream(2);
    const { proxy, kinesis } = await proxyFor({ faults: { entryFailureRate: 0.3 }, seed: 7 });
    const sent = entries('a', 100);

    const output = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: sent }));

    expect(output.$metadata.httpStatusCode).to.equal(200);
    const records = output.Records ?? [];
    expect(records).to.have.length(100);
    const failed = records.filter((r) => r.ErrorCode !== undefined);
    expect(output.FailedRecordCount).to.equal(failed.length);
    expect(failed.length).to.be.within(10, 50);
    const codes = new Set(failed.map((r) => r.ErrorCode));
    expect([...codes].sort()).to.deep.equal(
      [PutRecordsEntryErrors.INTERNAL, PutRecordsEntryErrors.THROUGHPUT].sort(),
    );
    for (const r of failed) {
      expect(r.SequenceNumber).to.equal(undefined);
      expect(r.ErrorMessage).to.be.a('string').and.not.empty;
    }
    for (const r of records.filter((x) => x.ErrorCode === undefined)) {
      expect(r.SequenceNumber).to.match(/^\d+$/);
      expect(r.ShardId).to.match(/^shardId-/);
    }

    const expected = sent
      .filter((_, i) => records[i]!.ErrorCode === undefined)
      .map((e) => Buffer.from(e.Data).toString());
    const stored = (await readAll(direct, stream)).map((r) => r.data);
    expect(stored.sort()).to.deep.equal(expected.sort());

    const stats = proxy.stats();
    expect(stats.putRecordsRequests).to.equal(1);
    expect(stats.entriesReceived).to.equal(100);
    expect(stats.entriesForwarded).to.equal(100 - failed.length);
    expect(stats.entriesFailed).to.equal(failed.length);
    const byCode = stats.entriesFailedByCode;
    expect(
      (byCode[PutRecordsEntryErrors.INTERNAL] ?? 0) +
        (byCode[PutRecordsEntryErrors.THROUGHPUT] ?? 0),
    ).to.equal(failed.length);
  });

  it('counts re-sent entries so a client that retries only failures can be checked', async () => {
    const stream = await freshStream();
    const { proxy, kinesis } = await proxyFor({ faults: { entryFailureRate: 0.4 }, seed: 3 });
    let pending = entries('b', 60);
    for (let attempt = 0; pending.length > 0 && attempt < 50; attempt++) {
      const output = await kinesis.send(
        new PutRecordsCommand({ StreamName: stream, Records: pending }),
      );
      pending = pending.filter((_, i) => output.Records?.[i]?.ErrorCode !== undefined);
    }
    expect(pending).to.have.length(0);
    const stats = proxy.stats();
    expect(stats.entriesReceived).to.equal(60 + stats.entriesFailed);
    expect(stats.entriesFailed).to.be.greaterThan(0);
    const stored = await readAll(direct, stream);
    expect(new Set(stored.map((r) => r.data)).size).to.equal(60);
    expect(stored).to.have.length(60);
  });

  it('answers with every entry failed without calling upstream when all fail', async () => {
    const stream = await freshStream();
    const { proxy, kinesis } = await proxyFor({
      faults: { entryFailureRate: 1, entryErrorCodes: [PutRecordsEntryErrors.INTERNAL] },
    });
    const output = await kinesis.send(
      new PutRecordsCommand({ StreamName: stream, Records: entries('c', 5) }),
    );
    expect(output.FailedRecordCount).to.equal(5);
    expect(output.Records?.map((r) => r.ErrorCode)).to.deep.equal(
      Array(5).fill(PutRecordsEntryErrors.INTERNAL),
    );
    expect(proxy.stats().entriesForwarded).to.equal(0);
    expect(await readAll(direct, stream)).to.have.length(0);
  });

  it('turns whole requests into the errors the SDK raises for AWS', async () => {
    const stream = await freshStream();
    const put = () => new PutRecordsCommand({ StreamName: stream, Records: entries('d', 3) });

    const internal = await proxyFor({ faults: { requestErrorRate: 1 } });
    const e500 = await caught(internal.kinesis.send(put()));
    expect(e500).to.be.instanceOf(KinesisServiceException);
    expect(e500.name).to.equal('InternalFailure');
    expect((e500 as unknown as KinesisServiceException).$metadata.httpStatusCode).to.equal(500);

    const throughput = await proxyFor({
      faults: { throttleRate: 1, throttleErrorTypes: ['ProvisionedThroughputExceededException'] },
    });
    const eThroughput = await caught(throughput.kinesis.send(put()));
    expect(eThroughput).to.be.instanceOf(ProvisionedThroughputExceededException);
    expect(eThroughput.name).to.equal('ProvisionedThroughputExceededException');
    expect((eThroughput as unknown as KinesisServiceException).$metadata.httpStatusCode).to.equal(
      400,
    );

    const limit = await proxyFor({
      faults: { throttleRate: 1, throttleErrorTypes: ['LimitExceededException'] },
    });
    const eLimit = await caught(limit.kinesis.send(put()));
    expect(eLimit).to.be.instanceOf(LimitExceededException);
    expect((eLimit as unknown as KinesisServiceException).$metadata.httpStatusCode).to.equal(400);

    const reset = await proxyFor({ faults: { resetRate: 1 } });
    const eReset = await caught(reset.kinesis.send(put()));
    expect(eReset).not.to.be.instanceOf(KinesisServiceException);
    expect(eReset.code).to.equal('ECONNRESET');
    expect(reset.proxy.stats().resets).to.equal(1);

    // Only PutRecords is faulted by default; other operations pass.
    const summary = await reset.kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: stream }),
    );
    expect(summary.StreamDescriptionSummary?.StreamStatus).to.equal('ACTIVE');

    expect(await readAll(direct, stream)).to.have.length(0);
    expect(internal.proxy.stats().requestsFailedByKind.requestError).to.equal(1);
    expect(internal.proxy.stats().entriesInFailedRequests).to.equal(3);
  });

  it('loses answers of writes that did happen', async () => {
    const stream = await freshStream();
    const { proxy, kinesis } = await proxyFor({ faults: { lostResponseRate: 1 } });
    const err = await caught(
      kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: entries('e', 4) })),
    );
    expect(err.code).to.equal('ECONNRESET');
    expect(await readAll(direct, stream)).to.have.length(4);
    expect(proxy.stats().entriesInLostResponses).to.equal(4);
  });

  it('fails every request during an outage and recovers after it', async () => {
    const stream = await freshStream();
    const { proxy, kinesis } = await proxyFor({});
    const describe = () => kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));

    // Windows far longer than a request takes on any machine, ended explicitly (a new window of
    // 0 ms): whether a request lands inside must not depend on how fast this machine is.
    proxy.outage(LONG_OUTAGE_MS);
    const during = await caught(describe());
    expect(during.name).to.equal('ServiceUnavailable');
    expect((during as unknown as KinesisServiceException).$metadata.httpStatusCode).to.equal(503);
    proxy.outage(0);
    expect((await describe()).StreamDescriptionSummary?.StreamStatus).to.equal('ACTIVE');

    proxy.setFaults({ outageAtMs: 0, outageMs: LONG_OUTAGE_MS, outageMode: 'reset' });
    expect((await caught(describe())).code).to.equal('ECONNRESET');
    proxy.setFaults({ outageAtMs: 0, outageMs: 0 });
    expect((await describe()).StreamDescriptionSummary?.StreamStatus).to.equal('ACTIVE');

    // A window ends by itself: waiting past it (however late this wakes) finds the proxy healthy.
    proxy.outage(SHORT_OUTAGE_MS);
    await new Promise((resolve) => setTimeout(resolve, SHORT_OUTAGE_MS + 50));
    expect((await describe()).StreamDescriptionSummary?.StreamStatus).to.equal('ACTIVE');
    expect(proxy.stats().requestsFailedByKind.outage).to.equal(2);
  });

  it('adds latency to every request', async () => {
    const stream = await freshStream();
    const { kinesis } = await proxyFor({ faults: { latencyMs: 150 } });
    const started = Date.now();
    await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    expect(Date.now() - started).to.be.at.least(145);
  });

  it('draws the same faults for the same seed and different ones for another', async () => {
    const stream = await freshStream();
    const run = async (seed: number) => {
      const { kinesis } = await proxyFor({
        faults: { entryFailureRate: 0.25, throttleRate: 0.2 },
        seed,
      });
      const patterns: string[] = [];
      for (let i = 0; i < 8; i++) {
        try {
          const out = await kinesis.send(
            new PutRecordsCommand({ StreamName: stream, Records: entries(`s${seed}`, 20) }),
          );
          patterns.push(failurePattern(out));
        } catch (err) {
          patterns.push((err as Error).name);
        }
      }
      return patterns;
    };
    const first = await run(11);
    expect(await run(11)).to.deep.equal(first);
    expect(await run(12)).not.to.deep.equal(first);
    expect(first.some((p) => p.includes('I') || p.includes('P'))).to.equal(true);
  });

  it('changes faults at runtime', async () => {
    const stream = await freshStream();
    const { proxy, kinesis } = await proxyFor({ faults: { requestErrorRate: 1 } });
    const put = () =>
      kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: entries('f', 2) }));
    expect((await caught(put())).name).to.equal('InternalFailure');
    proxy.setFaults({ requestErrorRate: 0 });
    expect((await put()).FailedRecordCount).to.equal(0);
    expect(() => proxy.setFaults({ entryFailureRate: 2 })).to.throw(/entryFailureRate/);
  });

  it('throttles entries above a per-shard budget, routing keys by MD5 like Kinesis', async () => {
    const stream = await freshStream(2);
    const { proxy, kinesis } = await proxyFor({ faults: { shardRecordsPerSecond: 10 } });
    const sent = entries('g', 60);
    const output = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: sent }));
    const accepted = (output.Records ?? []).filter((r) => r.ErrorCode === undefined);
    // Both shards get far more than 10 of 60 keys, so each accepts exactly its budget.
    expect(accepted).to.have.length(20);
    expect(output.FailedRecordCount).to.equal(40);
    const perShard = new Map<string, number>();
    for (const r of accepted) perShard.set(r.ShardId!, (perShard.get(r.ShardId!) ?? 0) + 1);
    expect([...perShard.values()]).to.deep.equal([10, 10]);
    for (const r of (output.Records ?? []).filter((x) => x.ErrorCode !== undefined)) {
      expect(r.ErrorCode).to.equal(PutRecordsEntryErrors.THROUGHPUT);
      expect(r.ErrorMessage).to.match(/Rate exceeded for shard shardId-\d{12} in stream /);
    }
    // The proxy's shard for each failed entry is the shard kinesalite would have used.
    const failedShards = (output.Records ?? [])
      .map((r, i) =>
        r.ErrorCode
          ? { key: sent[i]!.PartitionKey, shard: /shardId-\d+/.exec(r.ErrorMessage!)![0] }
          : undefined,
      )
      .filter((x) => x !== undefined);
    const retry = await direct.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: failedShards.map((f) => ({ Data: Buffer.from('x'), PartitionKey: f.key })),
      }),
    );
    expect(retry.Records?.map((r) => r.ShardId)).to.deep.equal(failedShards.map((f) => f.shard));
    expect(proxy.stats().entriesShardThrottled).to.equal(40);
  });

  it('closes idempotently, dropping keep-alive connections', async () => {
    const stream = await freshStream();
    const { proxy, kinesis } = await proxyFor({});
    await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    await Promise.all([proxy.close(), proxy.close()]);
    await proxy.close();
    const err = await caught(
      kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream })),
    );
    expect(err.code).to.be.oneOf(['ECONNREFUSED', 'ECONNRESET']);
  });
});
