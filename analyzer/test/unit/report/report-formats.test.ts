import { expect } from 'chai';
import type { StoredReport } from '../../../src/checkpoint/stored-report.js';
import { formatTable } from '../../../src/cli/format-report.js';
import { renderCsv } from '../../../src/report/render-csv.js';
import { renderHtml } from '../../../src/report/render-html.js';
import { renderJson } from '../../../src/report/render-json.js';
import { renderTable } from '../../../src/report/render-table.js';
import { renderText } from '../../../src/report/render-text.js';
import { buildReportView } from '../../../src/report/report-view.js';
import { sampleResult, sampleStoredReport } from '../../support/report-fixtures.js';

/** A report as analyzers wrote it before formats were recorded (stored formats 1 and 2). */
function reportWithoutFormats(formatVersion: 1 | 2): StoredReport {
  const { formats: _dropped, ...rest } = sampleStoredReport();
  return { ...rest, formatVersion };
}

describe('records per format in reports', () => {
  const view = buildReportView(sampleStoredReport());

  it('adds up to the events, in every format', () => {
    const sum = view.formats!.counts.reduce((n, c) => n + c.records, 0);
    expect(sum).to.equal(view.totals.events);
    const label = 'json 4000, access 900, log4j 60, raw 40; detector v1';
    expect(renderTable(view, { width: 300 })).to.include(`5000 events (${label})`);
    expect(renderText(view)).to.include(`5000 events (${label})`);
    expect(renderHtml(view)).to.include(`events by format: ${label}`);
    expect((JSON.parse(renderJson(view)) as { formats: unknown }).formats).to.deep.equal({
      detectorVersion: 1,
      parser: 'auto',
      counts: { json: 4000, access: 900, log4j: 60, raw: 40 },
    });
    expect(renderCsv(view)).to.include(
      '\r\n\r\nformat,records,detector_version\r\njson,4000,1\r\naccess,900,1\r\nlog4j,60,1\r\nraw,40,1\r\n',
    );
    expect(
      formatTable('web #42', sampleResult(), undefined, sampleStoredReport().formats).split(
        '\n',
      )[0],
    ).to.equal(
      `web #42: 5000 records (${label}), 1000 errors (600 5xx, 300 4xx, 100 by level), 7 unparsed`,
    );
  });

  it('names a parser other than auto', () => {
    const stored = sampleStoredReport();
    const apache = buildReportView({
      ...stored,
      formats: { ...stored.formats!, parser: 'apache' },
    });
    expect(renderText(apache)).to.include('; detector v1, parser apache)');
  });

  for (const formatVersion of [1, 2] as const) {
    it(`still reads stored format ${formatVersion} reports, saying formats were not recorded`, () => {
      const old = buildReportView(reportWithoutFormats(formatVersion));
      expect(old.formats).to.equal(null);
      expect(old.totals.events).to.equal(5000);
      const note = `formats not recorded: stored format ${formatVersion}`;
      expect(renderText(old)).to.include(`5000 events (${note})`);
      expect(renderTable(old, { width: 300 })).to.include(note);
      expect(renderHtml(old)).to.include(note);
      expect((JSON.parse(renderJson(old)) as { formats: unknown }).formats).to.equal(null);
      expect(renderCsv(old)).to.include(
        'format,records,detector_version\r\nnot recorded,5000,\r\n',
      );
    });
  }

  it('says when the analyze table has no formats to show', () => {
    expect(formatTable('web #1', sampleResult())).to.include(
      '5000 records (formats not recorded: stored by an older analyzer)',
    );
  });
});
