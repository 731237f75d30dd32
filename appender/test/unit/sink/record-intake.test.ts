import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import type { SettleResult } from '../../../src/sink/held-record.js';
import { Intake, RecordIntake } from '../../../src/sink/record-intake.js';
import type { KinesisSinkOptions } from '../../../src/sink/sink-options.js';
import { evenShards } from './support/fake-put-records.js';
import { sinkRooms } from './support/sink-rooms.js';
import { deaggregate } from '../../support/kpl-deaggregate.js';

/** The user records' data of an aggregate (or the record itself when plain). */
function linesOf(r: {
  data: Buffer;
  partitionKey: string;
  users: unknown[] | undefined;
}): string[] {
  if (r.users === undefined) return [r.data.toString()];
  return deaggregate(r.data, r.partitionKey).map((u) => Buffer.from(u.data, 'base64').toString());
}

function intakeOf(options: Partial<KinesisSinkOptions>) {
  const rooms = sinkRooms(options);
  const intake = new RecordIntake(rooms.o, rooms.ledger, rooms.router, rooms.lanes, rooms.clock);
  return { ...rooms, intake };
}

describe('RecordIntake', () => {
  it('holds a record with its bytes, key, sequence and put time', () => {
    const { intake, lanes, ledger, clock } = intakeOf({});
    expect(intake.accept('{"a":1}', 'key', undefined)).to.equal(Intake.ACCEPTED);
    expect(intake.lastSeq).to.equal(1);
    expect(ledger.counters).to.include({ recordsPut: 1, bufferedRecords: 1, bufferedBytes: 10 });
    const [held] = lanes.takeBatch(clock.now(), true)!;
    expect(held).to.include({ partitionKey: 'key', bytes: 10, seq: 1, firstPutAtMs: clock.now() });
    expect(held!.data.toString()).to.equal('{"a":1}');
  });

  it('truncates an oversize record to the limit, or drops it with oversize: drop', () => {
    const big = JSON.stringify({ level: 'error', msg: 'x'.repeat(5000) });
    const cut = intakeOf({ maxRecordBytes: 1024, maxBatchBytes: 1024 });
    expect(cut.intake.accept(big, 'k', undefined)).to.equal(Intake.ACCEPTED);
    const [held] = cut.lanes.takeBatch(0, true)!;
    expect(held!.bytes).to.be.at.most(1024);
    expect((JSON.parse(held!.data.toString()) as { level: string }).level).to.equal('error');
    expect(cut.ledger.counters.truncated).to.equal(1);

    const dropped = intakeOf({ maxRecordBytes: 1024, maxBatchBytes: 1024, oversize: 'drop' });
    const results: SettleResult[] = [];
    expect(dropped.intake.accept(big, 'k', (r) => results.push(r))).to.equal(Intake.DROPPED);
    expect(results).to.deep.equal([{ ok: false, reason: 'oversize' }]);
    expect(dropped.ledger.counters.bufferedRecords).to.equal(0);
  });

  it('gzips each record when asked, counting the compressed bytes', () => {
    const { intake, lanes, ledger } = intakeOf({ compression: 'gzip' });
    const line = 'a'.repeat(1000);
    intake.accept(line, 'k', undefined);
    const [held] = lanes.takeBatch(0, true)!;
    expect(gunzipSync(held!.data).toString()).to.equal(line);
    expect(ledger.counters.bufferedBytes)
      .to.equal(held!.data.length + 1)
      .and.below(100);
  });

  it('whenFull: block accepts past the limit and says to slow down', () => {
    const { intake } = intakeOf({ maxBufferBytes: 1024 * 1024, whenFull: 'block' });
    const line = 'x'.repeat(400 * 1024);
    expect(intake.accept(line, 'k', undefined)).to.equal(Intake.ACCEPTED);
    expect(intake.accept(line, 'k', undefined)).to.equal(Intake.ACCEPTED);
    expect(intake.accept(line, 'k', undefined)).to.equal(Intake.ACCEPTED_FULL);
  });

  it('whenFull: dropNewest drops the new record; dropOldest evicts the oldest unsent', () => {
    const line = 'x'.repeat(400 * 1024);
    const newest = intakeOf({ maxBufferBytes: 1024 * 1024, whenFull: 'dropNewest' });
    for (let i = 0; i < 3; i++) newest.intake.accept(line, `k${i}`, undefined);
    expect(newest.ledger.counters.dropped.bufferFull).to.equal(1);
    expect(newest.lanes.takeBatch(0, true)!.map((r) => r.partitionKey)).to.deep.equal(['k0', 'k1']);

    const oldest = intakeOf({ maxBufferBytes: 1024 * 1024, whenFull: 'dropOldest' });
    const results: string[] = [];
    for (let i = 0; i < 3; i++)
      oldest.intake.accept(line, `k${i}`, (r) => results.push(`k${i}:${String(r.ok)}`));
    expect(results).to.deep.equal(['k0:false']);
    expect(oldest.lanes.takeBatch(0, true)!.map((r) => r.partitionKey)).to.deep.equal(['k1', 'k2']);
  });

  it('holds its own bytes of a placed record although the caller reuses its buffer at once', async () => {
    const { intake, lanes, router, client } = intakeOf({
      aggregation: true,
      maxAggregateBytes: 1024,
    });
    client.shards = evenShards(2);
    await router.loadShardMap();
    expect(router.copiesPlacedRecords).to.equal(true);
    const scratch = Buffer.alloc(2000);
    const lines: string[] = [];
    for (let i = 0; i < 40; i++) {
      // Every 10th record is too big to aggregate and goes out plain.
      const line = i % 10 === 9 ? `big ${i} ${'b'.repeat(1500)}` : `line ${i} ${'a'.repeat(90)}`;
      lines.push(line);
      const n = scratch.write(line);
      expect(intake.accept(scratch.subarray(0, n), 'own', undefined, true)).to.equal(
        Intake.ACCEPTED,
      );
      scratch.fill(0x58); // the caller's next read overwrites its buffer
    }
    router.sealAggregates(0, true);
    const held = lanes.takeBatch(0, true)!;
    const got = held.flatMap((r) => r.users?.map((u) => u.seq) ?? [r.seq]);
    expect(got).to.have.length(40);
    const bySeq = new Map<number, string>();
    for (const r of held) {
      const data = linesOf(r);
      const seqs = r.users?.map((u) => u.seq) ?? [r.seq];
      seqs.forEach((s, i) => bySeq.set(s, data[i]!));
      for (const u of r.users ?? []) expect(u.data.toString()).to.equal(data[seqs.indexOf(u.seq)]);
    }
    expect([...bySeq.keys()].sort((a, b) => a - b).map((s) => bySeq.get(s))).to.deep.equal(lines);
  });
});
