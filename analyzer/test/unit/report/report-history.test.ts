import { expect } from 'chai';
import type { ClassifiedEvent } from '../../../src/classify/classify-event.js';
import { TopNAggregator } from '../../../src/aggregate/top-n-aggregator.js';
import type { TopNResult } from '../../../src/aggregate/top-n-result.js';
import { readStoredReport, type StoredReport } from '../../../src/checkpoint/stored-report.js';
import { CorruptItemError } from '../../../src/errors.js';
import { renderCsv } from '../../../src/report/render-csv.js';
import { renderHtml } from '../../../src/report/render-html.js';
import { renderJson } from '../../../src/report/render-json.js';
import { renderTable } from '../../../src/report/render-table.js';
import { renderText } from '../../../src/report/render-text.js';
import { buildReportView, changeLabel } from '../../../src/report/report-view.js';
import { sampleResult, sampleStoredReport } from '../../support/report-fixtures.js';

/** A real result: `counts` maps page → errors (region EU), counted by the aggregator. */
function resultOf(counts: Record<string, number>, previous?: TopNResult): TopNResult {
  const topN = new TopNAggregator();
  for (const [page, n] of Object.entries(counts)) {
    const event: ClassifiedEvent = { kind: 'error5xx', region: 'EU', page, signature: '503' };
    for (let i = 0; i < n; i++) topN.add(event);
  }
  return topN.result(50, previous);
}

function stored(iteration: number, result: TopNResult): StoredReport {
  return sampleStoredReport('web', iteration, result);
}

interface JsonReport {
  rows: { page: string; trend: (number | null)[]; change: { isNew: boolean } | null }[];
  gone: { page: string; previousCount: number; count: number | null; state: string }[];
  trendIterations: number[];
  notes: string[];
  requestedTop: number;
  storedRows: number;
}

describe('report history: new rows, gone rows, trend', () => {
  const one = resultOf({ '/a': 10, '/b': 5, '/f': 4, '/c': 3 });
  const two = resultOf({ '/a': 12, '/d': 4, '/g': 3, '/f': 2 }, one);
  const view = buildReportView(stored(2, two), { top: 3, history: [stored(1, one)] });

  it('marks a row that had no errors before as new, not "?"', () => {
    const d = view.rows.find((r) => r.page === '/d')!;
    expect(changeLabel(d)).to.equal('new');
    expect(changeLabel(view.rows.find((r) => r.page === '/a')!)).to.equal('+2');
    // /g was below the previous top 3 yet its count is known from the stored key counts.
    expect(changeLabel(view.rows.find((r) => r.page === '/g')!)).to.equal('new');
  });

  it('lists rows of the previous iteration that are gone, resolved or below the cut-off', () => {
    expect(view.previousIteration).to.equal(1);
    expect(view.gone).to.deep.equal([
      { region: 'EU', page: '/b', previousCount: 5, count: 0, state: 'resolved' },
      { region: 'EU', page: '/f', previousCount: 4, count: 2, state: 'below-cut-off' },
    ]);
    const json = JSON.parse(renderJson(view)) as JsonReport;
    expect(json.gone.map((g) => [g.page, g.state])).to.deep.equal([
      ['/b', 'resolved'],
      ['/f', 'below-cut-off'],
    ]);
    const html = renderHtml(view);
    expect(html).to.include('<table id="gone"');
    expect(html).to.include('class="gone-resolved"');
    expect(html).to.match(/\/b<\/bdi>[\s\S]*0, resolved/);
    expect(renderTable(view, { width: 160 })).to.include('gone since #1');
    expect(renderTable(view, { width: 160 })).to.match(/EU \/b: 5 → 0, resolved/);
    expect(renderText(view)).to.match(/EU \/f: 4 → 2, below the cut-off/);
    const csv = renderCsv(view).split('\r\n');
    expect(csv.some((line) => line.startsWith('resolved,,EU,/b,0,'))).to.equal(true);
    expect(csv.some((line) => line.startsWith('below-cut-off,,EU,/f,2,'))).to.equal(true);
  });

  it('shows a trend over up to 8 previous iterations, oldest first, in every format', () => {
    const counts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const results: TopNResult[] = [];
    for (const n of counts)
      results.push(resultOf({ '/a': n, ...(n % 2 === 0 ? { '/x': n } : {}) }));
    const history = results
      .slice(0, 9)
      .map((r, i) => stored(i + 1, r))
      .reverse();
    const last = buildReportView(stored(10, results[9]!), { top: 5, history });
    expect(last.trendIterations).to.deep.equal([2, 3, 4, 5, 6, 7, 8, 9]);
    const a = last.rows.find((r) => r.page === '/a')!;
    expect(a.trend).to.deep.equal([2, 3, 4, 5, 6, 7, 8, 9]);
    const x = last.rows.find((r) => r.page === '/x')!;
    expect(x.trend).to.deep.equal([2, 0, 4, 0, 6, 0, 8, 0]);
    const json = JSON.parse(renderJson(last)) as JsonReport;
    expect(json.trendIterations).to.deep.equal([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(json.rows.find((r) => r.page === '/x')!.trend).to.deep.equal([2, 0, 4, 0, 6, 0, 8, 0]);
    expect(renderHtml(last)).to.include('class="trend"').and.to.include('2 0 4 0 6 0 8 0');
    expect(renderTable(last, { width: 160 })).to.include('before #2…#9');
    expect(renderTable(last, { width: 160 })).to.include('2 0 4 0 6 0 8 0');
    expect(renderText(last)).to.include('before 2 0 4 0 6 0 8 0');
    expect(renderCsv(last)).to.include(',2 0 4 0 6 0 8 0,');
  });

  it('reads a gap in the history as the end of the trend', () => {
    const gap = buildReportView(stored(5, two), { history: [stored(3, one)] });
    expect(gap.trendIterations).to.deep.equal([]);
    expect(gap.previousIteration).to.equal(null);
  });

  it('shows an unknown earlier count as ? when a format 1 report was cut off', () => {
    const { keyHistory: _dropped, ...cut } = resultOf({ '/a': 10, '/b': 5, '/c': 3 });
    const formatOne = {
      ...stored(1, { ...cut, rows: cut.rows.slice(0, 1) }),
      formatVersion: 1 as const,
    };
    const now = resultOf({ '/a': 1, '/c': 7 });
    const v = buildReportView(stored(2, now), { history: [formatOne] });
    const c = v.rows.find((r) => r.page === '/c')!;
    expect(changeLabel(c)).to.equal('?');
    expect(c.trend).to.deep.equal([null]);
  });
});

describe('stored report formats', () => {
  it('reads format 1 (no countError, no key history) and bounds full signature slots', () => {
    const v1Result = JSON.parse(JSON.stringify(sampleResult(3))) as {
      rows: { signatures: { signature: string; count: number; countError?: number }[] }[];
    };
    v1Result.rows[0]!.signatures = Array.from({ length: 5 }, (_, i) => ({
      signature: `s${i}`,
      count: 5 - i,
    }));
    for (const row of v1Result.rows.slice(1)) for (const s of row.signatures) delete s.countError;
    const v1 = { ...sampleStoredReport(), formatVersion: 1 as const, result: v1Result };
    const view = buildReportView(readStoredReport(v1));
    // Five slots used: any of them may have been replaced; each was seen at least once.
    expect(view.rows[0]!.signatures.map((s) => s.countError)).to.deep.equal([4, 3, 2, 1, 0]);
    expect(view.rows[1]!.signatures.map((s) => s.countError)).to.deep.equal([0, 0]);
    expect(renderText(view)).to.include('s0 (1–5)');
  });

  it('reads format 2 as written', () => {
    const { formats: _none, ...written } = stored(1, resultOf({ '/a': 2 }));
    const v2 = { ...written, formatVersion: 2 as const };
    const view = buildReportView(readStoredReport(v2));
    expect(view.rows[0]!.signatures[0]!.countError).to.equal(0);
    expect(view.formats).to.equal(null);
  });

  it('refuses a format it does not know, saying so', () => {
    const future = { ...sampleStoredReport(), formatVersion: 99 };
    expect(() => readStoredReport(future)).to.throw(CorruptItemError, /formatVersion 99/);
  });
});

describe('estimates and short reports are said, in every format', () => {
  it('marks estimated counts with the range they lie in', () => {
    const estimated = sampleResult(3, (row, i) => (i === 0 ? { ...row, countError: 4 } : row));
    const view = buildReportView(
      sampleStoredReport('web', 1, { ...estimated, bounded: true, errorBound: 4 }),
    );
    expect(renderTable(view, { width: 160 })).to.include('116–120');
    expect(renderText(view)).to.include('116–120 errors');
    expect(renderHtml(view)).to.include('class="estimate"').and.to.include('116–120');
    const json = JSON.parse(renderJson(view)) as {
      rows: { estimated: boolean; countError: number }[];
    };
    expect(json.rows[0]).to.include({ estimated: true, countError: 4 });
    expect(renderCsv(view).split('\r\n')[1]).to.match(/^top,1,EU,\/checkout,120,4,/);
    expect(renderTable(view, { width: 300 })).to.include('≈40 keys (estimate ±0.8%)');
  });

  it('says when --top asks for more rows than the iteration stored', () => {
    const view = buildReportView(sampleStoredReport('web', 1, sampleResult(10)), { top: 20 });
    expect(view.rows).to.have.length(10);
    const note = '20 rows asked for, 10 shown: iteration 1 stored only 10 rows';
    expect(renderTable(view, { width: 300 })).to.include(note);
    expect(renderText(view)).to.include(note);
    expect(renderHtml(view)).to.include(note);
    const json = JSON.parse(renderJson(view)) as JsonReport;
    expect(json.notes.join('\n')).to.include(note);
    expect(json).to.include({ requestedTop: 20, storedRows: 10 });
    // Fewer keys than asked for is no shortfall: nothing to say.
    const all = buildReportView(
      sampleStoredReport('web', 1, {
        ...sampleResult(10),
        totals: { ...sampleResult(10).totals, distinctKeys: 10 },
      }),
      { top: 20 },
    );
    expect(renderText(all)).not.to.include('rows asked for');
  });

  it('stores more rows than analyze shows, so report --top 20 is true', () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 30; i++) counts[`/p${i}`] = 30 - i;
    const view = buildReportView(stored(1, resultOf(counts)), { top: 20 });
    expect(view.rows).to.have.length(20);
    expect(renderText(view)).not.to.include('rows asked for');
  });
});
