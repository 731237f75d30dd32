import { expect } from 'chai';
import { KinesisRequestError } from '../../../src/errors.js';
import { plainRecord, type SettleResult, type UserRecord } from '../../../src/sink/held-record.js';
import { SinkLedger } from '../../../src/sink/sink-ledger.js';

function user(seq: number, onSettled?: (r: SettleResult) => void): UserRecord {
  return {
    data: Buffer.from('x'.repeat(9)),
    partitionKey: 'k',
    bytes: 10,
    hashKey: undefined,
    seq,
    firstPutAtMs: 0,
    onSettled,
  };
}

describe('SinkLedger', () => {
  it('settles each record once, keeping the held counts exact', () => {
    const names: string[] = [];
    let released = 0;
    const ledger = new SinkLedger(
      (name, ..._args) => {
        names.push(name);
      },
      () => {
        released++;
      },
    );
    const results: SettleResult[] = [];
    const a = user(1, (r) => results.push(r));
    const b = user(2, (r) => results.push(r));
    ledger.accepted(a.bytes);
    ledger.accepted(b.bytes);
    expect(ledger.counters).to.include({ recordsPut: 2, bufferedRecords: 2, bufferedBytes: 20 });
    ledger.settleAcked(a.bytes, a.onSettled, { ok: true, shardId: 's-1', sequenceNumber: '7' });
    ledger.settleDropped([plainRecord(b, undefined)], 'retriesExhausted');
    expect(results).to.deep.equal([
      { ok: true, shardId: 's-1', sequenceNumber: '7' },
      { ok: false, reason: 'retriesExhausted' },
    ]);
    expect(ledger.counters).to.include({
      recordsSent: 1,
      bufferedRecords: 0,
      bufferedBytes: 0,
      droppedTotal: 1,
    });
    expect(ledger.counters.dropped.retriesExhausted).to.equal(1);
    expect(names).to.deep.equal(['drop']);
    expect(released).to.equal(1);
  });

  it('settles a run of records with one call that tells their number, acked or dropped', () => {
    const ledger = new SinkLedger(
      () => undefined,
      () => undefined,
    );
    const calls: [boolean, number][] = [];
    const onSettled = (r: SettleResult, records: number): void => void calls.push([r.ok, records]);
    ledger.accepted(70, 7);
    ledger.settleAcked(30, onSettled, { ok: true, shardId: 's', sequenceNumber: '1' }, 3);
    const run: UserRecord = { ...user(4), bytes: 40, count: 4, onSettled };
    ledger.settleDropped(
      [
        {
          ...plainRecord(user(0), 's'),
          heldBytes: 40,
          users: [run],
        },
      ],
      'closed',
    );
    expect(calls).to.deep.equal([
      [true, 3],
      [false, 4],
    ]);
    expect(ledger.counters).to.include({ recordsSent: 3, bufferedRecords: 0, bufferedBytes: 0 });
    expect(ledger.counters.dropped.closed).to.equal(4);
  });

  it('a throwing settle callback does not stop the others', () => {
    const ledger = new SinkLedger(
      () => undefined,
      () => undefined,
    );
    let reached = 0;
    const throwing = user(1, () => {
      throw new Error('callback bug');
    });
    const fine = user(2, () => reached++);
    ledger.settleDropped(
      [plainRecord(throwing, undefined), plainRecord(fine, undefined)],
      'closed',
    );
    expect(reached).to.equal(1);
    expect(ledger.counters.dropped.closed).to.equal(2);
  });

  it('reports a failure once until a request succeeds again', () => {
    const errors: unknown[] = [];
    const ledger = new SinkLedger(
      (name, ...args) => {
        if (name === 'error') errors.push(args[0]);
      },
      () => undefined,
    );
    const target = { streamName: 'logs', endpoint: 'fake' };
    const err = (): KinesisRequestError =>
      new KinesisRequestError(target, 'InternalFailure', 'boom', true);
    ledger.report(err());
    ledger.report(err());
    expect(errors).to.have.length(1);
    ledger.requestSucceeded(12);
    ledger.report(err());
    expect(errors).to.have.length(2);
    expect(ledger.counters).to.include({ lastLatencyMs: 12, maxLatencyMs: 12 });
  });

  it('a record refused at intake counts as put and dropped, never held', () => {
    const ledger = new SinkLedger(
      () => undefined,
      () => undefined,
    );
    const results: SettleResult[] = [];
    ledger.dropNew('oversize', 2_000_000, (r) => results.push(r));
    expect(results).to.deep.equal([{ ok: false, reason: 'oversize' }]);
    expect(ledger.counters).to.include({ recordsPut: 1, bufferedRecords: 0, droppedTotal: 1 });
  });
});
