/**
 * A DynamoDB table scan under network faults: pages retried through throttling, a silent
 * endpoint given up within the retry budget, a stop that ends the call at once.
 */
import {
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { awsClientConfig } from '@kinlog/core';
import { startNetworkFaultServer, NetworkFaults, type NetworkFaultServer } from '@kinlog/testkit';
import { scanDynamoTable } from '../../src/dynamo/scan-dynamo-table.js';
import { DynamoScanError } from '../../src/errors.js';

const REQUEST_TIMEOUT_MS = 400;

async function all(items: AsyncIterable<Record<string, unknown>>): Promise<unknown[]> {
  const out = [];
  for await (const item of items) out.push(item);
  return out;
}

async function rejection(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('scanDynamoTable under network faults', function () {
  this.timeout(60_000);
  let server: NetworkFaultServer | undefined;
  const table = `scan-faults-${process.pid}-${Date.now().toString(36)}`;

  before(async () => {
    const client = new DynamoDBClient(awsClientConfig());
    try {
      await client.send(
        new CreateTableCommand({
          TableName: table,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        }),
      );
      await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: table });
      for (const id of ['a', 'b'])
        await client.send(new PutItemCommand({ TableName: table, Item: { id: { S: id } } }));
    } finally {
      client.destroy();
    }
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('retries a throttled page and reads every item', async () => {
    server = await startNetworkFaultServer({
      plan: (n) => (n < 2 ? NetworkFaults.throttle : NetworkFaults.forward),
      upstream: process.env.AWS_ENDPOINT_URL_DYNAMODB ?? '',
    });
    const items = await all(scanDynamoTable(table, { endpoint: server.url }));
    expect(items).to.have.deep.members([{ id: 'a' }, { id: 'b' }]);
    expect(server.received.throttle).to.equal(2);
  });

  it('gives up on a silent endpoint within its budget with a retryable error', async () => {
    server = await startNetworkFaultServer({ plan: NetworkFaults.silent });
    const err = await rejection(
      all(scanDynamoTable(table, { endpoint: server.url, requestTimeoutMs: REQUEST_TIMEOUT_MS })),
    );
    expect(err, String(err)).to.be.instanceOf(DynamoScanError);
    expect((err as DynamoScanError).retryable).to.equal(true);
    expect(server.received.silent).to.be.within(2, 4);
  });

  it('a stop ends the scan at once, as an abort', async () => {
    server = await startNetworkFaultServer({ plan: NetworkFaults.silent });
    const controller = new AbortController();
    const scan = rejection(
      all(scanDynamoTable(table, { endpoint: server.url, signal: controller.signal })),
    );
    setTimeout(() => controller.abort(), 100);
    expect(((await scan) as Error).name).to.equal('AbortError');
    expect(server.received.silent).to.be.at.most(1);
  });
});
