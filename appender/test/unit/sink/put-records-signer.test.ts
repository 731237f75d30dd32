/**
 * PutRecordsSigner against the SDK's SignatureV4 on the same requests: same headers out
 * (Authorization, X-Amz-Date, x-amz-content-sha256, x-amz-security-token and the rest). Only AWS
 * checks signatures (the local Kinesis servers accept any), so this is what guards them.
 */
import { createRequire } from 'node:module';
import { expect } from 'chai';
import type * as SignatureV4Module from '@smithy/signature-v4';
import { NodeSha256, type AwsCredentials } from '@kinlog/core';
import {
  PutRecordsSigner,
  type PutRecordsSignerOptions,
} from '../../../src/sink/put-records-signer.js';
import { LeanPutRecords } from '../../../src/sink/lean-put-records.js';
import { signatureMatches } from '../../support/sigv4.js';

const { SignatureV4 } = createRequire(import.meta.url)(
  '@smithy/signature-v4',
) as typeof SignatureV4Module;

const KINESIS_HEADERS = {
  'content-type': 'application/x-amz-json-1.1',
  'x-amz-target': 'Kinesis_20131202.PutRecords',
  host: 'kinesis.eu-west-1.amazonaws.com',
  'x-amz-user-agent': 'aws-sdk-js/3.0.0 ua/2.1 api/kinesis#3.0.0',
  'user-agent': 'aws-sdk-js/3.0.0 ua/2.1 os/linux lang/js md/nodejs#20',
  'amz-sdk-request': 'attempt=1; max=3',
};

const STATIC: AwsCredentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const WITH_TOKEN: AwsCredentials = { ...STATIC, sessionToken: 'FwoGZXIvYXdzEXAMPLE//token+/=' };

/** The SDK's signature of the same request, header names in lower case. */
async function sdkHeaders(
  options: PutRecordsSignerOptions,
  body: Uint8Array,
  perRequest: Record<string, string>,
  credentials: AwsCredentials,
  nowMs: number,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    credentials,
    region: options.region,
    service: options.service,
    sha256: NodeSha256,
    uriEscapePath: true,
  });
  const signed = await signer.sign(
    {
      method: options.method,
      protocol: 'https:',
      hostname: 'kinesis.example',
      path: options.path,
      query: {},
      headers: { ...options.headers, ...perRequest },
      body,
    },
    { signingDate: new Date(nowMs) },
  );
  return lowerCased(signed.headers);
}

function lowerCased(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

const BASE: PutRecordsSignerOptions = {
  method: 'POST',
  path: '/',
  headers: KINESIS_HEADERS,
  region: 'eu-west-1',
  service: 'kinesis',
};

/** Signs with both and expects the same headers. */
async function expectSame(
  signer: PutRecordsSigner,
  options: PutRecordsSignerOptions,
  body: Uint8Array,
  credentials: AwsCredentials,
  nowMs: number,
  invocationId = '5c9f8d0e-1b2a-4c3d-8e7f-0a1b2c3d4e5f',
): Promise<Record<string, string>> {
  const perRequest = {
    'content-length': String(body.byteLength),
    'amz-sdk-invocation-id': invocationId,
  };
  const ours = signer.sign(body, perRequest, credentials, nowMs);
  const sdk = await sdkHeaders(options, body, perRequest, credentials, nowMs);
  expect(lowerCased(ours), new Date(nowMs).toISOString()).to.deep.equal(sdk);
  return ours;
}

describe('PutRecordsSigner against the SDK signer', () => {
  const body = Buffer.from(
    '{"StreamName":"app-logs","Records":[{"Data":"aGk=","PartitionKey":"k"}]}',
  );
  const t0 = Date.parse('2026-05-01T10:00:00.000Z');

  it('signs as the SDK with and without a session token, in any region and service', async () => {
    for (const region of ['eu-west-1', 'us-gov-west-1', 'cn-north-1', 'ap-southeast-5']) {
      for (const service of ['kinesis', 'firehose']) {
        const options = { ...BASE, region, service };
        const signer = new PutRecordsSigner(options);
        for (const credentials of [STATIC, WITH_TOKEN, { ...STATIC, sessionToken: '' }]) {
          const headers = await expectSame(signer, options, body, credentials, t0);
          expect(headers['authorization']).to.contain(`/20260501/${region}/${service}/`);
          expect('x-amz-security-token' in headers).to.equal(
            credentials.sessionToken !== undefined && credentials.sessionToken !== '',
          );
        }
      }
    }
  });

  it('takes a new day, a new secret and a new token the moment they change', async () => {
    const signer = new PutRecordsSigner(BASE);
    const midnight = Date.parse('2026-05-02T00:00:00.000Z');
    const instants = [midnight - 1, midnight, midnight + 999, midnight - 1, midnight + 86_400_000];
    const rotated = {
      accessKeyId: 'ASIAOTHER',
      secretAccessKey: 'other/secret+',
      sessionToken: 't2',
    };
    for (const nowMs of instants) {
      for (const credentials of [WITH_TOKEN, rotated, STATIC, WITH_TOKEN]) {
        await expectSame(signer, BASE, body, credentials, nowMs);
      }
    }
    const before = signer.sign(
      body,
      { 'content-length': '1', 'amz-sdk-invocation-id': 'x' },
      STATIC,
      midnight - 1,
    );
    expect(before['x-amz-date']).to.equal('20260501T235959Z');
  });

  it('signs odd instants: milliseconds dropped, leap day, far past and future', async () => {
    const signer = new PutRecordsSigner(BASE);
    for (const iso of [
      '2028-02-29T12:34:56.789Z',
      '1999-12-31T23:59:59.999Z',
      '2099-01-01T00:00:00.001Z',
      '1970-01-01T00:00:00.000Z',
    ]) {
      await expectSame(signer, BASE, body, WITH_TOKEN, Date.parse(iso));
    }
  });

  it('signs empty, binary and large bodies', async () => {
    const signer = new PutRecordsSigner(BASE);
    const large = Buffer.alloc(5 * 1024 * 1024 + 3);
    for (let i = 0; i < large.length; i += 4093) large[i] = i & 0xff;
    for (const b of [
      Buffer.alloc(0),
      new Uint8Array(0),
      Buffer.from([0, 1, 2, 253, 254, 255]),
      large,
      large.subarray(17, 100_017),
    ]) {
      await expectSame(signer, BASE, b, WITH_TOKEN, t0);
    }
  });

  it('signs headers of any case, odd values and unsignable headers as the SDK', async () => {
    const options: PutRecordsSignerOptions = {
      ...BASE,
      headers: {
        'Content-Type': 'application/x-amz-cbor-1.1',
        'X-Amz-Target': 'Kinesis_20131202.PutRecords',
        Host: 'kinesis.eu-west-1.amazonaws.com:8443',
        'X-Amz-User-Agent': '  spaced   out\tvalue  ',
        'x-custom': 'line\r\nbreak  and\t\ttabs ',
        'User-Agent': 'not signed',
        Connection: 'keep-alive',
        'Proxy-Authorization': 'not signed',
        'sec-fetch-mode': 'cors',
        'X-Amzn-Trace-Id': 'Root=1-abc',
        Expect: '100-continue',
        aaa: 'first in order',
        zzz: 'last in order',
      },
    };
    const signer = new PutRecordsSigner(options);
    const headers = await expectSame(signer, options, body, WITH_TOKEN, t0, ' id  with  blanks ');
    expect(headers['authorization']).to.contain(
      'SignedHeaders=aaa;amz-sdk-invocation-id;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target;x-amz-user-agent;x-custom;zzz,',
    );
    await expectSame(signer, options, body, STATIC, t0);
  });

  it('signs paths as the SDK does', async () => {
    for (const path of [
      '/',
      '/kinesis/',
      '/a/./b/../c',
      '//double//slash',
      "/it's (a) *test*!",
      '/caf\u00e9 %2F/',
    ]) {
      const options = { ...BASE, path };
      await expectSame(new PutRecordsSigner(options), options, body, STATIC, t0);
    }
  });

  it('never takes per-request headers from the fixed ones', async () => {
    const options: PutRecordsSignerOptions = {
      ...BASE,
      headers: {
        ...KINESIS_HEADERS,
        'Content-Length': '999',
        authorization: 'stale',
        'X-Amz-Date': '20000101T000000Z',
        date: 'Sat, 01 Jan 2000 00:00:00 GMT',
      },
    };
    const signer = new PutRecordsSigner(options);
    const headers = await expectSame(signer, BASE, body, WITH_TOKEN, t0);
    expect(headers['content-length']).to.equal(String(body.length));
    expect(
      signatureMatches({ method: 'POST', path: '/', headers, body }, WITH_TOKEN.secretAccessKey),
    ).to.equal(true);
  });

  it('refuses credentials without a key id or secret, as the SDK', async () => {
    const signer = new PutRecordsSigner(BASE);
    const bad = { accessKeyId: 'AKID' } as unknown as AwsCredentials;
    const perRequest = { 'content-length': '0', 'amz-sdk-invocation-id': 'x' };
    expect(() => signer.sign(body, perRequest, bad, t0)).to.throw(
      'Resolved credential object is not valid',
    );
    let sdkError: unknown;
    await sdkHeaders(BASE, body, perRequest, bad, t0).catch((err: unknown) => {
      sdkError = err;
    });
    expect((sdkError as Error).message).to.equal('Resolved credential object is not valid');
  });

  it('signs at the corrected clock in LeanPutRecords, as the SDK with the same offset', async () => {
    let offsetMs = -7 * 60_000;
    const nowMs = Date.parse('2026-05-02T00:03:00.250Z'); // the offset moves it back a day
    const prototype = {
      protocol: 'https:' as const,
      hostname: 'kinesis.eu-west-1.amazonaws.com',
      port: undefined,
      method: 'POST',
      path: '/',
      headers: { ...KINESIS_HEADERS, 'content-type': 'application/x-amz-json-1.1' },
      signingRegion: 'eu-west-1',
      signingService: 'kinesis',
    };
    const lean = new LeanPutRecords({
      prototype,
      credentials: () => Promise.resolve(WITH_TOKEN),
      clockOffset: {
        get: () => offsetMs,
        set: (ms) => {
          offsetMs = ms;
        },
      },
      now: () => nowMs,
      invocationId: () => 'fixed-id',
    });
    try {
      for (const offset of [-7 * 60_000, 0, 36 * 3_600_000]) {
        offsetMs = offset;
        const signed = await lean.sign(body);
        const sdk = await sdkHeaders(
          { ...BASE, headers: prototype.headers },
          body,
          { 'content-length': String(body.length), 'amz-sdk-invocation-id': 'fixed-id' },
          WITH_TOKEN,
          nowMs + offset,
        );
        expect(signed.headers).to.deep.equal(sdk);
      }
    } finally {
      lean.destroy();
    }
  });
});
