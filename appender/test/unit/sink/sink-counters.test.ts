import { expect } from 'chai';
import type { EntryResult } from '../../../src/sink/put-records-client.js';
import {
  countShardResults,
  errorCodeLabel,
  SinkCounterLimits,
} from '../../../src/sink/sink-counters.js';
import { emptySinkStats } from '../../../src/sink/sink-stats.js';

const ok = (shardId: string): EntryResult => ({ ok: true, shardId, sequenceNumber: '1' });
const failed = (errorCode: string, errorMessage = ''): EntryResult => ({
  ok: false,
  errorCode,
  errorMessage,
});

describe('countShardResults', function () {
  it('adds acknowledged bytes to the shard that answered', function () {
    const stats = emptySinkStats();
    countShardResults(
      stats,
      [{ bytes: 100 }, { bytes: 50 }, { bytes: 7 }],
      [ok('shardId-000000000000'), ok('shardId-000000000001'), ok('shardId-000000000000')],
    );
    expect(stats.bytesSentByShard).to.deep.equal({
      'shardId-000000000000': 107,
      'shardId-000000000001': 50,
    });
    expect(stats.entriesFailedByShard).to.deep.equal({});
  });

  it('counts failed entries by the routed shard, else the shard the message names, else unknown', function () {
    const stats = emptySinkStats();
    countShardResults(
      stats,
      [{ bytes: 1, shardId: 'shardId-000000000003' }, { bytes: 1, shardId: '*' }, { bytes: 1 }],
      [
        failed(
          'ProvisionedThroughputExceededException',
          'Rate exceeded for shard shardId-000000000009',
        ),
        failed(
          'ProvisionedThroughputExceededException',
          'Rate exceeded for shard shardId-000000000002 in stream logs under account 111122223333.',
        ),
        failed('InternalFailure', 'Internal service failure.'),
      ],
    );
    expect(stats.entriesFailedByShard).to.deep.equal({
      'shardId-000000000003': { ProvisionedThroughputExceededException: 1 },
      'shardId-000000000002': { ProvisionedThroughputExceededException: 1 },
      [SinkCounterLimits.UNKNOWN_SHARD]: { InternalFailure: 1 },
    });
    expect(stats.bytesSentByShard).to.deep.equal({});
  });

  it('counts codes outside the fixed list as "other"', function () {
    const stats = emptySinkStats();
    countShardResults(
      stats,
      [{ bytes: 1 }, { bytes: 1 }],
      [
        failed('BrandNewException', 'shardId-000000000001'),
        failed('Whatever', 'shardId-000000000001'),
      ],
    );
    expect(stats.entriesFailedByShard).to.deep.equal({ 'shardId-000000000001': { other: 2 } });
    expect(errorCodeLabel('KMSThrottlingException')).to.equal('KMSThrottlingException');
  });

  it('keeps at most MAX_SHARD_LABELS shard labels, then counts under "other"', function () {
    const stats = emptySinkStats();
    const n = SinkCounterLimits.MAX_SHARD_LABELS + 5;
    const records = Array.from({ length: n }, () => ({ bytes: 2 }));
    const results = records.map((_, i) => ok(`shardId-${String(i).padStart(12, '0')}`));
    countShardResults(stats, records, results);
    expect(Object.keys(stats.bytesSentByShard)).to.have.length(
      SinkCounterLimits.MAX_SHARD_LABELS + 1,
    );
    expect(stats.bytesSentByShard[SinkCounterLimits.OTHER_LABEL]).to.equal(10);
    // A shard already labelled keeps its own label.
    countShardResults(stats, [{ bytes: 3 }], [ok('shardId-000000000000')]);
    expect(stats.bytesSentByShard['shardId-000000000000']).to.equal(5);
  });
});
