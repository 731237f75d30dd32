/**
 * GetRecords answers read by kinesis-shard-source itself against a real local Kinesis (this
 * file also runs in the compatibility lane against the second implementation): the same
 * records, bytes and arrival times the SDK's own deserializer gives.
 */
import { expect } from 'chai';
import { GetRecordsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createTestStream } from '@kinlog/testkit';
import { KinesisShardSource } from '../../src/stream/kinesis-shard-source.js';
import { kinesis } from '../support/stream-fixtures.js';

describe('KinesisShardSource GetRecords', function () {
  this.timeout(60_000);

  it('reads each page exactly as the SDK deserializes it', async () => {
    const stream = await createTestStream(1);
    const client = kinesis();
    const source = new KinesisShardSource();
    try {
      const data = [
        Buffer.from('{"level":"error","msg":"caf\u00e9 \u{1f4a5}"}'),
        Buffer.from([0, 1, 2, 253, 254, 255]),
        Buffer.from('x'.repeat(5000)),
      ];
      for (let round = 0; round < 3; round++) {
        await client.send(
          new PutRecordsCommand({
            StreamName: stream,
            Records: data.map((d, i) => ({ Data: d, PartitionKey: `k${round}-${i}` })),
          }),
        );
      }
      const [shard] = await source.listShards(stream);
      const iterator = await source.getIterator(stream, shard!.shardId, { type: 'trimHorizon' });
      const ours = await source.getRecords(iterator, 1_000);
      const sdk = await client.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: 1_000 }),
      );
      expect(
        ours.records.map((r) => [r.sequenceNumber, Buffer.from(r.data), r.arrivalMs]),
      ).to.deep.equal(
        (sdk.Records ?? []).map((r) => [
          r.SequenceNumber,
          Buffer.from(r.Data ?? []),
          r.ApproximateArrivalTimestamp?.getTime(),
        ]),
      );
      expect(ours.records.map((r) => Buffer.from(r.data))).to.deep.equal([
        ...data,
        ...data,
        ...data,
      ]);
      expect(typeof ours.nextIterator).to.equal(typeof sdk.NextShardIterator);
      expect(ours.millisBehindLatest).to.equal(sdk.MillisBehindLatest);
      // Paging goes on from our own iterator, as from the SDK's.
      const rest = await source.getRecords(ours.nextIterator!, 1_000);
      expect(rest.records).to.have.length(0);
    } finally {
      source.close();
      client.destroy();
    }
  });

  it('still raises what the service refuses (an unknown iterator) as a read error', async () => {
    const source = new KinesisShardSource();
    try {
      const fake = Buffer.from(
        'not an iterator at all, but long enough to pass a length check',
      ).toString('base64');
      let error: unknown;
      await source.getRecords(fake, 10).catch((err: unknown) => (error = err));
      expect(error).to.be.instanceOf(Error);
      expect((error as Error).message).to.match(/^GetRecords/);
    } finally {
      source.close();
    }
  });
});
