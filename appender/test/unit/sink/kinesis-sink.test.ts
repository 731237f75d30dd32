import { expect } from 'chai';
import { KinesisSink } from '../../../src/sink/kinesis-sink.js';
import type { SettleResult } from '../../../src/sink/held-record.js';
import { FakeClock, settle } from './support/fake-clock.js';
import { FakePutRecords, THROTTLED } from './support/fake-put-records.js';

function sinkOf(options: Partial<ConstructorParameters<typeof KinesisSink>[0]> = {}) {
  const clock = new FakeClock();
  const client = new FakePutRecords();
  const sink = new KinesisSink({ streamName: 'logs', ...options }, { client, clock });
  return { sink, clock, client };
}

describe('KinesisSink (facade over fakes)', () => {
  it('put, flush and close deliver each record once and release the client', async () => {
    const { sink, client } = sinkOf({ maxBatchRecords: 4 });
    const results: SettleResult[] = [];
    for (let i = 0; i < 6; i++) sink.put({ i }, (r) => results.push(r));
    sink.putEncoded('{"raw":true}', 'mine');
    await sink.flush();
    expect(results).to.have.length(6);
    expect(client.sentEntries.map((e) => e.data.toString())).to.deep.equal([
      '{"i":0}',
      '{"i":1}',
      '{"i":2}',
      '{"i":3}',
      '{"i":4}',
      '{"i":5}',
      '{"raw":true}',
    ]);
    expect(client.sentEntries[6]!.partitionKey).to.equal('mine');
    await sink.close();
    expect(client.destroyed).to.equal(true);
    expect(sink.put({ late: true })).to.equal(false);
    expect(sink.stats()).to.include({ recordsSent: 7, bufferedRecords: 0 });
    expect(sink.stats().dropped.closed).to.equal(1);
  });

  it('prepare() loads the shard map before the first put, once, and only for a routed sink', async () => {
    const routed = sinkOf({ aggregation: true });
    const prepared = routed.sink.prepare();
    expect(routed.client.listCalls).to.equal(1);
    await prepared;
    // The map is there: lines put go straight into an aggregate, without another load.
    const lines = Buffer.from('a\nbb\nccc\n');
    routed.sink.putLines({ buf: lines, starts: [0, 2, 5], ends: [1, 4, 8], from: 0, to: 3 });
    await routed.sink.flush();
    expect(routed.client.listCalls).to.equal(1);
    expect(routed.client.sentEntries).to.have.length(1);
    await routed.sink.close();

    const plain = sinkOf();
    await plain.sink.prepare();
    expect(plain.client.listCalls).to.equal(0);
    await plain.sink.close();
  });

  it('blocks with whenFull: block until records are acknowledged, then emits drain', async () => {
    const { sink, client } = sinkOf({ maxBufferBytes: 1024 * 1024, maxBatchRecords: 2 });
    client.hold = true;
    const line = 'x'.repeat(400 * 1024);
    let drained = 0;
    sink.on('drain', () => drained++);
    expect(sink.putEncoded(line, 'a')).to.equal(true);
    expect(sink.putEncoded(line, 'b')).to.equal(true);
    expect(sink.putEncoded(line, 'c')).to.equal(false);
    let ready = false;
    void sink.ready().then(() => (ready = true));
    await settle();
    expect(ready).to.equal(false);
    client.release();
    await settle();
    expect(ready).to.equal(true);
    expect(drained).to.equal(1);
    client.hold = false;
    await sink.close();
  });

  it('flush waits for retried entries, and events tell what happened', async () => {
    const { sink, client } = sinkOf({ backoffBaseMs: 100, backoffMaxMs: 100 });
    client.answer = (entries, request) =>
      entries.map((e, i) => (request === 0 && i === 0 ? THROTTLED : client.ok(e)));
    const flushes: number[] = [];
    sink.on('flush', (e) => flushes.push(e.records));
    for (let i = 0; i < 3; i++) sink.put({ i });
    await sink.flush(); // the throttled entry rejoined the next request, no clock moved
    expect(client.requests.map((r) => r.length)).to.deep.equal([3, 1]);
    expect(flushes).to.deep.equal([2, 1]);
    await sink.close();
  });

  it('close drops what it cannot deliver within its timeout, counted', async () => {
    const { sink, client } = sinkOf({ shutdownTimeoutMs: 0 });
    client.hold = true;
    const results: SettleResult[] = [];
    sink.put({ a: 1 }, (r) => results.push(r));
    await sink.close();
    expect(results).to.deep.equal([{ ok: false, reason: 'shutdownTimeout' }]);
    expect(sink.stats().dropped.shutdownTimeout).to.equal(1);
  });
});
