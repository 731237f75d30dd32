import { setTimeout as delay } from 'node:timers/promises';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { localKinesisClient } from './stream-reader.js';

/** Pause between two status checks. */
const STATUS_POLL_MS = 20;

/**
 * Resolves once the stream is ACTIVE again, e.g. after a SplitShard: a wait on the stream's own
 * state rather than on a guess of how long the transition takes on this machine. It has no
 * deadline of its own: the test's timeout bounds it.
 *
 * @example
 * ```ts
 * await kinesis.send(new SplitShardCommand({ StreamName, ShardToSplit, NewStartingHashKey }));
 * await waitForStreamActive(StreamName);
 * ```
 */
export async function waitForStreamActive(streamName: string, endpoint?: string): Promise<void> {
  const kinesis = localKinesisClient(endpoint);
  try {
    for (;;) {
      const { StreamDescriptionSummary } = await kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: streamName }),
      );
      if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
      await delay(STATUS_POLL_MS);
    }
  } finally {
    kinesis.destroy();
  }
}
