import { expect } from 'chai';
import { planWindow } from '../../../src/window/plan-window.js';
import { nextStartAfter, type ShardWindow } from '../../../src/stream/shard-window.js';

const w = (shardId: string, extra: Partial<ShardWindow>): ShardWindow => ({
  shardId,
  parentShardIds: [],
  records: 1,
  closed: false,
  stopReason: 'caughtUp',
  ...extra,
});

describe('planWindow', () => {
  it('continues after the previous end, carries finished closed shards, starts new children at their beginning', () => {
    const plan = planWindow(
      [
        { shardId: 'shardId-000000000010', parentShardIds: ['shardId-000000000002'] },
        { shardId: 'shardId-000000000002', parentShardIds: [], endingSequenceNumber: '99' },
        { shardId: 'shardId-000000000001', parentShardIds: [] },
        { shardId: 'shardId-000000000003', parentShardIds: [] },
      ],
      [
        w('shardId-000000000001', { startAfterSeq: '5', endSeq: '12' }),
        w('shardId-000000000002', { endSeq: '40', closed: true, stopReason: 'closed' }),
        w('shardId-000000000003', { startAfterSeq: '7', records: 0 }),
        w('shardId-000000000000', { endSeq: '3' }),
      ],
    );
    expect(plan.map((p) => p.shardId)).to.deep.equal([
      'shardId-000000000001',
      'shardId-000000000002',
      'shardId-000000000003',
      'shardId-000000000010',
    ]);
    expect(plan[0]).to.deep.include({ startAfterSeq: '12' });
    expect(plan[0]!.carried).to.equal(undefined);
    expect(plan[1]!.carried).to.deep.include({
      startAfterSeq: '40',
      endSeq: '40',
      records: 0,
      closed: true,
    });
    expect(plan[2]).to.deep.include({ startAfterSeq: '7' });
    expect(plan[3]!.startAfterSeq).to.equal(undefined);
    expect(plan[3]!.parentShardIds).to.deep.equal(['shardId-000000000002']);
  });

  it('a window that read nothing hands on its own start', () => {
    expect(nextStartAfter(w('s', { startAfterSeq: '8' }))).to.equal('8');
    expect(nextStartAfter(w('s', {}))).to.equal(undefined);
  });
});
