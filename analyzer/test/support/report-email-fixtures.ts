import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { DynamoCheckpointStore } from '../../src/checkpoint/dynamo-checkpoint-store.js';
import type { StoredReport } from '../../src/checkpoint/stored-report.js';
import { reportCommand } from '../../src/cli/report-command.js';

/** An in-process SMTP server that keeps every message it accepted, parsed. */
export interface TestSmtpServer {
  readonly port: number;
  readonly messages: ParsedMail[];
  /** Envelope recipients of each message. */
  readonly envelopes: string[][];
  /** Envelope sender of each message. */
  readonly senders: string[];
  close(): Promise<void>;
}

/** Starts `smtp-server` on a free port: plain, no STARTTLS, auth optional unless overridden. */
export async function startSmtpServer(options: SMTPServerOptions = {}): Promise<TestSmtpServer> {
  const messages: ParsedMail[] = [];
  const envelopes: string[][] = [];
  const senders: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream, { skipImageLinks: true })
        .then((mail) => {
          messages.push(mail);
          envelopes.push(session.envelope.rcptTo.map((r) => r.address));
          senders.push(
            session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          );
          callback();
        })
        .catch((err: Error) => callback(err));
    },
    ...options,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    messages,
    envelopes,
    senders,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Stores `report` and commits its iteration, as `kinlog analyze` would. */
export async function seedCommittedReport(
  store: DynamoCheckpointStore,
  report: StoredReport,
): Promise<void> {
  await store.claimIteration(report.name, report.iteration, report.stream, 'seed', 60_000);
  await store.putReport(report);
  await store.commitIteration(report.name, report.iteration, 'seed');
}

/** Runs `kinlog report` in this process; resolves with what it wrote. */
export async function runReport(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const program = new Command('kinlog').exitOverride();
  program.addCommand(reportCommand({ signal: new AbortController().signal, stdout, stderr }));
  await program.parseAsync(['node', 'kinlog', 'report', ...args]);
  return { stdout: out, stderr: err };
}

/** How a spawned process ended. */
export interface ProcessEnd {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a compiled support script (`dist/test/support/<script>.js`) in its own process. */
export function runSupportScript(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<ProcessEnd> {
  const path = fileURLToPath(new URL(`./${script}.js`, import.meta.url));
  const child = spawn(process.execPath, [path, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
