import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
} from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { awsClientConfig, ensureStream } from '@kinlog/core';
import {
  LocalEnvironmentDefaults,
  LocalServicesError,
  startLocalServices,
  type KinesisImplementation,
  type LocalServices,
} from '@kinlog/local';
import { isProcessAlive, survivorsAfter } from '../../src/process-tree.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
/** Local services take any region; clients still need one (kinlog has no default). */
const region = LocalEnvironmentDefaults.REGION;
const ORPHAN_DEADLINE_MS = 5_000;

async function putAndGetRecord(endpoint: string): Promise<string> {
  const kinesis = new KinesisClient(awsClientConfig({ endpoint, region, credentials }));
  try {
    await ensureStream(kinesis, 'local-services-test', 1);
    await kinesis.send(
      new PutRecordCommand({
        StreamName: 'local-services-test',
        PartitionKey: 'pk',
        Data: Buffer.from('hello kinesis'),
      }),
    );
    const shards = await kinesis.send(new ListShardsCommand({ StreamName: 'local-services-test' }));
    const iterator = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: 'local-services-test',
        ShardId: shards.Shards?.[0]?.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const records = await kinesis.send(
      new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }),
    );
    return Buffer.from(records.Records?.[0]?.Data ?? []).toString('utf8');
  } finally {
    kinesis.destroy();
  }
}

async function putAndGetItem(endpoint: string): Promise<string | undefined> {
  const dynamodb = new DynamoDBClient(awsClientConfig({ endpoint, region, credentials }));
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'local-services-test',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    for (;;) {
      const table = await dynamodb.send(
        new DescribeTableCommand({ TableName: 'local-services-test' }),
      );
      if (table.Table?.TableStatus === 'ACTIVE') break;
      await delay(20);
    }
    await dynamodb.send(
      new PutItemCommand({
        TableName: 'local-services-test',
        Item: { id: { S: 'a' }, value: { S: 'hello dynamodb' } },
      }),
    );
    const item = await dynamodb.send(
      new GetItemCommand({ TableName: 'local-services-test', Key: { id: { S: 'a' } } }),
    );
    return item.Item?.value?.S;
  } finally {
    dynamodb.destroy();
  }
}

async function killedParentLeavesNoOrphan(kinesis: KinesisImplementation): Promise<void> {
  const holderPath = fileURLToPath(new URL('./fixtures/local-services-holder.js', import.meta.url));
  const holder = spawn(process.execPath, [holderPath, kinesis], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(holder, 'exit');
  const [line] = (await once(createInterface({ input: holder.stdout }), 'line')) as [string];
  const { pids } = JSON.parse(line) as { pids: number[] };
  expect(pids.length).to.be.greaterThan(1);
  expect(pids.every(isProcessAlive)).to.equal(true);

  holder.kill('SIGKILL');
  await exited;
  expect(await survivorsAfter(pids, ORPHAN_DEADLINE_MS)).to.deep.equal([]);
}

describe('startLocalServices (kinesalite + dynalite)', function () {
  // Starts servers or processes: more than the unit-test default.
  this.timeout(60_000);
  let services: LocalServices;

  before(async function () {
    services = await startLocalServices();
  });

  after(async function () {
    await services.stop();
  });

  it('serves Kinesis: create a stream, put and get a record', async function () {
    expect(services.kinesisEndpoint).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await putAndGetRecord(services.kinesisEndpoint!)).to.equal('hello kinesis');
  });

  it('serves DynamoDB: create a table, put and get an item', async function () {
    expect(services.dynamodbEndpoint).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await putAndGetItem(services.dynamodbEndpoint!)).to.equal('hello dynamodb');
  });

  it('ensureStream tolerates an existing stream and concurrent creation', async function () {
    const kinesis = new KinesisClient(
      awsClientConfig({ endpoint: services.kinesisEndpoint!, region, credentials }),
    );
    try {
      await Promise.all([1, 2, 3].map(() => ensureStream(kinesis, 'ensured-twice', 2)));
      await ensureStream(kinesis, 'ensured-twice', 5);
      const shards = await kinesis.send(new ListShardsCommand({ StreamName: 'ensured-twice' }));
      expect(shards.Shards).to.have.length(2);
    } finally {
      kinesis.destroy();
    }
  });
});

describe('startLocalServices lifecycle', function () {
  // Starts servers or processes: more than the unit-test default.
  this.timeout(60_000);
  it('stop() ends every process it started and can be called again', async function () {
    const services = await startLocalServices();
    expect(services.pids).to.have.length(1);
    expect(services.pids.every(isProcessAlive)).to.equal(true);
    await Promise.all([services.stop(), services.stop()]);
    await services.stop();
    await services.closed;
    expect(services.pids.filter(isProcessAlive)).to.deep.equal([]);
  });

  it('leaves no orphan when its parent is killed with SIGKILL', async function () {
    await killedParentLeavesNoOrphan('kinesalite');
  });

  it('starts only what is asked for', async function () {
    const services = await startLocalServices({ kinesis: false, dynamodb: true });
    try {
      expect(services.kinesisEndpoint).to.equal(undefined);
      expect(services.dynamodbEndpoint).to.be.a('string');
    } finally {
      await services.stop();
    }
  });

  it('reports a port in use as LocalServicesError PORT_IN_USE', async function () {
    const blocker: Server = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as AddressInfo;
    try {
      const error = await startLocalServices({ dynamodbPort: port }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).to.be.instanceOf(LocalServicesError);
      expect(error).to.include({ reason: 'PORT_IN_USE' });
      expect((error as Error).message).to.contain(String(port));
    } finally {
      blocker.close();
    }
  });
});

describe('startLocalServices (kinesis-local)', function () {
  // Starts servers or processes: more than the unit-test default.
  this.timeout(60_000);
  it('serves Kinesis, stops cleanly, and leaves no orphan when its parent is killed', async function () {
    const services = await startLocalServices({ kinesis: 'kinesis-local', dynamodb: false });
    try {
      expect(services.pids).to.have.length(2);
      expect(await putAndGetRecord(services.kinesisEndpoint!)).to.equal('hello kinesis');
    } finally {
      await services.stop();
    }
    expect(services.pids.filter(isProcessAlive)).to.deep.equal([]);
    await killedParentLeavesNoOrphan('kinesis-local');
  });
});
