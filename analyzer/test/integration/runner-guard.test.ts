import { PassThrough } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { Command } from 'commander';
import { expect } from 'chai';
import { createTestStream, NetworkFaults, startNetworkFaultServer } from '@kinlog/testkit';
import { analyzeCommand } from '../../src/cli/analyze-command.js';
import { DynamoCheckpointStore } from '../../src/checkpoint/dynamo-checkpoint-store.js';
import { NameInUseError } from '../../src/errors.js';
import { freshTables, kinesis, putNumbered } from '../support/stream-fixtures.js';

const WAIT_LIMIT_MS = 30_000;

function startAnalyze(args: string[]) {
  const controller = new AbortController();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const program = new Command('kinlog').exitOverride();
  program.addCommand(analyzeCommand({ signal: controller.signal, stdout, stderr }));
  const done = program.parseAsync(['node', 'kinlog', 'analyze', ...args]).then(() => undefined);
  return { done, stdout: () => out, stderr: () => err, stop: () => controller.abort() };
}

async function waitFor(what: string, ready: () => boolean): Promise<void> {
  const until = Date.now() + WAIT_LIMIT_MS;
  while (!ready()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

async function refusal(run: Promise<void>): Promise<NameInUseError> {
  try {
    await run;
  } catch (err) {
    expect(err).to.be.instanceOf(NameInUseError);
    return err as NameInUseError;
  }
  throw new Error('the second way of advancing the name was not refused');
}

describe('kinlog analyze: --workers and single runs never advance one name at once', function () {
  this.timeout(90_000);
  let stream: string;
  let tables: ReturnType<typeof freshTables>;
  let store: DynamoCheckpointStore;
  const args = (...extra: string[]): string[] => [
    '--stream',
    stream,
    '--name',
    'web',
    '--checkpoints-table',
    tables.checkpointsTable,
    '--iterations-table',
    tables.iterationsTable,
    '--format',
    'json',
    ...extra,
  ];
  const workers = (...extra: string[]): string[] =>
    args(
      '--workers',
      '--worker-id',
      'host-a:1',
      '--failover-ms',
      '600',
      '--leases-table',
      `leases-${tables.iterationsTable}`,
      ...extra,
    );

  beforeEach(async () => {
    stream = await createTestStream(2);
    const client = kinesis();
    await putNumbered(client, stream, 0, 20);
    client.destroy();
    tables = freshTables();
    store = new DynamoCheckpointStore(tables);
  });

  afterEach(() => store.close());

  it('a single run on a name that --workers advance fails, naming the name and what to do', async () => {
    const running = startAnalyze(workers('--create-tables', '--every', '1s'));
    try {
      await waitFor('the workers to commit iteration 1', () =>
        /"iteration":1/.test(running.stdout()),
      );
      const err = await refusal(startAnalyze(args()).done);
      expect(err.message).to.match(
        /^name web is being analyzed by --workers \(host-a:1 and any others, held until at least \d{4}-/,
      );
      expect(err.message).to.include('run this with --workers to join them');
    } finally {
      running.stop();
      // Stopped inside an iteration, the workers end with the stop's reason.
      await running.done.catch(() => undefined);
    }
    // Only the workers advanced it: no iteration was started by the single run.
    const latest = await store.latestIteration('web');
    expect(latest?.owner).to.equal('host-a:1');
  });

  it('--workers on a name a single run advances fail; once it stops, they take the name over', async () => {
    const single = startAnalyze(args('--create-tables', '--every', '1s'));
    try {
      await waitFor('the single run to commit iteration 1', () =>
        /"iteration":1/.test(single.stdout()),
      );
      const err = await refusal(startAnalyze(workers('--create-tables')).done);
      expect(err.message).to.match(/^name web is being analyzed by a single kinlog analyze \(/);
      expect(err.message).to.include('stop it first');
    } finally {
      single.stop();
      await single.done;
    }
    // Stopped cleanly, the single run ended its hold: the workers need not wait for it to run out.
    const taken = startAnalyze(workers());
    await taken.done;
    const iterations = taken.stdout().match(/"iteration":(\d+)/);
    expect(Number(iterations?.[1])).to.be.greaterThan(1);
  });

  it('a single run stopped inside its iteration ends without an error and commits nothing', async () => {
    // Kinesis never answers: the stop lands while the iteration's read is in flight.
    const silent = await startNetworkFaultServer({ plan: NetworkFaults.silent });
    try {
      const stopped = startAnalyze(args('--create-tables', '--kinesis-endpoint', silent.url));
      await waitFor('a Kinesis call held by the silent endpoint', () => silent.received.silent > 0);
      stopped.stop();
      await stopped.done;
      expect(stopped.stderr()).to.include("stopped: web's unfinished window was not stored");
      expect(stopped.stdout()).to.equal('');
    } finally {
      await silent.close();
    }
    expect((await store.latestIteration('web'))?.status).to.not.equal('committed');
  });
});
