/**
 * PutRecords through the lean path (a client of its own) against the SDK path (a client passed
 * in) on the same endpoints: a real local Kinesis (this file also runs in the compatibility lane
 * against the second implementation), the fault proxy in front of it, a network fault server,
 * and a scripted server for error answers no emulator gives. Both paths must store the same
 * records and end in the same errors, retryable or not.
 */
import { createServer, type OutgoingHttpHeaders } from 'node:http';
import { expect } from 'chai';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { awsClientConfig, KinlogError } from '@kinlog/core';
import {
  createTestStream,
  NetworkFaults,
  OutageModes,
  readAllRecords,
  startFaultProxy,
  startNetworkFaultServer,
  ThrottleErrorTypes,
  type FaultPlan,
  type NetworkFault,
} from '@kinlog/testkit';
import { KinesisRequestError } from '../../src/errors.js';
import { LeanPutRecords } from '../../src/sink/lean-put-records.js';
import { putRecordsBody } from '../../src/sink/put-records-body.js';
import { putRecordsPrototype } from '../../src/sink/put-records-prototype.js';
import { PutRecordsClient, type PutEntry } from '../../src/sink/put-records-client.js';

const endpoint = (): string => process.env.AWS_ENDPOINT_URL_KINESIS ?? '';
const REQUEST_TIMEOUT_MS = 1_500;

const ENTRIES: PutEntry[] = [
  { data: Buffer.from('{"level":"error","msg":"caf\u00e9"}'), partitionKey: 'user "42"' },
  { data: Buffer.from([0, 1, 2, 253, 254, 255]), partitionKey: 'k\u00e9y' },
  { data: Buffer.from('x'.repeat(2000)), partitionKey: 'p' },
];

/** How one send ended, in the terms the sink acts on. */
type Outcome =
  { results: string[] } | { error: string; code: string; retryable: boolean; awsCode?: string };

async function outcomeOf(client: PutRecordsClient, entries = ENTRIES): Promise<Outcome> {
  try {
    const results = await client.send(entries);
    return { results: results.map((r) => (r.ok ? 'ok' : r.errorCode)) };
  } catch (err) {
    if (!(err instanceof KinlogError)) throw err;
    const outcome = { error: err.constructor.name, code: err.code, retryable: err.retryable };
    return err instanceof KinesisRequestError ? { ...outcome, awsCode: err.awsCode } : outcome;
  } finally {
    client.destroy();
  }
}

/** The lean path and the SDK path to `url`, each sending once: [lean, sdk]. */
async function bothWays(url: string, streamName = 'app-logs'): Promise<[Outcome, Outcome]> {
  const lean = new PutRecordsClient({
    streamName,
    endpoint: url,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
  const leanOutcome = await outcomeOf(lean);
  expect(lean.sendsLean, 'the lean path was used').to.equal(true);
  const sdk = new PutRecordsClient({
    streamName,
    client: new KinesisClient(
      awsClientConfig({ endpoint: url, requestTimeoutMs: REQUEST_TIMEOUT_MS }),
    ),
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
  const sdkOutcome = await outcomeOf(sdk);
  expect(sdk.sendsLean).to.equal(false);
  return [leanOutcome, sdkOutcome];
}

/** One scripted HTTP answer. */
interface Scripted {
  status: number;
  headers?: OutgoingHttpHeaders;
  body: string;
}

async function withScriptedServer<T>(
  answer: Scripted,
  use: (url: string) => Promise<T>,
): Promise<T> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(answer.status, {
        'content-type': 'application/x-amz-json-1.1',
        ...answer.headers,
      });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    return await use(`http://127.0.0.1:${port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('PutRecordsClient lean path', function () {
  this.timeout(60_000);

  it('stores exactly what the SDK path stores, and reads where each entry went', async () => {
    const streamName = await createTestStream(2);
    const lean = new PutRecordsClient({ streamName, endpoint: endpoint() });
    const sdkClient = new KinesisClient(awsClientConfig({ endpoint: endpoint() }));
    const sdk = new PutRecordsClient({ streamName, client: sdkClient });
    try {
      const withHashKey = ENTRIES.map((e, i) => (i === 2 ? { ...e, explicitHashKey: '1' } : e));
      const first = await lean.send(withHashKey);
      const again = await lean.send(ENTRIES);
      expect(lean.sendsLean).to.equal(true);
      await sdk.send(withHashKey);
      expect(sdk.sendsLean).to.equal(false);
      const stored = await readAllRecords({ streamName, endpoint: endpoint() });
      const bySequence = new Map(stored.map((r) => [r.sequenceNumber, r]));
      for (const [i, r] of [...first, ...again].entries()) {
        expect(r.ok).to.equal(true);
        const record = r.ok ? bySequence.get(r.sequenceNumber) : undefined;
        expect(record?.data).to.deep.equal(ENTRIES[i % ENTRIES.length]!.data);
        expect(record?.partitionKey).to.equal(ENTRIES[i % ENTRIES.length]!.partitionKey);
        expect(record?.shardId).to.equal(r.ok ? r.shardId : '');
      }
      expect(stored).to.have.length(ENTRIES.length * 3);
    } finally {
      lean.destroy();
      sdk.destroy();
      sdkClient.destroy();
    }
  });

  it('reports a missing stream as the SDK path does', async () => {
    const [lean, sdk] = await bothWays(endpoint(), 'no-such-stream-here');
    expect(lean).to.deep.equal(sdk);
    expect(lean).to.include({ error: 'StreamNotFoundError', retryable: false });
  });

  const answers: { name: string; answer: Scripted; expected: Partial<Outcome> }[] = [
    {
      name: 'throttling, named in the body and the header',
      answer: {
        status: 400,
        headers: {
          'x-amzn-errortype':
            'ProvisionedThroughputExceededException:http://internal.amazon.com/coral/com.amazonaws.kinesis/',
        },
        body: '{"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded for shard"}',
      },
      expected: { retryable: true, awsCode: 'ProvisionedThroughputExceededException' },
    },
    {
      name: 'a namespaced limit error',
      answer: {
        status: 400,
        body: '{"__type":"Kinesis_20131202#LimitExceededException","message":"x"}',
      },
      expected: { retryable: true, awsCode: 'LimitExceededException' },
    },
    {
      name: 'access denied',
      answer: { status: 400, body: '{"__type":"AccessDeniedException","Message":"not allowed"}' },
      expected: { error: 'KinesisAccessError', retryable: false },
    },
    {
      name: 'a 403 named only in the header, no body',
      answer: {
        status: 403,
        headers: { 'x-amzn-errortype': 'UnrecognizedClientException' },
        body: '',
      },
      expected: { error: 'KinesisAccessError', retryable: false },
    },
    {
      name: 'an expired token',
      answer: { status: 400, body: '{"__type":"ExpiredTokenException","message":"expired"}' },
      expected: { error: 'KinesisAccessError', retryable: false },
    },
    {
      name: 'a bad argument',
      answer: { status: 400, body: '{"__type":"InvalidArgumentException","message":"too big"}' },
      expected: { retryable: false, awsCode: 'InvalidArgumentException' },
    },
    {
      name: 'an unknown 4xx code',
      answer: { status: 400, body: '{"code":"SomethingNewException","message":"new"}' },
      expected: { retryable: false, awsCode: 'SomethingNewException' },
    },
    {
      name: 'an internal failure',
      answer: { status: 500, body: '{"__type":"InternalFailure"}' },
      expected: { retryable: true, awsCode: 'InternalFailure' },
    },
    {
      name: 'a 503 in plain text',
      answer: {
        status: 503,
        headers: { 'content-type': 'text/plain' },
        body: 'Service Unavailable',
      },
      expected: { retryable: true },
    },
    {
      name: 'a 502 page from a proxy',
      answer: {
        status: 502,
        headers: { 'content-type': 'text/html' },
        body: '<html>Bad Gateway</html>',
      },
      expected: { retryable: true },
    },
    {
      name: 'a 429 without a body',
      answer: { status: 429, body: '' },
      expected: { retryable: true },
    },
    {
      name: 'a 413 in plain text',
      answer: { status: 413, body: 'Request Entity Too Large' },
      expected: { retryable: false },
    },
    {
      name: 'an empty 500',
      answer: { status: 500, body: '{}' },
      expected: { retryable: true },
    },
    {
      name: 'a redirect',
      answer: { status: 301, headers: { location: 'http://elsewhere/' }, body: '' },
      expected: { retryable: true },
    },
    {
      name: 'a 200 that is not JSON',
      answer: { status: 200, body: 'hello' },
      expected: { retryable: true },
    },
    {
      name: 'a 200 without entries',
      answer: { status: 200, body: '{"FailedRecordCount":0}' },
      expected: { retryable: true, awsCode: 'InvalidResponse' },
    },
    {
      name: 'a 200 with null error members and a failed entry',
      answer: {
        status: 200,
        body:
          '{"FailedRecordCount":1,"Records":[{"ErrorCode":null,"SequenceNumber":"1","ShardId":"s"},' +
          '{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"slow"},{"SequenceNumber":"2","ShardId":"s"}]}',
      },
      expected: { results: ['ok', 'ProvisionedThroughputExceededException', 'ok'] },
    },
  ];
  for (const { name, answer, expected } of answers) {
    it(`ends as the SDK path does on ${name}`, async () => {
      const [lean, sdk] = await withScriptedServer(answer, (url) => bothWays(url));
      expect(lean).to.deep.equal(sdk);
      expect(lean).to.deep.include(expected);
    });
  }

  const faults: { fault: NetworkFault; expected: Partial<Outcome> }[] = [
    {
      fault: NetworkFaults.silent,
      expected: { error: 'KinesisUnreachableError', retryable: true },
    },
    { fault: NetworkFaults.slow, expected: { error: 'KinesisUnreachableError', retryable: true } },
    {
      fault: NetworkFaults.resetAfterHeaders,
      expected: { error: 'KinesisUnreachableError', retryable: true },
    },
    {
      fault: NetworkFaults.garbage,
      expected: { error: 'KinesisUnreachableError', retryable: true },
    },
    { fault: NetworkFaults.throttle, expected: { error: 'KinesisRequestError', retryable: true } },
  ];
  for (const { fault, expected } of faults) {
    it(`ends as the SDK path does on a network fault: ${fault}`, async () => {
      const server = await startNetworkFaultServer({ plan: fault, slowByteMs: 200 });
      try {
        const [lean, sdk] = await bothWays(server.url);
        expect(lean).to.deep.equal(sdk);
        expect(lean).to.include(expected);
        expect(server.received[fault]).to.equal(2);
      } finally {
        await server.close();
      }
    });
  }

  it('ends as the SDK path does when nothing listens', async () => {
    const server = await startNetworkFaultServer({ plan: NetworkFaults.silent });
    const url = server.url;
    await server.close();
    const [lean, sdk] = await bothWays(url);
    expect(lean).to.deep.equal(sdk);
    expect(lean).to.include({ error: 'KinesisUnreachableError', retryable: true });
  });

  const proxyFaults: {
    name: string;
    plan: FaultPlan;
    outage?: boolean;
    expected: Partial<Outcome>;
  }[] = [
    {
      name: 'throttled requests',
      plan: { throttleRate: 1, throttleErrorTypes: [ThrottleErrorTypes.LIMIT_EXCEEDED] },
      expected: { retryable: true, awsCode: 'LimitExceededException' },
    },
    {
      name: 'internal failures',
      plan: { requestErrorRate: 1 },
      expected: { retryable: true, awsCode: 'InternalFailure' },
    },
    {
      name: 'reset connections',
      plan: { resetRate: 1 },
      expected: { error: 'KinesisUnreachableError', retryable: true },
    },
    {
      name: 'answers lost to a reset',
      plan: { lostResponseRate: 1 },
      expected: { error: 'KinesisUnreachableError', retryable: true },
    },
    {
      name: 'an outage',
      plan: { outageMs: 60_000, outageMode: OutageModes.UNAVAILABLE },
      expected: { retryable: true },
    },
    {
      name: 'failed entries',
      plan: { entryFailureRate: 1, entryErrorCodes: ['InternalFailure'] },
      expected: { results: ['InternalFailure', 'InternalFailure', 'InternalFailure'] },
    },
  ];
  for (const { name, plan, expected } of proxyFaults) {
    it(`ends as the SDK path does behind the fault proxy: ${name}`, async () => {
      const streamName = await createTestStream(1);
      const proxy = await startFaultProxy({ upstream: endpoint(), faults: plan });
      try {
        const [lean, sdk] = await bothWays(proxy.url, streamName);
        expect(lean).to.deep.equal(sdk);
        expect(lean).to.deep.include(expected);
      } finally {
        await proxy.close();
      }
    });
  }

  it('gives a body back once its request is answered and the body written whole', async () => {
    const answer: Scripted = {
      status: 200,
      body: '{"FailedRecordCount":0,"Records":[{"SequenceNumber":"1","ShardId":"shardId-0"}]}',
    };
    await withScriptedServer(answer, async (url) => {
      const client = new KinesisClient(awsClientConfig({ endpoint: url }));
      const lean = new LeanPutRecords({
        prototype: (await putRecordsPrototype(client, 'app-logs'))!,
        credentials: () => client.config.credentials(),
      });
      try {
        let calls = 0;
        const freed = new Promise<void>((resolve) => {
          const body = putRecordsBody('app-logs', [ENTRIES[0]!]);
          void lean.send(body, undefined, () => {
            calls++;
            resolve();
          });
        });
        await freed;
        await new Promise((resolve) => setImmediate(resolve));
        expect(calls).to.equal(1);
      } finally {
        lean.destroy();
        client.destroy();
      }
    });
  });

  it('never gives back a body whose request ended while it was still being written', async () => {
    let arrived: () => void = () => undefined;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    // Reads nothing: a body larger than the socket buffers cannot be written whole.
    const server = createServer((req) => {
      req.pause();
      arrived();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const client = new KinesisClient(awsClientConfig({ endpoint: `http://127.0.0.1:${port}` }));
    const lean = new LeanPutRecords({
      prototype: (await putRecordsPrototype(client, 'app-logs'))!,
      credentials: () => client.config.credentials(),
    });
    try {
      const body = putRecordsBody('app-logs', [
        { data: Buffer.alloc(48 * 1024 * 1024, 7), partitionKey: 'p' },
      ]);
      const controller = new AbortController();
      let freed = 0;
      const sent = lean.send(body, controller.signal, () => freed++);
      await requestArrived;
      controller.abort(new Error('deadline'));
      const failed = await sent.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failed).to.have.property('message', 'deadline');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(freed).to.equal(0);
    } finally {
      lean.destroy();
      client.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('takes the server clock when ours is off by more than signatures tolerate, as the SDK does', async () => {
    const nowMs = Date.parse('2026-05-01T10:00:00Z');
    const serverDate = new Date(nowMs + 3_600_000).toUTCString();
    const answer: Scripted = {
      status: 400,
      headers: { date: serverDate },
      body: '{"__type":"InvalidSignatureException","message":"Signature expired"}',
    };
    await withScriptedServer(answer, async (url) => {
      const client = new KinesisClient(awsClientConfig({ endpoint: url }));
      let offsetMs = 0;
      const lean = new LeanPutRecords({
        prototype: (await putRecordsPrototype(client, 'app-logs'))!,
        credentials: () => client.config.credentials(),
        now: () => nowMs,
        clockOffset: { get: () => offsetMs, set: (ms) => (offsetMs = ms) },
      });
      try {
        const body = putRecordsBody('app-logs', ENTRIES);
        expect((await lean.sign(body)).headers['x-amz-date']).to.equal('20260501T100000Z');
        const failed = await lean.send(body).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(failed).to.have.property('name', 'InvalidSignatureException');
        expect(offsetMs).to.equal(3_600_000);
        expect((await lean.sign(body)).headers['x-amz-date']).to.equal('20260501T110000Z');
      } finally {
        lean.destroy();
        client.destroy();
      }
    });
  });
});
