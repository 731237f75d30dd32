/**
 * Producer and analyzer together across a split: aggregates put on the stale shard map carry
 * user records whose keys now belong to the other child; the sink puts those again, and the
 * analyzer skips the misplaced copies as the KCL does, so every event counts exactly once.
 */
import { expect } from 'chai';
import { ListShardsCommand, SplitShardCommand } from '@aws-sdk/client-kinesis';
import { Analyzer } from '@kinlog/analyzer';
import { KinesisSink } from '@kinlog/appender';
import { createTestStream, localKinesisClient, waitForStreamActive } from '@kinlog/testkit';

describe('aggregated records across a split, end to end', function () {
  this.timeout(60_000);

  it('counts every event exactly once', async () => {
    const streamName = await createTestStream(1);
    const endpoint = process.env.AWS_ENDPOINT_URL_KINESIS ?? '';
    const sink = new KinesisSink({
      streamName,
      endpoint,
      aggregation: true,
      flushIntervalMs: 30,
      partitionKey: { field: 'user' },
    });
    const put = (from: number, to: number): void => {
      for (let id = from; id < to; id++) {
        sink.put({ id, user: `u-${id % 53}`, level: 'error', status: 503, page: `/p/${id % 5}` });
      }
    };
    put(0, 1500);
    await sink.flush();
    const kinesis = localKinesisClient();
    const shards = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
    await kinesis.send(
      new SplitShardCommand({
        StreamName: streamName,
        ShardToSplit: shards.Shards![0]!.ShardId!,
        NewStartingHashKey: (1n << 127n).toString(),
      }),
    );
    await waitForStreamActive(streamName); // the split has completed
    put(1500, 3000);
    await sink.close();
    const rerouted = sink.stats().userRecordsRerouted;
    expect(rerouted).to.be.above(0);

    const analyzer = new Analyzer({ name: 'agg-split', stream: streamName, kinesis: { endpoint } });
    try {
      const { result, decode } = await analyzer.wholeStream();
      expect(result.totals.events).to.equal(3000);
      expect(result.totals.errors).to.equal(3000);
      expect(decode.misplaced).to.equal(rerouted);
    } finally {
      analyzer.close();
    }
  });
});
