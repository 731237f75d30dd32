import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  readStoredReport,
  STORED_REPORT_FORMAT,
  StoredReportFormats,
  streamCutsOf,
} from '../../../src/checkpoint/stored-report.js';
import { CorruptItemError } from '../../../src/errors.js';
import { renderText } from '../../../src/report/render-text.js';
import { buildReportView } from '../../../src/report/report-view.js';
import { sampleResult, sampleStoredReport } from '../../support/report-fixtures.js';
import { expectGolden } from '../report/golden.js';

/** Stored items of every version, as their writers left them (tests run from dist/test/unit). */
const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/report/', import.meta.url));

async function fixture(file: string): Promise<unknown> {
  return JSON.parse(await readFile(FIXTURES + file, 'utf8')) as unknown;
}

describe('readStoredReport', () => {
  it('writes and reads the current format unchanged', () => {
    const written = sampleStoredReport();
    expect(written.formatVersion).to.equal(STORED_REPORT_FORMAT);
    const read = readStoredReport(JSON.parse(JSON.stringify(written)));
    expect(read).to.deep.equal(written);
  });

  it('has a fixture item of every version', async () => {
    for (const version of Object.values(StoredReportFormats)) {
      const item = await fixture(`stored-v${version}.json`);
      expect(readStoredReport(item).formatVersion).to.equal(version);
    }
  });

  it('reads format 1: bounds full signature slots, no key history, no formats', async () => {
    const report = readStoredReport(await fixture('stored-v1.json'));
    expect(report.formatVersion).to.equal(1);
    // Five slots used: any may have been replaced; each was seen at least once.
    expect(report.result.rows[0]!.signatures.map((s) => s.countError)).to.deep.equal([
      22, 21, 20, 19, 18,
    ]);
    expect(report.result.rows[1]!.signatures.map((s) => s.countError)).to.deep.equal([0, 0]);
    expect(report.result.keyHistory).to.equal(undefined);
    expect(report.formats).to.equal(undefined);
    expect(report.decode.misplaced).to.equal(0);
    await expectGolden('stored-v1.txt', renderText(buildReportView(report)));
  });

  it('reads format 2: signature bounds and key history as written, no formats', async () => {
    const report = readStoredReport(await fixture('stored-v2.json'));
    expect(report.formatVersion).to.equal(2);
    expect(report.result.rows[1]!.signatures.map((s) => s.countError)).to.deep.equal([0, 2]);
    expect(report.result.keyHistory?.kind).to.equal('counts');
    expect(report.formats).to.equal(undefined);
    await expectGolden('stored-v2.txt', renderText(buildReportView(report)));
  });

  it('reads format 3: formats, with 0 for formats its detector did not know', async () => {
    const report = readStoredReport(await fixture('stored-v3.json'));
    expect(report.formatVersion).to.equal(3);
    expect(report.formats?.counts).to.include({ json: 4000, syslog: 0, apacheError: 0 });
    expect(report.result.keyHistory?.kind).to.equal('filter');
    await expectGolden('stored-v3.txt', renderText(buildReportView(report)));
  });

  it('reads format 4: every stream of a name, the first being stream and window', async () => {
    const report = readStoredReport(await fixture('stored-v4.json'));
    expect(report.formatVersion).to.equal(4);
    expect(streamCutsOf(report).map((c) => [c.stream, c.window.length])).to.deep.equal([
      ['logs', 2],
      ['logs-eu', 1],
    ]);
    expect(report.formats?.parser).to.equal('auto');
  });

  it('reads format 5: a whole-stream run, numbered in iteration, with its since', async () => {
    const report = readStoredReport(await fixture('stored-v5.json'));
    expect(report.formatVersion).to.equal(5);
    expect(report.iteration).to.equal(2);
    expect(report.run).to.deep.equal({ since: '2025-03-01T04:20:00.000Z' });
    expect(report.formats?.counts).to.include({ json: 4000 });
  });

  it('keeps run absent in the reports of iterations', async () => {
    for (const version of [1, 2, 3, 4])
      expect(readStoredReport(await fixture(`stored-v${version}.json`)).run).to.equal(undefined);
  });

  it('reads the one stream of a report before format 4 as its only cut', async () => {
    const report = readStoredReport(await fixture('stored-v3.json'));
    expect(report.streams).to.equal(undefined);
    expect(streamCutsOf(report)).to.deep.equal([{ stream: 'logs', window: report.window }]);
  });

  it("reads lease workers' reports with how they were made", async () => {
    const report = readStoredReport(await fixture('stored-v1-leased.json'));
    expect(report.leased).to.deep.equal({
      cutBy: 'worker-a',
      mergedBy: 'worker-b',
      boundedShards: ['shardId-000000000001'],
    });
    // Written with signature bounds although labelled 1: the written bounds are kept.
    expect(report.result.rows[1]!.signatures.map((s) => s.countError)).to.deep.equal([0, 2]);
    expect(report.result.keyHistory?.kind).to.equal('counts');
  });

  it('refuses a newer format, saying to upgrade', () => {
    expect(() => readStoredReport({ ...sampleStoredReport(), formatVersion: 99 }))
      .to.throw(CorruptItemError, /formatVersion 99 is not one this kinlog reads/)
      .with.property('message')
      .that.matches(/web#REPORT \/ 42/)
      .and.matches(/upgrade kinlog/);
  });

  it('names every field of the wrong shape, and counts those past the first five', () => {
    const broken = {
      ...sampleStoredReport(),
      stream: 7,
      result: { ...sampleResult(), rows: [{ region: 1 }] },
    };
    expect(() => readStoredReport(broken, 'web#REPORT / 42'))
      .to.throw(CorruptItemError)
      .with.property('message')
      .that.matches(/stream: /)
      .and.matches(/result\.rows\.0\.region/)
      .and.matches(/and \d+ more/);
  });

  it('requires formats from format 3 on, and checks them', () => {
    const { formats: _dropped, ...noFormats } = sampleStoredReport();
    expect(() => readStoredReport(noFormats)).to.throw(CorruptItemError, /formats/);
    const bad = { ...sampleStoredReport(), formats: { detectorVersion: 'x', counts: {} } };
    expect(() => readStoredReport(bad)).to.throw(CorruptItemError, /formats\.detectorVersion/);
  });

  it('refuses what is not an object', () => {
    expect(() => readStoredReport('a report')).to.throw(CorruptItemError, /JSON object/);
    expect(() => readStoredReport(null)).to.throw(CorruptItemError, /stored report/);
  });
});
