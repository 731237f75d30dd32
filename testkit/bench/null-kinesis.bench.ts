// Throughput of the null Kinesis endpoint: with a raw keep-alive HTTP client (the endpoint's
// own ceiling) and with the SDK (what a benchmark of kinlog will see at most).
import { Agent, request } from 'node:http';
import { PutRecordsCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { awsClientConfig, KinesisLimits } from '@kinlog/core';
import { LocalEnvironmentDefaults } from '@kinlog/local';
import { startNullKinesis } from '../src/null-kinesis-server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const DURATION_MS = 3_000;
const IN_FLIGHT = 8;
const RECORD_BYTES = 256;
const ENTRIES = KinesisLimits.MAX_RECORDS_PER_REQUEST;

const records = Array.from({ length: ENTRIES }, (_, i) => ({
  Data: Buffer.alloc(RECORD_BYTES, 'x'),
  PartitionKey: `key-${i}`,
}));

async function run(name: string, send: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + DURATION_MS;
  let requests = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (Date.now() < deadline) {
        await send();
        requests++;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const perSecond = Math.round((requests * ENTRIES) / seconds);
  console.log(`${name}: ${requests} requests, ${perSecond.toLocaleString('en')} records/s`);
}

const sink = await startNullKinesis();
const body = Buffer.from(
  JSON.stringify({
    StreamName: 'bench',
    Records: records.map((r) => ({
      Data: r.Data.toString('base64'),
      PartitionKey: r.PartitionKey,
    })),
  }),
);
const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
await run(
  'raw HTTP client',
  () =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        `${sink.url}/`,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': 'Kinesis_20131202.PutRecords',
            'content-length': body.length,
          },
        },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end(body);
    }),
);
agent.destroy();

const kinesis = new KinesisClient(
  awsClientConfig({
    endpoint: sink.url,
    region: LocalEnvironmentDefaults.REGION,
    maxSockets: IN_FLIGHT,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  }),
);
await run('SDK client', async () => {
  await kinesis.send(new PutRecordsCommand({ StreamName: 'bench', Records: records }));
});
kinesis.destroy();
console.log(`endpoint counted ${sink.stats().entries.toLocaleString('en')} entries`);
await sink.close();
