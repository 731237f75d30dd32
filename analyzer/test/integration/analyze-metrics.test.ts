import { PassThrough } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { Command } from 'commander';
import { ConfigError } from '@kinlog/core';
import { createTestStream } from '@kinlog/testkit';
import { expect } from 'chai';
import { analyzeCommand } from '../../src/index.js';
import { freshTables, kinesis, putNumbered } from '../support/stream-fixtures.js';

/** Samples of one metric in Prometheus text: labels (as written) ─▶ value. */
function samples(text: string, metric: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m?.[1] === metric) out.set(m[2] ?? '', Number(m[3]));
  }
  return out;
}

const total = (values: Map<string, number>) => [...values.values()].reduce((a, b) => a + b, 0);

describe('kinlog analyze --metrics-port', function () {
  this.timeout(120_000);

  it('serves per-shard reads, iterations, leases and errors while it runs', async () => {
    const shards = 4;
    const stream = await createTestStream(shards);
    const client = kinesis();
    await putNumbered(client, stream, 0, 200);
    client.destroy();
    const t = freshTables();
    const stdout = new PassThrough().resume();
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    const abort = new AbortController();
    const program = new Command('kinlog').exitOverride();
    program.addCommand(analyzeCommand({ signal: abort.signal, stdout, stderr }));
    const running = program.parseAsync([
      'node',
      'kinlog',
      'analyze',
      '--stream',
      stream,
      '--name',
      'metrics',
      '--checkpoints-table',
      t.checkpointsTable,
      '--iterations-table',
      t.iterationsTable,
      '--leases-table',
      `leases-${t.iterationsTable}`,
      '--create-tables',
      '--workers',
      '--worker-id',
      'm1',
      '--every',
      '1s',
      '--format',
      'json',
      '--metrics-port',
      '0',
    ]);
    try {
      let port: number | undefined;
      let text = '';
      // Bounded polls: the run is scraped while it goes on, until it committed twice.
      for (let round = 0; round < 600; round++) {
        port ??= Number(/metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(err)?.[1] ?? NaN);
        if (Number.isNaN(port)) port = undefined;
        if (port !== undefined) {
          text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          const committed = samples(text, 'kinlog_analyze_iterations_total').get(
            '{result="committed"}',
          );
          if ((committed ?? 0) >= 2) break;
        }
        await delay(100);
      }
      expect(port, err).to.be.a('number');
      const records = samples(text, 'kinlog_analyze_records_read_total');
      expect(records.size).to.equal(shards);
      for (const labels of records.keys()) {
        expect(labels).to.match(new RegExp(`^\\{stream="${stream}",shard="shardId-\\d{12}"\\}$`));
      }
      expect(total(records)).to.equal(200);
      expect(total(samples(text, 'kinlog_analyze_bytes_read_total'))).to.be.above(200 * 20);
      const behind = samples(text, 'kinlog_analyze_millis_behind_latest');
      expect(behind.size).to.equal(shards);
      expect(
        samples(text, 'kinlog_analyze_iterations_total').get('{result="committed"}'),
      ).to.be.at.least(2);
      expect(
        samples(text, 'kinlog_analyze_iteration_duration_seconds_count').get(
          '{result="committed"}',
        ),
      ).to.be.at.least(2);
      expect(samples(text, 'kinlog_analyze_leases_held').get('')).to.equal(shards);
      expect(samples(text, 'kinlog_analyze_lease_changes_total').get('{change="taken"}')).to.equal(
        shards,
      );
      expect(samples(text, 'kinlog_analyze_lease_changes_total').get('{change="stolen"}')).to.equal(
        0,
      );
      expect(text).to.include('# TYPE kinlog_analyze_errors_total counter');
      const notFound = await fetch(`http://127.0.0.1:${port}/other`);
      expect(notFound.status).to.equal(404);
    } finally {
      // Stopped on a schedule: between iterations it ends quietly, in one it ends as aborted.
      abort.abort();
      const end = await running.then(
        () => undefined,
        (e: unknown) => e,
      );
      if (end !== undefined) expect((end as Error).name).to.equal('AbortError');
    }
  });

  it('--metrics-host needs --metrics-port, and the port must be one', async () => {
    const problemsOf = async (extra: string[]): Promise<string> => {
      const program = new Command('kinlog').exitOverride();
      program.addCommand(
        analyzeCommand({
          signal: new AbortController().signal,
          stdout: new PassThrough(),
          stderr: new PassThrough(),
        }),
      );
      const argv = ['node', 'kinlog', 'analyze', '--stream', 'logs', '--name', 'web', ...extra];
      const err = await program.parseAsync(argv).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(ConfigError);
      return (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`).join('\n');
    };
    expect(await problemsOf(['--metrics-host', '0.0.0.0'])).to.include(
      '--metrics-host: needs --metrics-port',
    );
    expect(await problemsOf(['--metrics-port', '70000'])).to.include(
      '--metrics-port: must be a port from 0 to 65535',
    );
  });
});
