import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { awsClientConfig, ConfigError } from '../../../src/index.js';

/** Every variable that steers the SDK's region and credential resolution. */
const AWS_VARIABLES = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_EC2_METADATA_SERVICE_ENDPOINT',
] as const;

const PROFILE_REGION = 'eu-north-1';
const PROFILE_KEY_ID = 'AKIDPROFILEEXAMPLE';

describe('awsClientConfig: region and credentials as the AWS SDK resolves them', function () {
  let saved: Record<string, string | undefined>;
  let dir: string;
  let fileCount = 0;

  /** A fresh AWS config file (the SDK caches files by path) with a profile that has a region. */
  async function useProfileConfig(profileBody: string): Promise<void> {
    fileCount += 1;
    const configFile = join(dir, `config-${fileCount}`);
    await writeFile(configFile, `[profile kinlog-test]\n${profileBody}`);
    process.env.AWS_CONFIG_FILE = configFile;
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, `no-credentials-${fileCount}`);
    process.env.AWS_PROFILE = 'kinlog-test';
  }

  const resolvedRegion = (options = {}): Promise<string> =>
    new KinesisClient(awsClientConfig(options)).config.region();

  beforeEach(async function () {
    saved = Object.fromEntries(AWS_VARIABLES.map((name) => [name, process.env[name]]));
    for (const name of AWS_VARIABLES) delete process.env[name];
    // No instance metadata lookups from a developer's machine, unless a test serves one.
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    dir = await mkdtemp(join(tmpdir(), 'kinlog-aws-config-'));
  });

  afterEach(async function () {
    for (const name of AWS_VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await rm(dir, { recursive: true, force: true });
  });

  it("takes the region of the AWS_PROFILE profile in AWS_CONFIG_FILE, as the SDK's own client does", async function () {
    await useProfileConfig(`region = ${PROFILE_REGION}\n`);
    expect(await resolvedRegion()).to.equal(PROFILE_REGION);
    expect(await new KinesisClient({}).config.region()).to.equal(PROFILE_REGION);
  });

  it('prefers AWS_REGION to the profile, and an explicit region to both', async function () {
    await useProfileConfig(`region = ${PROFILE_REGION}\n`);
    process.env.AWS_REGION = 'ap-south-1';
    expect(await resolvedRegion()).to.equal('ap-south-1');
    expect(await resolvedRegion({ region: 'sa-east-1' })).to.equal('sa-east-1');
  });

  it('takes the region from instance metadata when nothing else sets one', async function () {
    const imds = await serveInstanceMetadata('ca-central-1');
    try {
      delete process.env.AWS_EC2_METADATA_DISABLED;
      const { port } = imds.address() as { port: number };
      process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = `http://127.0.0.1:${port}`;
      expect(await resolvedRegion()).to.equal('ca-central-1');
    } finally {
      imds.close();
    }
  });

  it('takes credentials from the profile when the environment has none', async function () {
    await useProfileConfig(
      `region = ${PROFILE_REGION}\naws_access_key_id = ${PROFILE_KEY_ID}\naws_secret_access_key = secret\n`,
    );
    const credentials = await new KinesisClient(awsClientConfig()).config.credentials();
    expect(credentials.accessKeyId).to.equal(PROFILE_KEY_ID);
  });

  it('without any region, fails with an error that says how to set one', async function () {
    await useProfileConfig('output = json\n');
    // The AWS CLI's variable: the SDK does not read it, and the error says so.
    process.env.AWS_DEFAULT_REGION = 'eu-west-3';
    const err: unknown = await resolvedRegion().then(
      () => expect.fail('a region was resolved'),
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(ConfigError);
    const { message } = err as ConfigError;
    for (const hint of ['AWS_REGION', 'AWS_PROFILE', '--region', 'AWS_DEFAULT_REGION']) {
      expect(message).to.include(hint);
    }
  });

  it('does not invent a region of its own', async function () {
    await useProfileConfig('output = json\n');
    expect(awsClientConfig().region).to.be.a('function');
    expect(awsClientConfig({ region: 'eu-west-1' }).region).to.equal('eu-west-1');
  });
});

/** A minimal IMDSv2: a token, then the region. */
async function serveInstanceMetadata(region: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === 'PUT' && req.url === '/latest/api/token') res.end('token');
    else if (req.url === '/latest/meta-data/placement/region') res.end(region);
    else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}
