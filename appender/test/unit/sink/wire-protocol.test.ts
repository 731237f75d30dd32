import { expect } from 'chai';
import { PutRecordsClient } from '../../../src/sink/put-records-client.js';
import { isAwsEndpoint, resolveWireProtocol } from '../../../src/sink/wire-protocol.js';

/** AWS's own Kinesis endpoints, every shape the SDK or a user may write. */
const AWS_ENDPOINTS = [
  'https://kinesis.us-east-1.amazonaws.com',
  'https://kinesis.eu-west-3.amazonaws.com/',
  'https://KINESIS.US-EAST-1.AMAZONAWS.COM',
  'https://kinesis.us-east-1.amazonaws.com.',
  'https://kinesis.us-east-1.amazonaws.com:443',
  'https://kinesis-fips.us-east-1.amazonaws.com',
  'https://kinesis-fips.us-gov-west-1.amazonaws.com',
  'https://kinesis.us-gov-west-1.amazonaws.com',
  'https://kinesis.dualstack.us-east-1.amazonaws.com',
  'https://kinesis.us-east-1.api.aws',
  'https://kinesis-fips.us-east-1.api.aws',
  'https://kinesis.cn-north-1.amazonaws.com.cn',
  'https://kinesis.cn-northwest-1.amazonaws.com.cn',
  'https://kinesis.cn-north-1.api.amazonwebservices.com.cn',
  'https://vpce-0123-abcd.kinesis.us-east-1.vpce.amazonaws.com',
  'https://123456789012.control-kinesis.us-east-1.amazonaws.com',
];

/** Anything else: emulators, proxies, look-alikes, unreadable text. */
const OTHER_ENDPOINTS = [
  'http://127.0.0.1:4567',
  'http://localhost:4566',
  'http://[::1]:4567',
  'https://kinesis.internal.example.com',
  'http://localstack:4566',
  'https://amazonaws.com',
  'https://kinesis.us-east-1.amazonaws.com.example.net',
  'https://notamazonaws.com',
  'https://evilamazonaws.com.cn',
  'https://kinesis.amazonaws.co',
  'https://api.aws',
  'not a url',
];

describe('wire protocol resolution', () => {
  it('knows AWS endpoints of every shape (FIPS, GovCloud, dual-stack, China, VPC)', () => {
    for (const endpoint of AWS_ENDPOINTS) expect(isAwsEndpoint(endpoint), endpoint).to.equal(true);
  });

  it('takes no other endpoint for AWS: emulators, proxies, look-alike hosts, bad URLs', () => {
    for (const endpoint of OTHER_ENDPOINTS) {
      expect(isAwsEndpoint(endpoint), endpoint).to.equal(false);
    }
  });

  it('auto (or nothing) is CBOR without an endpoint override or with an AWS one, JSON otherwise', () => {
    for (const choice of ['auto', undefined] as const) {
      expect(resolveWireProtocol(choice, undefined).protocol).to.equal('cbor');
      expect(resolveWireProtocol(choice, '').protocol).to.equal('cbor');
      for (const endpoint of AWS_ENDPOINTS) {
        expect(resolveWireProtocol(choice, endpoint).protocol, endpoint).to.equal('cbor');
      }
      for (const endpoint of OTHER_ENDPOINTS) {
        expect(resolveWireProtocol(choice, endpoint).protocol, endpoint).to.equal('json');
      }
    }
    expect(resolveWireProtocol('auto', 'http://127.0.0.1:4567').reason).to.match(
      /auto: http:\/\/127\.0\.0\.1:4567 is not an AWS endpoint/,
    );
  });

  it('cbor and json are forced whatever the endpoint', () => {
    for (const endpoint of [undefined, ...AWS_ENDPOINTS, ...OTHER_ENDPOINTS]) {
      expect(resolveWireProtocol('cbor', endpoint).protocol).to.equal('cbor');
      expect(resolveWireProtocol('json', endpoint).protocol).to.equal('json');
    }
    expect(resolveWireProtocol('cbor', 'http://127.0.0.1:1').reason).to.equal('as configured');
  });

  describe('in PutRecordsClient', () => {
    const saved = {
      kinesis: process.env.AWS_ENDPOINT_URL_KINESIS,
      any: process.env.AWS_ENDPOINT_URL,
    };
    afterEach(() => {
      restore('AWS_ENDPOINT_URL_KINESIS', saved.kinesis);
      restore('AWS_ENDPOINT_URL', saved.any);
    });

    function clientProtocol(options: { endpoint?: string; wireProtocol?: 'cbor' | 'json' }) {
      const client = new PutRecordsClient({ streamName: 's', region: 'us-east-1', ...options });
      try {
        return client.wireProtocol;
      } finally {
        client.destroy();
      }
    }

    it('resolves auto from the endpoint option, else the endpoint environment variables', () => {
      delete process.env.AWS_ENDPOINT_URL_KINESIS;
      delete process.env.AWS_ENDPOINT_URL;
      expect(clientProtocol({})).to.equal('cbor');
      expect(clientProtocol({ endpoint: 'http://127.0.0.1:4567' })).to.equal('json');
      expect(clientProtocol({ endpoint: 'https://kinesis.us-west-2.amazonaws.com' })).to.equal(
        'cbor',
      );
      expect(clientProtocol({ endpoint: 'http://127.0.0.1:4567', wireProtocol: 'cbor' })).to.equal(
        'cbor',
      );
      process.env.AWS_ENDPOINT_URL = 'http://localhost:4566';
      expect(clientProtocol({})).to.equal('json');
      expect(clientProtocol({ wireProtocol: 'cbor' })).to.equal('cbor');
      process.env.AWS_ENDPOINT_URL_KINESIS = 'https://kinesis-fips.us-east-1.amazonaws.com';
      expect(clientProtocol({})).to.equal('cbor');
    });
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
