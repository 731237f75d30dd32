import { ensureStream } from '@kinlog/core';
import { localKinesisClient } from './stream-reader.js';

let streamsCreated = 0;

/**
 * Creates a stream with a name no other test uses, on the fixture's Kinesis
 * (`AWS_ENDPOINT_URL_KINESIS`), and resolves once it is ACTIVE.
 *
 * @example
 * ```ts
 * const streamName = await createTestStream(2);
 * ```
 */
export async function createTestStream(shardCount = 1, endpoint?: string): Promise<string> {
  streamsCreated += 1;
  const streamName = `test-${process.pid}-${Date.now().toString(36)}-${streamsCreated}`;
  const kinesis = localKinesisClient(endpoint);
  try {
    await ensureStream(kinesis, streamName, shardCount);
    return streamName;
  } finally {
    kinesis.destroy();
  }
}
