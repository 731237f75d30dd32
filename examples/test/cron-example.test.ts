/**
 * The cron example run as cron runs it: its command line through /bin/sh, with the env file as
 * shipped (only the password filled in), against the local Kinesis and DynamoDB and a local
 * SMTP server that offers STARTTLS and requires the password.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { SMTPServer } from 'smtp-server';
import { KinesisSink } from '@kinlog/appender';
import { createTestStream } from '@kinlog/testkit';

const examples = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../test/fixtures/${name}`, import.meta.url));
const kinlogBin = fileURLToPath(new URL('../../../cli/dist/bin/kinlog.js', import.meta.url));
const run = promisify(execFile);
const PASSWORD = 'cron-secret-1';

interface Received {
  user: string;
  password: string;
  secure: boolean;
  to: string[];
}

/** An SMTP server on localhost with STARTTLS (a test certificate) and required login. */
async function startTlsSmtp(): Promise<{
  port: number;
  received: Received[];
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  const logins = new Map<string, { user: string; password: string }>();
  const server = new SMTPServer({
    key: readFileSync(fixture('localhost-key.pem')),
    cert: readFileSync(fixture('localhost-cert.pem')),
    logger: false,
    onAuth(auth, session, callback) {
      logins.set(session.id, { user: auth.username ?? '', password: auth.password ?? '' });
      if (auth.username === 'kinlog' && auth.password === PASSWORD)
        callback(null, { user: 'kinlog' });
      else callback(new Error('invalid login'));
    },
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        received.push({
          ...(logins.get(session.id) ?? { user: '', password: '' }),
          secure: session.secure,
          to: session.envelope.rcptTo.map((r) => r.address),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return { port, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The crontab's lines that run a command: what follows the five time fields and the user. */
function cronCommands(crontab: string): string[] {
  return crontab
    .split('\n')
    .filter((l) => /^[*\d]/.test(l))
    .map((l) => l.trim().split(/\s+/).slice(6).join(' '));
}

describe('example: cron', function () {
  this.timeout(60_000);

  it('the analyze-and-email line, run by /bin/sh with the env file, sends the report over STARTTLS', async () => {
    const stream = await createTestStream(1);
    const dir = await mkdtemp(join(tmpdir(), 'kinlog-cron-'));
    // `kinlog` on PATH, as an installed package puts it.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'kinlog'),
      `#!/bin/sh\nexec "${process.execPath}" "${kinlogBin}" "$@"\n`,
    );
    chmodSync(join(bin, 'kinlog'), 0o755);
    // The env file as shipped, the password filled in.
    const envFile = join(dir, 'smtp.env');
    const shipped = await readFile(examples('cron/smtp.env'), 'utf8');
    writeFileSync(envFile, shipped.replace(/^SMTP_PASSWORD=.*$/m, `SMTP_PASSWORD=${PASSWORD}`), {
      mode: 0o600,
    });
    const sink = new KinesisSink({ streamName: stream, flushIntervalMs: 20 });
    for (const n of [1, 2, 3])
      sink.put({
        level: 'error',
        status: 503,
        page: '/checkout',
        region: 'eu-west-1',
        msg: `down ${n}`,
      });
    await sink.close();
    // Tables are created once by the operator (README: --create-tables), not by the cron line.
    await run(process.execPath, [
      kinlogBin,
      'analyze',
      '--stream',
      stream,
      '--name',
      `setup-${stream}`,
      '--create-tables',
      '--format',
      'json',
    ]);

    const smtp = await startTlsSmtp();
    try {
      const [line] = cronCommands(await readFile(examples('cron/kinlog.crontab'), 'utf8'));
      expect(line).to.include('/etc/kinlog/smtp.env').and.include('--smtp-host smtp.example.com');
      // What the operator adapts: the env file's place, the stream and the mail server.
      const command = line!
        .replace('/etc/kinlog/smtp.env', envFile)
        .replace('--stream web-logs', `--stream ${stream}`)
        .replace(/--name web\b/g, `--name cron-${stream}`)
        .replace('--smtp-host smtp.example.com', `--smtp-host localhost --smtp-port ${smtp.port}`);
      const child = spawn('/bin/sh', ['-c', command], {
        // cron's environment: the crontab's variables and little else (no SMTP_PASSWORD).
        env: {
          PATH: `${bin}:/usr/bin:/bin`,
          SHELL: '/bin/sh',
          HOME: dir,
          AWS_REGION: 'eu-west-1',
          AWS_ENDPOINT_URL_KINESIS: process.env.AWS_ENDPOINT_URL_KINESIS,
          AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB,
          AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
          AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
          NODE_EXTRA_CA_CERTS: fixture('localhost-cert.pem'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code, output).to.equal(0);
      expect(smtp.received, output).to.have.length(1);
      expect(smtp.received[0]).to.deep.equal({
        user: 'kinlog',
        password: PASSWORD,
        secure: true,
        to: ['ops@example.com'],
      });
      expect(output).to.not.include(PASSWORD);
    } finally {
      await smtp.close();
    }
  });
});
