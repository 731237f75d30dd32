/**
 * The default parser (`auto`) on text records as third-party producers write them (one line
 * per record, with or without a trailing newline): it must find exactly the errors the format's
 * own parser finds, per (region, page), and say how many records each format matched.
 */
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { FORMAT_DETECTOR_VERSION, type ParserName } from '@kinlog/core';
import { createTestStream } from '@kinlog/testkit';
import { expect } from 'chai';
import {
  Analyzer,
  analyzeCommand,
  DynamoCheckpointStore,
  STORED_REPORT_FORMAT,
  type StoredReport,
  type TopNResult,
} from '../../src/index.js';
import { freshTables, kinesis } from '../support/stream-fixtures.js';

const FIXTURES = new URL('../../../test/fixtures/formats/', import.meta.url);

function fixtureLines(file: string): string[] {
  return readFileSync(new URL(file, FIXTURES), 'utf8')
    .split('\n')
    .filter((line) => line !== '');
}

/** Puts each text as one record; every other one ends with "\n" (as the Kinesis Agent may). */
async function putText(client: KinesisClient, stream: string, texts: readonly string[]) {
  for (let start = 0; start < texts.length; start += 500) {
    const Records = texts.slice(start, start + 500).map((text, i) => ({
      PartitionKey: `k-${start + i}`,
      Data: Buffer.from((start + i) % 2 === 0 ? text : `${text}\n`),
    }));
    const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records }));
    if ((out.FailedRecordCount ?? 0) > 0) throw new Error('put failed');
  }
}

/** Runs `kinlog analyze` with `args`; its stdout and stderr. */
async function runCli(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c: Buffer) => (out.stdout += c.toString()));
  stderr.on('data', (c: Buffer) => (out.stderr += c.toString()));
  const program = new Command('kinlog').exitOverride();
  program.addCommand(analyzeCommand({ signal: new AbortController().signal, stdout, stderr }));
  await program.parseAsync(['node', 'kinlog', 'analyze', ...args]);
  return out;
}

/** Errors per `region page`, from every row (fixtures have far fewer keys than 50). */
function errorsByKey(result: TopNResult): Record<string, number> {
  expect(result.rows.length).to.be.below(50);
  return Object.fromEntries(result.rows.map((r) => [`${r.region} ${r.page}`, r.count]));
}

async function analyze(stream: string, parser?: ParserName) {
  const analyzer = new Analyzer({
    name: 'formats',
    stream,
    topN: 50,
    minCallIntervalMs: 0,
    ...(parser === undefined ? {} : { parser }),
  });
  try {
    return await analyzer.wholeStream();
  } finally {
    analyzer.close();
  }
}

describe('auto format detection on text records (local Kinesis)', function () {
  this.timeout(120_000);
  const client = kinesis();
  after(() => client.destroy());

  const CASES: { file: string; parser: ParserName; format: string }[] = [
    { file: 'apache-combined.log', parser: 'apache', format: 'access' },
    { file: 'nginx-timings.log', parser: 'nginx', format: 'access' },
    { file: 'log4j-hadoop.log', parser: 'log4j', format: 'log4j' },
    { file: 'syslog-mixed.log', parser: 'syslog', format: 'syslog' },
  ];
  for (const { file, parser, format } of CASES) {
    it(`${file}: default analyze finds exactly the errors --parser ${parser} finds`, async () => {
      const lines = fixtureLines(file);
      const stream = await createTestStream(1);
      await putText(client, stream, lines);
      const auto = await analyze(stream);
      const named = await analyze(stream, parser);
      expect(auto.result.totals.events).to.equal(lines.length);
      expect(auto.result.totals.errors).to.be.greaterThan(10);
      expect(auto.result.totals.errors).to.equal(named.result.totals.errors);
      expect(errorsByKey(auto.result)).to.deep.equal(errorsByKey(named.result));
      // Every line of the format was read as it; only stack-trace lines (log4j) are raw text.
      const stackLines = lines.filter((l) => /^(\s|java\.)/.test(l)).length;
      expect(auto.formats[format]).to.equal(lines.length - stackLines);
      expect(auto.formats.raw).to.equal(stackLines);
      expect(Object.values(auto.formats).reduce((a, b) => a + b, 0)).to.equal(lines.length);
    });
  }

  it('plain-text lines: errors by their upper-case level word, not by lower-case prose', async () => {
    const lines = fixtureLines('plain-levels.log');
    const stream = await createTestStream(1);
    await putText(client, stream, lines);
    const auto = await analyze(stream);
    const expected = lines.filter((l) => / (ERROR|FATAL) /.test(l)).length;
    expect(expected).to.be.greaterThan(20);
    expect(auto.result.totals.errors).to.equal(expected);
    expect(auto.result.totals.errorsLevel).to.equal(expected);
    // The raw parser (what `auto` used to be for text) finds none of them.
    const raw = await analyze(stream, 'raw');
    expect(raw.result.totals.errors).to.equal(0);
  });

  it('a mixed stream: each record in its own format, the counts adding up to the records', async () => {
    const apache = fixtureLines('apache-combined.log').slice(0, 40);
    const log4j = fixtureLines('log4j-hadoop.log')
      .filter((l) => /^\d/.test(l))
      .slice(0, 30);
    const json = Array.from({ length: 25 }, (_, i) =>
      JSON.stringify({ level: i % 5 === 0 ? 'error' : 'info', msg: `job ${i}`, page: '/jobs' }),
    );
    const garbage = ['', '\u0000\u0001', '{"truncated', 'plain words', '<html>'];
    const texts = [...apache, ...log4j, ...json, ...garbage];
    // Interleaved, so nothing can be decided per stream.
    const mixed = texts
      .map((t, i) => ({ t, k: (i * 7919) % texts.length }))
      .sort((a, b) => a.k - b.k);
    const stream = await createTestStream(2);
    await putText(
      client,
      stream,
      mixed.map((m) => m.t),
    );
    const { result, formats } = await analyze(stream);
    expect(formats).to.deep.include({
      json: json.length,
      access: apache.length,
      log4j: log4j.length,
      raw: garbage.length,
    });
    expect(Object.values(formats).reduce((a, b) => a + b, 0))
      .to.equal(result.totals.events)
      .and.to.equal(texts.length);
    const apacheErrors = apache.filter((l) => / [45]\d\d \d+ /.test(l)).length;
    const log4jErrors = log4j.filter((l) => / (ERROR|FATAL) /.test(l)).length;
    expect(result.totals.errors).to.equal(apacheErrors + log4jErrors + 5);
  });

  it('stores the detector version and counts; a rerun under another detector shows the stored result', async () => {
    const stream = await createTestStream(1);
    const tables = freshTables();
    const store = new DynamoCheckpointStore(tables);
    await store.createTables();
    const analyzer = new Analyzer({ name: 'web', stream, store, minCallIntervalMs: 0 });
    try {
      await putText(client, stream, fixtureLines('apache-combined.log').slice(0, 50));
      const first = await analyzer.runIteration();
      expect(first.report.formatVersion).to.equal(STORED_REPORT_FORMAT);
      expect(first.report.formats).to.deep.include({
        detectorVersion: FORMAT_DETECTOR_VERSION,
        parser: 'auto',
      });
      expect(first.report.formats!.counts.access).to.equal(50);
      const rerun = await analyzer.rerunIteration(1);
      expect(rerun.countedByOtherDetector).to.equal(undefined);
      expect(rerun.report.result).to.deep.equal(first.report.result);
      expect(rerun.report.formats).to.deep.equal(first.report.formats);

      // Iteration 2 as an older analyzer stored it: format 2, no formats.
      await putText(client, stream, fixtureLines('apache-combined.log').slice(50, 60));
      await store.claimIteration('web', 2, stream, 'old-analyzer', 60_000);
      const { formats: _none, ...old } = {
        ...first.report,
        iteration: 2,
        formatVersion: 2 as const,
      };
      const oldReport: StoredReport = { ...old, result: { ...first.report.result } };
      await store.putReport(oldReport);
      await store.commitIteration('web', 2, 'old-analyzer');
      const stale = await analyzer.rerunIteration(2);
      expect(stale.countedByOtherDetector).to.deep.equal({ detectorVersion: null });
      expect(stale.report).to.deep.equal(oldReport);
      const cli = await runCli([
        '--stream',
        stream,
        '--name',
        'web',
        '--checkpoints-table',
        tables.checkpointsTable,
        '--iterations-table',
        tables.iterationsTable,
        '--iteration',
        '2',
      ]);
      expect(cli.stderr).to.include(
        'iteration 2 was counted before formats were recorded (stored format 2)',
      );
      expect(cli.stderr).to.include('showing the stored result, not a recount');
      expect(cli.stdout).to.include('web #2 (stored): 50 records (formats not recorded');

      // …and one counted by a detector of another version.
      await store.claimIteration('web', 3, stream, 'other-analyzer', 60_000);
      await store.putReport({
        ...first.report,
        iteration: 3,
        formats: { ...first.report.formats!, detectorVersion: FORMAT_DETECTOR_VERSION + 1 },
      });
      await store.commitIteration('web', 3, 'other-analyzer');
      const newer = await analyzer.rerunIteration(3);
      expect(newer.countedByOtherDetector).to.deep.equal({
        detectorVersion: FORMAT_DETECTOR_VERSION + 1,
      });
      const { stdout } = await runCli([
        '--stream',
        stream,
        '--name',
        'web',
        '--checkpoints-table',
        tables.checkpointsTable,
        '--iterations-table',
        tables.iterationsTable,
        '--iteration',
        '1',
      ]);
      expect(stdout).to.include(
        `web #1 (rerun): 50 records (access 50; detector v${FORMAT_DETECTOR_VERSION})`,
      );
    } finally {
      analyzer.close();
      store.close();
    }
  });
});
