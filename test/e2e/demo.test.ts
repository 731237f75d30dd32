import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { simpleParser } from 'mailparser';
import { descendantPids, isProcessAlive } from '@kinlog/testkit';

const kinlogBin = fileURLToPath(new URL('../../../cli/dist/bin/kinlog.js', import.meta.url));
const SAMPLE_INTERVAL_MS = 100;
const DEMO_TIMEOUT_MS = 120_000;

/** What the simulation makes fail in each phase: the leading (region, page) rows of each iteration. */
const EXPECTED_LEADERS: Readonly<Record<number, readonly string[]>> = {
  1: ['EU /checkout', 'SA /login'],
  2: ['NA /api/search', 'EU /checkout'],
  3: ['APAC /api/orders/:id', 'NA /api/search'],
};

interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Every process seen below the demo while it ran. */
  descendants: Set<number>;
}

async function runKinlog(args: readonly string[]): Promise<DemoRun> {
  const child = spawn(process.execPath, [kinlogBin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AWS_ENDPOINT_URL_KINESIS: '', AWS_ENDPOINT_URL_DYNAMODB: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const descendants = new Set<number>();
  const sampler = setInterval(() => {
    if (child.pid !== undefined) for (const pid of descendantPids(child.pid)) descendants.add(pid);
  }, SAMPLE_INTERVAL_MS);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearInterval(sampler);
  return { code, stdout, stderr, descendants };
}

/** The rows of each printed top-10 table: `region page` in order, by iteration. */
function printedTables(stdout: string): Map<number, string[]> {
  const tables = new Map<number, string[]>();
  let iteration: number | undefined;
  let inRows = false;
  for (const line of stdout.split('\n')) {
    const title = /^kinlog report demo #(\d+)/.exec(line);
    if (title !== null) {
      iteration = Number(title[1]);
      tables.set(iteration, []);
      inRows = false;
      continue;
    }
    if (iteration === undefined) continue;
    // The rank column is right-aligned: with 10 rows its header and first ranks start with a space.
    if (/^\s*#\s+region\s+page/.test(line)) {
      inRows = true;
      continue;
    }
    const row = /^\s*(\d+)\s+(\S+)\s+(\S+)\s+(\d+)\s/.exec(line);
    if (inRows && row !== null) tables.get(iteration)?.push(`${row[2]} ${row[3]}`);
    else if (inRows) inRows = false;
  }
  return tables;
}

describe('kinlog demo (npm start)', function () {
  this.timeout(DEMO_TIMEOUT_MS);
  let outDir: string;
  let run: DemoRun;

  before(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'kinlog-demo-e2e-'));
    run = await runKinlog(['demo', '--quick', '--out', outDir]);
  });

  after(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it('exits 0 and prints nothing on stderr (no third-party noise)', () => {
    expect(run.stderr, run.stderr).to.equal('');
    expect(run.code, run.stdout).to.equal(0);
  });

  it('shows progress: setup, three phases with counts, the split and the rotation', () => {
    expect(run.stdout).to.match(/✓ stream kinlog-demo \(2 shards\)/);
    for (const phase of [1, 2, 3]) {
      expect(run.stdout).to.include(`Phase ${phase}/3`);
      expect(run.stdout).to.match(
        new RegExp(
          `phase ${phase} delivered: [\\d,]+ events \\(winston [\\d,]+ · pino [\\d,]+ · nginx [\\d,]+ lines shipped\\)`,
        ),
      );
    }
    expect(run.stdout).to.match(/✓ split shardId-\d+: the stream now has 3 open shards/);
    expect(run.stdout).to.include('rotated access.log → access.log.1');
  });

  it('runs three committed iterations, each with a non-empty top-10 led by the failing pages', () => {
    const committed = [...run.stdout.matchAll(/✓ iteration (\d+): ([\d,]+) records .* committed/g)];
    expect(committed.map((m) => Number(m[1]))).to.deep.equal([1, 2, 3]);
    for (const m of committed) expect(Number(m[2]?.replaceAll(',', ''))).to.be.greaterThan(0);
    const tables = printedTables(run.stdout);
    expect([...tables.keys()]).to.deep.equal([1, 2, 3]);
    for (const [iteration, rows] of tables) {
      expect(rows.length, `iteration ${iteration}:\n${run.stdout}`).to.be.within(2, 10);
      const leaders = EXPECTED_LEADERS[iteration] ?? [];
      expect(
        new Set(rows.slice(0, leaders.length)),
        `iteration ${iteration}:\n${run.stdout}`,
      ).to.deep.equal(new Set(leaders));
    }
  });

  it('emails every iteration through SMTP and writes the last report as HTML, JSON and .eml', async () => {
    expect(run.stdout.match(/✓ report #\d emailed to ops@example.com/g)).to.have.length(3);
    const files = (await readdir(outDir)).sort();
    expect(files).to.include.members([
      'report-iteration-3.eml',
      'report-iteration-3.html',
      'report-iteration-3.json',
      'nginx',
    ]);
    for (const file of files.filter((f) => f.startsWith('report-'))) {
      expect(run.stdout).to.include(join(outDir, file).split('/').pop());
    }

    const html = await readFile(join(outDir, 'report-iteration-3.html'), 'utf8');
    expect(html.trimStart().toLowerCase()).to.match(/^<!doctype html>/);
    expect(html.trimEnd().toLowerCase()).to.match(/<\/html>$/);
    expect(html).to.include('/api/orders/:id');
    expect(html.toLowerCase()).to.not.include('<script');

    const json = JSON.parse(await readFile(join(outDir, 'report-iteration-3.json'), 'utf8')) as {
      iteration?: number;
      rows?: { region?: string; page?: string }[];
    };
    expect(json.iteration).to.equal(3);
    const leaders = (json.rows ?? []).slice(0, 2).map((r) => `${r.region} ${r.page}`);
    expect(new Set(leaders)).to.deep.equal(new Set(EXPECTED_LEADERS[3]));

    const mail = await simpleParser(await readFile(join(outDir, 'report-iteration-3.eml')), {
      skipImageLinks: true,
    });
    expect(mail.subject).to.match(/demo #3/);
    const to = Array.isArray(mail.to) ? mail.to : mail.to === undefined ? [] : [mail.to];
    expect(to.flatMap((a) => a.value.map((v) => v.address))).to.deep.equal(['ops@example.com']);
    expect(mail.text).to.include('/api/orders/:id');
    expect(mail.html === false ? '' : (mail.html ?? '')).to.include('/api/orders/:id');

    const logs = await readdir(join(outDir, 'nginx'));
    expect(logs.sort()).to.deep.equal(['access.log', 'access.log.1']);
  });

  it('runs a saved query on every iteration and shows its result next to the top-10, in every output', async () => {
    const titles = run.stdout.match(/Saved query events-by-format \(\d+ rows?\)/g) ?? [];
    expect(titles, run.stdout).to.have.length(3);
    expect(run.stdout).to.match(/^format\s+│\s+events\s+│\s+errors_5xx$/m);
    const json = JSON.parse(await readFile(join(outDir, 'report-iteration-3.json'), 'utf8')) as {
      totals: { events: number };
      savedQueries: { query: string; rows: { format: string; events: number }[] }[];
    };
    expect(json.savedQueries.map((q) => q.query)).to.deep.equal(['events-by-format']);
    // Every event the top-N counted is a row of the saved query's table.
    const events = json.savedQueries[0]!.rows.reduce((sum, r) => sum + r.events, 0);
    expect(events).to.equal(json.totals.events);
    const html = await readFile(join(outDir, 'report-iteration-3.html'), 'utf8');
    expect(html).to.include('Saved query events-by-format');
    const mail = await simpleParser(await readFile(join(outDir, 'report-iteration-3.eml')), {
      skipImageLinks: true,
    });
    expect(mail.text).to.include('Saved query events-by-format');
    expect(mail.html === false ? '' : (mail.html ?? '')).to.include('Saved query events-by-format');
  });

  it('leaves no process behind', () => {
    expect(run.descendants.size, 'the demo starts its local services in a child').to.be.greaterThan(
      0,
    );
    expect([...run.descendants].filter(isProcessAlive)).to.deep.equal([]);
  });

  it('--real-aws explains the AWS setup and exits 0 without starting anything', async () => {
    const guide = await runKinlog(['demo', '--real-aws']);
    expect(guide.code).to.equal(0);
    expect(guide.stderr).to.equal('');
    expect(guide.stdout).to.include('aws kinesis create-stream');
    expect(guide.stdout).to.include('--create-tables');
    expect(guide.stdout).to.include('examples/iam/');
    expect(guide.descendants.size).to.equal(0);
  });
});
