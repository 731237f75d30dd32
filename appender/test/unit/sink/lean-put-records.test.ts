/**
 * The lean PutRecords request against the SDK's for the same input: with the clock and the
 * credentials fixed, the same headers (signature included) and the same bytes. Nothing is sent:
 * each request is taken just before the SDK's HTTP handler.
 */
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { awsClientConfig, CredentialCache, type AwsCredentials } from '@kinlog/core';
import { LeanPutRecords } from '../../../src/sink/lean-put-records.js';
import { cborPutRecordsBody } from '../../../src/sink/cbor-put-records-body.js';
import { putRecordsBody } from '../../../src/sink/put-records-body.js';
import { signatureMatches } from '../../support/sigv4.js';
import { PutRecordsClient, type PutEntry } from '../../../src/sink/put-records-client.js';
import { prototypeOf, putRecordsPrototype } from '../../../src/sink/put-records-prototype.js';

/** A signed request as the SDK's HTTP handler would get it. */
interface Taken {
  hostname: string;
  port: number | undefined;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

class Taken_ extends Error {
  constructor(readonly taken: Taken) {
    super('taken');
  }
}

const STATIC = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const WITH_TOKEN = { ...STATIC, sessionToken: 'FwoGZXIvYXdzEXAMPLE//token+/=' };

/**
 * An SDK client whose PutRecords requests end, signed, in a thrown {@link Taken_} instead of the
 * network (the empty one the prototype is taken from goes on to the prototype's own capture).
 */
function takingClient(config: Partial<KinesisClientConfig>): KinesisClient {
  const client = new KinesisClient({ ...awsClientConfig(), ...config });
  client.middlewareStack.add(
    (next) => (args) => {
      const r = args.request as Taken & { body: Uint8Array };
      const bytes = Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength);
      const sent = JSON.parse(bytes.toString()) as { Records: unknown[] };
      if (sent.Records.length === 0) return next(args);
      throw new Taken_({
        hostname: r.hostname,
        port: r.port,
        path: r.path,
        headers: { ...r.headers },
        body: Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength),
      });
    },
    { step: 'deserialize', priority: 'low', name: 'takeRequest' },
  );
  return client;
}

/** The request the SDK path (an injected client) sends for `entries`. */
async function sdkRequest(client: KinesisClient, entries: PutEntry[]): Promise<Taken> {
  try {
    await new PutRecordsClient({ streamName: 'app-logs', client }).send(entries);
  } catch (err) {
    const taken = (err as { cause?: unknown }).cause;
    if (taken instanceof Taken_) return taken.taken;
    throw err;
  }
  throw new Error('the SDK request was sent');
}

/** The lean request for `entries`, at the SDK request's date, with its invocation id. */
async function leanRequest(client: KinesisClient, entries: PutEntry[], sdk: Taken): Promise<Taken> {
  const prototype = await putRecordsPrototype(client, 'app-logs');
  expect(prototype, 'a prototype').to.not.equal(undefined);
  const date = sdk.headers['x-amz-date']!;
  const lean = new LeanPutRecords({
    prototype: prototype!,
    credentials: () => client.config.credentials(),
    now: () =>
      Date.parse(
        `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`,
      ),
    invocationId: () => sdk.headers['amz-sdk-invocation-id']!,
  });
  try {
    const signed = await lean.sign(putRecordsBody('app-logs', entries));
    return {
      hostname: prototype!.hostname,
      port: prototype!.port,
      path: prototype!.path,
      headers: signed.headers,
      body: signed.body,
    };
  } finally {
    lean.destroy();
  }
}

const ENTRIES: PutEntry[] = [
  { data: Buffer.from('{"level":"error","msg":"caf\u00e9 \u{1f4a5}"}'), partitionKey: 'user "42"' },
  { data: Buffer.from([0, 1, 2, 253, 254, 255]), partitionKey: 'k\u00e9y\\/\u2028' },
  { data: new Uint8Array(0), partitionKey: ' ' },
  {
    data: Buffer.alloc(3000, 0x61),
    partitionKey: 'p',
    explicitHashKey: '340282366920938463463374607431768211455',
  },
];

describe('LeanPutRecords against the SDK', () => {
  // Endpoints come from each case's config alone, not from a local Kinesis a test run set up.
  const ENDPOINT_VARIABLES = ['AWS_ENDPOINT_URL_KINESIS', 'AWS_ENDPOINT_URL'] as const;
  const saved = new Map<string, string | undefined>();
  before(() => {
    for (const name of ENDPOINT_VARIABLES) {
      saved.set(name, process.env[name]);
      delete process.env[name];
    }
  });
  after(() => {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  });

  const cases: { name: string; config: Partial<KinesisClientConfig> }[] = [
    {
      name: 'a region, temporary credentials',
      config: { region: 'eu-west-1', credentials: WITH_TOKEN },
    },
    {
      name: 'long-term keys, a custom endpoint with a port and a path',
      config: {
        region: 'us-east-1',
        credentials: STATIC,
        endpoint: 'http://127.0.0.1:4567/kinesis/',
      },
    },
    {
      name: 'FIPS and dual-stack endpoints',
      config: {
        region: 'us-gov-west-1',
        credentials: WITH_TOKEN,
        useFipsEndpoint: true,
        useDualstackEndpoint: true,
      },
    },
  ];
  for (const { name, config } of cases) {
    it(`signs the same request, header for header and byte for byte: ${name}`, async () => {
      const client = takingClient(config);
      try {
        for (const entries of [ENTRIES, ENTRIES.slice(0, 1), ENTRIES.slice(2)]) {
          const sdk = await sdkRequest(client, entries);
          const lean = await leanRequest(client, entries, sdk);
          expect(lean.headers).to.deep.equal(sdk.headers);
          expect(lean.body.equals(sdk.body)).to.equal(true);
          expect([lean.hostname, lean.port, lean.path]).to.deep.equal([
            sdk.hostname,
            sdk.port,
            sdk.path,
          ]);
          expect(sdk.headers['authorization']).to.match(/^AWS4-HMAC-SHA256 Credential=/);
        }
      } finally {
        client.destroy();
      }
    });
  }

  it('signs a CBOR body as the SDK request but for its Content-Type and length', async () => {
    const client = takingClient({ region: 'eu-west-1', credentials: WITH_TOKEN });
    const prototype = await putRecordsPrototype(client, 'app-logs');
    const lean = new LeanPutRecords({
      prototype: prototype!,
      credentials: () => client.config.credentials(),
      wireProtocol: 'cbor',
    });
    try {
      const body = cborPutRecordsBody('app-logs', ENTRIES);
      const signed = await lean.sign(body);
      const sdk = await sdkRequest(client, ENTRIES);
      expect(signed.headers['content-type']).to.equal('application/x-amz-cbor-1.1');
      expect(signed.headers['content-length']).to.equal(String(body.length));
      expect(signed.headers['x-amz-content-sha256']).to.equal(
        createHash('sha256').update(body).digest('hex'),
      );
      const perRequest = [
        'content-type',
        'content-length',
        'authorization',
        'x-amz-date',
        'amz-sdk-invocation-id',
        'x-amz-content-sha256',
      ];
      const same = (h: Record<string, string>): string[] =>
        Object.keys(h)
          .filter((name) => !perRequest.includes(name))
          .sort()
          .map((name) => `${name}: ${h[name]}`);
      expect(same(signed.headers)).to.deep.equal(same(sdk.headers));
      // The signature covers the CBOR Content-Type and the body's bytes.
      expect(signed.headers['authorization']).to.match(/SignedHeaders=[^,]*content-type/);
      const request = { method: 'POST', path: prototype!.path, headers: signed.headers, body };
      expect(signatureMatches(request, WITH_TOKEN.secretAccessKey)).to.equal(true);
      expect(
        signatureMatches(
          { ...request, body: putRecordsBody('app-logs', ENTRIES) },
          WITH_TOKEN.secretAccessKey,
        ),
      ).to.equal(false);
    } finally {
      lean.destroy();
      client.destroy();
    }
  });

  it('resolves the FIPS dual-stack endpoint as the SDK does', async () => {
    const client = takingClient(cases[2]!.config);
    try {
      const prototype = await putRecordsPrototype(client, 'app-logs');
      expect(prototype?.hostname).to.equal('kinesis-fips.us-gov-west-1.api.aws');
      expect(prototype?.signingRegion).to.equal('us-gov-west-1');
      expect(prototype?.signingService).to.equal('kinesis');
    } finally {
      client.destroy();
    }
  });

  it('asks the provider again once its credentials come near their expiration', async () => {
    let nowMs = Date.parse('2026-05-01T10:00:00Z');
    let asked = 0;
    const provider = (): Promise<AwsCredentials> => {
      asked++;
      return Promise.resolve({
        accessKeyId: `AKID${asked}`,
        secretAccessKey: 'secret',
        sessionToken: `token${asked}`,
        expiration: new Date(nowMs + 15 * 60_000),
      });
    };
    const client = takingClient({ region: 'eu-west-1', credentials: STATIC });
    const prototype = await putRecordsPrototype(client, 'app-logs');
    client.destroy();
    const cache = new CredentialCache({ provider, now: () => nowMs });
    const lean = new LeanPutRecords({
      prototype: prototype!,
      credentials: () => cache.get(),
      now: () => nowMs,
    });
    try {
      const body = putRecordsBody('app-logs', ENTRIES);
      const first = await lean.sign(body);
      nowMs += 9 * 60_000; // 6 minutes left: still good
      const second = await lean.sign(body);
      nowMs += 2 * 60_000; // 4 minutes left: within the refresh margin
      const third = await lean.sign(body);
      expect(asked).to.equal(2);
      expect([first, second, third].map((r) => r.headers['x-amz-security-token'])).to.deep.equal([
        'token1',
        'token1',
        'token2',
      ]);
      expect(third.headers['authorization']).to.contain('Credential=AKID2/20260501/');
    } finally {
      lean.destroy();
    }
  });

  it('gives no prototype, so the SDK sends, for a request the lean path cannot reproduce', () => {
    const signed = {
      protocol: 'https:',
      hostname: 'kinesis.eu-west-1.amazonaws.com',
      method: 'POST',
      path: '/',
      query: {},
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Kinesis_20131202.PutRecords',
        host: 'kinesis.eu-west-1.amazonaws.com',
        'x-amz-date': '20260501T100000Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKID/20260501/eu-west-1/kinesis/aws4_request, SignedHeaders=host, Signature=00',
      },
    };
    expect(prototypeOf(signed)).to.deep.include({
      signingRegion: 'eu-west-1',
      signingService: 'kinesis',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Kinesis_20131202.PutRecords',
        host: 'kinesis.eu-west-1.amazonaws.com',
      },
    });
    const headers = signed.headers;
    for (const other of [
      { ...signed, headers: { ...headers, 'content-type': 'application/x-amz-cbor-1.1' } },
      { ...signed, headers: { ...headers, authorization: 'AWS4-ECDSA-P256-SHA256 Credential=x' } },
      { ...signed, headers: { ...headers, ':authority': 'kinesis.eu-west-1.amazonaws.com' } },
      { ...signed, query: { a: 'b' } },
      { ...signed, protocol: 'ws:' },
    ]) {
      expect(prototypeOf(other), JSON.stringify(other)).to.equal(undefined);
    }
  });
});
