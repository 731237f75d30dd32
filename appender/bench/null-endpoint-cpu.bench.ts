/**
 * The null Kinesis endpoint's own CPU per record (not part of `npm run bench`): the benches run
 * it on the same cores as the client they measure, so what it spends is taken from that client.
 *
 *   child --record: real PutRecords bodies (500 entries, CBOR and JSON) from `kinlog ship` (default
 *                   output, Apache lines) and the winston transport ─► a JSON file
 *   parent:         startNullKinesis over HTTPS, nothing else; its process.cpuUsage() between
 *                   the driver's "warm" and "done" ÷ records
 *   child --drive:  those bodies over keep-alive HTTPS, IN_FLIGHT at a time (the sink's default)
 *
 * Run from appender: `node dist/bench/null-endpoint-cpu.bench.js`. Environment:
 * KINLOG_BENCH_NULL_MODULE (a null-kinesis-server.js to load instead of @kinlog/testkit's, to
 * compare builds), KINLOG_BENCH_NULL_REQUESTS (measured requests per set, default 400),
 * KINLOG_BENCH_NULL_SETS (some of ship-cbor,ship-json,winston-cbor,winston-json),
 * KINLOG_BENCH_NULL_FAIL (a failFraction for every endpoint, default 0), KINLOG_BENCH_NULL_TLS=0
 * (plain HTTP, as the winston and pino benches run it), KINLOG_BENCH_NULL_BODIES (a file of
 * recorded bodies to reuse or to write). Profile the endpoint with
 * `node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/null-endpoint-cpu.bench.js` (children
 * run without the flag).
 */
import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request as httpRequest, Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import winston from 'winston';
import type { NullKinesis, NullKinesisOptions } from '@kinlog/testkit';
import { KinesisTransport, closeLogger } from '../src/index.js';
import { EVENT_MESSAGE, fieldsAt } from './support/bench-events.js';

const NullCpuBench = {
  REQUESTS: 400,
  WARMUP_REQUESTS: 40,
  IN_FLIGHT: 4,
  ENTRIES: 500,
  /** Bodies kept per set; the driver sends them in turn. */
  BODIES_PER_SET: 8,
  SHIP_LINES: 5_000,
  WINSTON_EVENTS: 5_000,
  SHARDS: 4,
  TARGET: 'Kinesis_20131202.PutRecords',
} as const;

const SETS = ['ship-cbor', 'ship-json', 'winston-cbor', 'winston-json'] as const;
type SetName = (typeof SETS)[number];
interface Recorded {
  contentType: string;
  bodies: string[];
}
type Recording = Record<SetName, Recorded>;

const SELF = fileURLToPath(import.meta.url);
const SHIP_MAIN = fileURLToPath(new URL('./bin/ship-main.js', import.meta.url));

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number >= 0, got ${raw}`);
  return n;
}

async function loadStart(): Promise<(o: NullKinesisOptions) => Promise<NullKinesis>> {
  const path = process.env.KINLOG_BENCH_NULL_MODULE;
  const mod = (await import(
    path === undefined || path === '' ? '@kinlog/testkit' : pathToFileURL(path).href
  )) as { startNullKinesis: (o: NullKinesisOptions) => Promise<NullKinesis> };
  return mod.startNullKinesis;
}

// ---- recording (child) --------------------------------------------------------------------

/** Entries in a recorded body: the JSON ones parsed, the CBOR ones read by the sink's shape. */
function entriesOf(contentType: string, body: Buffer): number {
  if (contentType.includes('json')) {
    return (JSON.parse(body.toString()) as { Records: unknown[] }).Records.length;
  }
  // `Records` (0x67 'Records') followed by an array head of 500 (0x99 0x01 0xf4).
  const at = body.indexOf(Buffer.from('gRecords'));
  return at !== -1 && body[at + 8] === 0x99 ? body.readUInt16BE(at + 9) : -1;
}

async function record(file: string): Promise<void> {
  const startNullKinesis = await loadStart();
  const inner = await startNullKinesis({ shardCount: NullCpuBench.SHARDS });
  let current: Recorded | undefined;
  const agent = new HttpAgent({ keepAlive: true });
  const recorder = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const contentType = req.headers['content-type'] ?? '';
      if (
        current !== undefined &&
        String(req.headers['x-amz-target']) === NullCpuBench.TARGET &&
        current.bodies.length < NullCpuBench.BODIES_PER_SET &&
        entriesOf(contentType, body) === NullCpuBench.ENTRIES
      ) {
        current.contentType = contentType;
        current.bodies.push(body.toString('base64'));
      }
      const forward = httpRequest(
        `${inner.url}/`,
        { method: 'POST', agent, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        },
      );
      forward.end(body);
    });
  });
  recorder.keepAliveTimeout = 60_000;
  recorder.listen(0, '127.0.0.1');
  await once(recorder, 'listening');
  const url = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`;
  const dir = await mkdtemp(join(tmpdir(), 'kinlog-null-cpu-'));
  const out = {} as Recording;
  try {
    const log = join(dir, 'access.log');
    await writeFile(log, apacheLines(NullCpuBench.SHIP_LINES));
    for (const protocol of ['cbor', 'json'] as const) {
      current = out[`ship-${protocol}`] = { contentType: '', bodies: [] };
      await shipOnce(url, protocol, log, join(dir, `state-${protocol}`));
      current = out[`winston-${protocol}`] = { contentType: '', bodies: [] };
      await winstonOnce(url, protocol);
    }
  } finally {
    current = undefined;
    recorder.closeAllConnections();
    recorder.close();
    agent.destroy();
    await inner.close();
    await rm(dir, { recursive: true, force: true });
  }
  for (const name of SETS) {
    if (out[name].bodies.length === 0) throw new Error(`no 500-entry bodies recorded for ${name}`);
  }
  await writeFile(file, JSON.stringify(out));
}

/** Apache combined lines as the ship bench writes them. */
function apacheLines(lines: number): string {
  const agents = [
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    'curl/8.5.0',
  ];
  let text = '';
  for (let i = 0; i < lines; i++) {
    const status = i % 50 === 0 ? 503 : 200;
    const mm = String(Math.floor(i / 60) % 60).padStart(2, '0');
    const ss = String(i % 60).padStart(2, '0');
    text += `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} - - [10/Oct/2024:13:${mm}:${ss} +0000] "GET /api/items/${i % 997}?id=${i}&page=${i % 13}&ref=campaign-2024-autumn HTTP/1.1" ${status} ${1000 + (i % 5000)} "https://shop.example.com/" "${agents[i % 2]}"\n`;
  }
  return text;
}

async function shipOnce(url: string, protocol: string, file: string, stateDir: string) {
  const child = spawn(
    process.execPath,
    [
      SHIP_MAIN,
      'ship',
      '--endpoint',
      url,
      '--region',
      'us-east-1',
      '--wire-protocol',
      protocol,
      '--once',
      '--stream',
      'bench',
      '--state-dir',
      stateDir,
      '--stats-interval',
      '0',
      file,
    ],
    {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`kinlog ship exited with ${code}`);
}

async function winstonOnce(url: string, protocol: 'cbor' | 'json'): Promise<void> {
  const logger = winston.createLogger({
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [
      new KinesisTransport({
        endpoint: url,
        streamName: 'bench',
        region: 'us-east-1',
        credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
        wireProtocol: protocol,
      }),
    ],
  });
  for (let i = 0; i < NullCpuBench.WINSTON_EVENTS; i++) logger.info(EVENT_MESSAGE, fieldsAt(i));
  await closeLogger(logger);
}

// ---- driving (child) ----------------------------------------------------------------------

interface DriveArgs {
  url: string;
  ca: string | undefined;
  contentType: string;
  bodies: Buffer[];
  requests: number;
}

async function drive(args: DriveArgs): Promise<void> {
  const tls = args.url.startsWith('https:');
  const agent = tls
    ? new HttpsAgent({ keepAlive: true, maxSockets: NullCpuBench.IN_FLIGHT, ca: args.ca })
    : new HttpAgent({ keepAlive: true, maxSockets: NullCpuBench.IN_FLIGHT });
  const send = tls ? httpsRequest : httpRequest;
  let next = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const body = args.bodies[next++ % args.bodies.length]!;
      const req = send(
        `${args.url}/`,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': args.contentType,
            'content-length': body.length,
            'x-amz-target': NullCpuBench.TARGET,
          },
        },
        (res) => {
          if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const run = async (requests: number): Promise<void> => {
    let left = requests;
    await Promise.all(
      Array.from({ length: NullCpuBench.IN_FLIGHT }, async () => {
        while (left-- > 0) await one();
      }),
    );
  };
  await run(NullCpuBench.WARMUP_REQUESTS);
  // The parent samples its CPU and starts counting before anything measured arrives.
  process.send!({ phase: 'warm' });
  await once(process, 'message');
  const started = performance.now();
  await run(args.requests);
  process.send!({ phase: 'done', seconds: (performance.now() - started) / 1000 });
  agent.destroy();
  process.disconnect();
}

// ---- parent -------------------------------------------------------------------------------

async function measure(
  startNullKinesis: (o: NullKinesisOptions) => Promise<NullKinesis>,
  name: SetName,
  recorded: Recorded,
  requests: number,
  dir: string,
): Promise<void> {
  const tls = process.env.KINLOG_BENCH_NULL_TLS !== '0';
  const failFraction = envNumber('KINLOG_BENCH_NULL_FAIL', 0);
  const sink = await startNullKinesis({ shardCount: NullCpuBench.SHARDS, tls, failFraction });
  const argsFile = join(dir, `${name}.json`);
  await writeFile(
    argsFile,
    JSON.stringify({ url: sink.url, ca: sink.ca, ...recorded, requests: requests }),
  );
  try {
    const child = fork(SELF, ['--drive', argsFile], { execArgv: [] });
    let cpuAtWarm: NodeJS.CpuUsage | undefined;
    let result: { cpu: NodeJS.CpuUsage; seconds: number } | undefined;
    child.on('message', (m: { phase: string; seconds?: number }) => {
      if (m.phase === 'warm') {
        sink.resetStats();
        cpuAtWarm = process.cpuUsage();
        child.send({ phase: 'go' });
      } else result = { cpu: process.cpuUsage(cpuAtWarm), seconds: m.seconds ?? NaN };
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0 || result === undefined) throw new Error(`driver of ${name} exited ${code}`);
    const stats = sink.stats();
    const records = stats.entries + stats.failedEntries;
    const cpuUs = result.cpu.user + result.cpu.system;
    console.log(
      `${name.padEnd(13)} ${(cpuUs / records).toFixed(2).padStart(6)} µs CPU/record ` +
        `(user ${(result.cpu.user / records).toFixed(2)}, sys ${(result.cpu.system / records).toFixed(2)})  ` +
        `${Math.round(records / result.seconds).toLocaleString('en')} records/s  ` +
        `${records.toLocaleString('en')} records, ${(stats.bytes / stats.putRequests / 1024).toFixed(0)} KiB/request`,
    );
  } finally {
    await sink.close();
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === '--record') return record(process.argv[3]!);
  if (process.argv[2] === '--drive') {
    const raw = JSON.parse(readFileSync(process.argv[3]!, 'utf8')) as Omit<DriveArgs, 'bodies'> & {
      bodies: string[];
    };
    return drive({ ...raw, bodies: raw.bodies.map((b) => Buffer.from(b, 'base64')) });
  }
  const dir = await mkdtemp(join(tmpdir(), 'kinlog-null-cpu-'));
  try {
    const bodiesFile = process.env.KINLOG_BENCH_NULL_BODIES ?? join(dir, 'bodies.json');
    if (!existsSync(bodiesFile)) {
      const recorder = fork(SELF, ['--record', bodiesFile], { execArgv: [] });
      const [code] = (await once(recorder, 'exit')) as [number | null];
      if (code !== 0) throw new Error(`recording bodies failed (exit ${code})`);
    }
    const recording = JSON.parse(readFileSync(bodiesFile, 'utf8')) as Recording;
    const only = (process.env.KINLOG_BENCH_NULL_SETS ?? '').split(',').filter((s) => s !== '');
    const requests = envNumber('KINLOG_BENCH_NULL_REQUESTS', NullCpuBench.REQUESTS);
    const startNullKinesis = await loadStart();
    console.log(
      `null endpoint CPU per record: ${process.env.KINLOG_BENCH_NULL_MODULE ?? '@kinlog/testkit'}, ` +
        `${process.env.KINLOG_BENCH_NULL_TLS === '0' ? 'HTTP' : 'HTTPS'}, ${requests} requests of ${NullCpuBench.ENTRIES}, ${NullCpuBench.IN_FLIGHT} in flight`,
    );
    for (const name of SETS) {
      if (only.length > 0 && !only.includes(name)) continue;
      await measure(startNullKinesis, name, recording[name], requests, dir);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
