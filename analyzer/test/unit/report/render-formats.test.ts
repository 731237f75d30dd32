import { expect } from 'chai';
import { renderCsv, csvCell } from '../../../src/report/render-csv.js';
import { renderJson } from '../../../src/report/render-json.js';
import { renderTable } from '../../../src/report/render-table.js';
import { renderText } from '../../../src/report/render-text.js';
import { reportSubject } from '../../../src/report/report-subject.js';
import { buildReportView } from '../../../src/report/report-view.js';
import { displayWidth } from '../../../src/report/display-width.js';
import { hostileResult, sampleStoredReport } from '../../support/report-fixtures.js';
import { expectGolden } from './golden.js';

const view = buildReportView(sampleStoredReport(), { top: 10 });
const owned = buildReportView(sampleStoredReport(), {
  top: 3,
  owners: new Map([
    ['/checkout', { owner: 'ana', team: 'payments' }],
    ['/api/orders/:id', { owner: 'bo' }],
  ]),
});

describe('report renderers', () => {
  it('table matches the golden file', async () => {
    await expectGolden('table.txt', renderTable(view, { width: 140 }));
  });

  it('table with owners matches the golden file', async () => {
    await expectGolden('table-owners.txt', renderTable(owned, { width: 100 }));
    // Narrower than the table: one block per row, nothing cut but long text.
    await expectGolden('table-narrow.txt', renderTable(owned, { width: 60 }));
  });

  it('json matches the golden file', async () => {
    await expectGolden('report.json', renderJson(view));
  });

  it('csv matches the golden file', async () => {
    await expectGolden('report.csv', renderCsv(view));
  });

  it('text body matches the golden file', async () => {
    await expectGolden('report.txt', renderText(view));
  });

  it('shows the top rows only, in stored order', () => {
    expect(view.rows.map((r) => r.rank)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(view.storedRows).to.equal(12);
    expect((JSON.parse(renderJson(view)) as { rows: unknown[] }).rows).to.have.length(10);
  });

  it('fits every table line to the width, and colors only when asked', () => {
    for (const width of [40, 60, 80, 100, 160]) {
      for (const line of renderTable(view, { width }).trimEnd().split('\n')) {
        expect(displayWidth(line), `${width}: ${line}`).to.be.at.most(width);
      }
    }
    expect(renderTable(view)).not.to.include('\u001b[');
    expect(renderTable(view, { color: true })).to.include('\u001b[1m');
  });

  it('subject reads like the top hot spot and never holds CR or LF', () => {
    expect(reportSubject(view)).to.equal('[kinlog] web #42: 1000 errors, top: EU /checkout 5xx');
    const evil = buildReportView(sampleStoredReport('web', 1, hostileResult()));
    for (const row of evil.rows) {
      const subject = reportSubject({ ...evil, rows: [row] });
      // eslint-disable-next-line no-control-regex
      expect(subject).not.to.match(/[\r\n\u0000-\u001f]/);
      expect(subject.length).to.be.at.most(200);
    }
  });

  it('csv quotes per RFC 4180 and defuses formulas', () => {
    expect(csvCell('a,b')).to.equal('"a,b"');
    expect(csvCell('say "hi"')).to.equal('"say ""hi"""');
    expect(csvCell('=1+2')).to.equal("'=1+2");
    expect(csvCell('+1')).to.equal("'+1");
    expect(csvCell('-1')).to.equal("'-1");
    expect(csvCell('@SUM(A1)')).to.equal("'@SUM(A1)");
    expect(csvCell('=HYPERLINK("x")')).to.equal('"\'=HYPERLINK(""x"")"');
    expect(csvCell(-3)).to.equal('-3');
    const csv = renderCsv(buildReportView(sampleStoredReport('web', 1, hostileResult())));
    // One physical line per row: control characters inside cells are escaped.
    // …then an empty line, the formats header and one line per format read (4 in the sample).
    expect(csv.split('\r\n')).to.have.length(hostileResult().rows.length + 2 + 2 + 4);
  });

  it('terminal output carries no escape sequence from logs', () => {
    const evil = buildReportView(sampleStoredReport('web', 1, hostileResult()));
    const out = renderTable(evil, { width: 200 }) + renderText(evil);
    expect(out).not.to.include('\u001b');
    expect(out).not.to.include('\u202e');
    expect(out).not.to.include('\u0000');
    expect(out).to.include('\\u202e');
    expect(out).to.include('\\u001b');
  });
});
