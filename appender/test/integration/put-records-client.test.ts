/**
 * The PutRecords request body kinlog writes itself, against a real local Kinesis (this file also
 * runs in the compatibility lane against the second implementation): the same JSON the SDK
 * would send, stored exactly, and the SDK's own serializer taken over when the request is not
 * the one expected.
 */
import { expect } from 'chai';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { awsClientConfig } from '@kinlog/core';
import { createTestStream, readAllRecords } from '@kinlog/testkit';
import { PutRecordsClient } from '../../src/sink/put-records-client.js';
import { signatureMatches, type SignedRequest } from '../support/sigv4.js';

const endpoint = (): string => process.env.AWS_ENDPOINT_URL_KINESIS ?? '';

interface Sent {
  headers: Record<string, string>;
  body: string;
}

/** A request body as text, read through its bytes (the SDK's own bodies warn on string methods). */
function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  const bytes = body as Uint8Array;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** A client that keeps each request as it leaves (after the build step, before signing). */
function capturingClient(sent: Sent[]): KinesisClient {
  const client = new KinesisClient(awsClientConfig({ endpoint: endpoint() }));
  client.middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers: Record<string, string>; body: unknown };
      sent.push({ headers: { ...request.headers }, body: bodyText(request.body) });
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'high', name: 'captureRequest' },
  );
  return client;
}

const ENTRIES = [
  { data: Buffer.from('{"level":"error","msg":"caf\u00e9 \u{1f4a5}"}'), partitionKey: 'user "42"' },
  { data: Buffer.from([0, 1, 2, 253, 254, 255]), partitionKey: 'k\u00e9y' },
  { data: Buffer.from('x'.repeat(1000)), partitionKey: 'p' },
];

describe('PutRecordsClient request bodies', function () {
  this.timeout(30_000);

  it('sends the JSON the SDK would send, and Kinesis stores exactly the data', async () => {
    const streamName = await createTestStream(1);
    const sent: Sent[] = [];
    const client = capturingClient(sent);
    try {
      const ours = new PutRecordsClient({ streamName, client });
      const results = await ours.send(ENTRIES);
      expect(results.every((r) => r.ok)).to.equal(true);
      expect(ours.writesOwnBodies).to.equal(true);
      await client.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: ENTRIES.map((e) => ({ Data: e.data, PartitionKey: e.partitionKey })),
        }),
      );
      const [own, sdk] = sent;
      expect(JSON.parse(own!.body)).to.deep.equal(JSON.parse(sdk!.body));
      expect(Number(own!.headers['content-length'])).to.equal(Buffer.byteLength(own!.body));
      const stored = await readAllRecords({ streamName, endpoint: endpoint() });
      expect(stored.map((r) => [r.data, r.partitionKey])).to.deep.equal(
        [...ENTRIES, ...ENTRIES].map((e) => [e.data, e.partitionKey]),
      );
      // The answer, read by us rather than the SDK, names where each entry went.
      expect(results.map((r) => (r.ok ? [r.shardId, r.sequenceNumber] : r))).to.deep.equal(
        stored.slice(0, ENTRIES.length).map((r) => [r.shardId, r.sequenceNumber]),
      );
    } finally {
      client.destroy();
    }
  });

  it('signs the body it carries: the signature checks out against the bytes sent', async () => {
    const streamName = await createTestStream(1);
    const client = new KinesisClient(awsClientConfig({ endpoint: endpoint() }));
    const signed: SignedRequest[] = [];
    // The deserialize step sees the request after every build and finalize middleware: signed.
    client.middlewareStack.add(
      (next) => (args) => {
        signed.push(args.request as SignedRequest);
        return next(args);
      },
      { step: 'deserialize', priority: 'high', name: 'captureSigned' },
    );
    try {
      await new PutRecordsClient({ streamName, client }).send(ENTRIES);
      await client.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: ENTRIES.map((e) => ({ Data: e.data, PartitionKey: e.partitionKey })),
        }),
      );
      const secret = process.env.AWS_SECRET_ACCESS_KEY ?? '';
      // The SDK's own request checks the checker; ours must pass it the same way.
      expect(signed.map((r) => signatureMatches(r, secret))).to.deep.equal([true, true]);
      expect(signatureMatches({ ...signed[0]!, body: Buffer.from('{}') }, secret)).to.equal(false);
    } finally {
      client.destroy();
    }
  });

  it('falls back to the SDK serializer for good when the request is not awsJson PutRecords', async () => {
    const streamName = await createTestStream(1);
    const client = new KinesisClient(awsClientConfig({ endpoint: endpoint() }));
    // As an SDK speaking another protocol would: the first request's content type changes.
    let altered = 0;
    client.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { headers: Record<string, string> };
        if (altered++ === 0) request.headers['content-type'] = 'application/cbor';
        return next(args);
      },
      { step: 'build', priority: 'high', name: 'otherProtocol', override: true },
    );
    try {
      const ours = new PutRecordsClient({ streamName, client });
      const results = await ours.send(ENTRIES);
      expect(results.every((r) => r.ok)).to.equal(true);
      expect(ours.writesOwnBodies).to.equal(false);
      const stored = await readAllRecords({ streamName, endpoint: endpoint() });
      expect(stored.map((r) => r.data)).to.deep.equal(ENTRIES.map((e) => e.data));
    } finally {
      client.destroy();
    }
  });
});
