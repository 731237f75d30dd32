/**
 * A stream deleted and created again under the same name: the stored checkpoints name sequence
 * numbers the new stream never issued. The analyzer says so and how to go on, instead of
 * passing on Kinesis' "did not come from this stream".
 */
import { expect } from 'chai';
import { DeleteStreamCommand, DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { ensureStream } from '@kinlog/core';
import { createTestStream } from '@kinlog/testkit';
import { setTimeout as delay } from 'node:timers/promises';
import { KinesisShardSource, StreamRecreatedError } from '../../src/index.js';
import { kinesis, putNumbered } from '../support/stream-fixtures.js';

/** How long the local Kinesis may take to delete a stream. */
const DELETE_WAIT_MS = 20_000;
const DELETE_POLL_MS = 50;
/** More than a second: the new stream gets another creation time than the old one. */
const CREATION_SECOND_MS = 1_100;

describe('a stream deleted and created again', function () {
  this.timeout(60_000);

  it('reading on from a checkpoint of the earlier stream names the cause and the way out', async () => {
    const stream = await createTestStream(1);
    const client = kinesis();
    const source = new KinesisShardSource();
    try {
      await putNumbered(client, stream, 0, 3);
      const [shard] = await source.listShards(stream);
      const iterator = await source.getIterator(stream, shard!.shardId, { type: 'trimHorizon' });
      const { records } = await source.getRecords(iterator, 10);
      const checkpoint = records.at(-1)!.sequenceNumber;

      await client.send(new DeleteStreamCommand({ StreamName: stream }));
      const deadline = Date.now() + DELETE_WAIT_MS;
      for (;;) {
        const gone = await client
          .send(new DescribeStreamSummaryCommand({ StreamName: stream }))
          .then(
            () => false,
            (err: Error) => err.name === 'ResourceNotFoundException',
          );
        if (gone) break;
        if (Date.now() > deadline) throw new Error(`stream ${stream} still there`);
        await delay(DELETE_POLL_MS);
      }
      // kinesalite tells streams apart by their creation second (as AWS, by far longer delays).
      await delay(CREATION_SECOND_MS);
      await ensureStream(client, stream, 1);

      const error = await source
        .getIterator(stream, shard!.shardId, {
          type: 'afterSequenceNumber',
          sequenceNumber: checkpoint,
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error, String(error)).to.be.instanceOf(StreamRecreatedError);
      const message = (error as Error).message;
      expect(message).to.contain(`stream ${stream} has no sequence number ${checkpoint}`);
      expect(message).to.contain('earlier stream of that name');
      expect(message).to.contain('new --name');
      expect(message).to.not.contain('did not come from this stream');
      expect((error as StreamRecreatedError).retryable).to.equal(false);
    } finally {
      source.close();
      client.destroy();
    }
  });
});
