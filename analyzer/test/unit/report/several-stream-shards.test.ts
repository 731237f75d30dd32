import { expect } from 'chai';
import {
  MULTI_STREAM_REPORT_FORMAT,
  type StoredReport,
} from '../../../src/checkpoint/stored-report.js';
import { renderHtml } from '../../../src/report/render-html.js';
import { renderJson } from '../../../src/report/render-json.js';
import { renderTable } from '../../../src/report/render-table.js';
import { renderText } from '../../../src/report/render-text.js';
import { buildReportView } from '../../../src/report/report-view.js';
import { sampleStoredReport } from '../../support/report-fixtures.js';

/** An iteration of a name over two streams: `logs` (two shards) and `clicks` (one). */
function twoStreams(): StoredReport {
  const stored = sampleStoredReport();
  return {
    ...stored,
    formatVersion: MULTI_STREAM_REPORT_FORMAT,
    streams: [
      { stream: stored.stream, window: stored.window },
      {
        stream: 'clicks',
        window: [
          {
            shardId: 'shardId-000000000000',
            parentShardIds: [],
            endSeq: '49660000000000000000000000000000000000000000000000000042',
            records: 42,
            closed: false,
            stopReason: 'caughtUp',
          },
        ],
      },
    ],
  };
}

describe('report shards of a name over several streams', () => {
  const view = buildReportView(twoStreams());

  it('lists every stream’s shards, each named by its stream', () => {
    expect(view.shards.map((s) => [s.stream, s.shardId, s.records])).to.deep.equal([
      ['logs', 'shardId-000000000000', 3000],
      ['logs', 'shardId-000000000001', 2000],
      ['clicks', 'shardId-000000000000', 42],
    ]);
    const shardLines = [
      'logs/shardId-000000000000: 3000 records (…0000000001, …0000009999] caughtUp',
      'logs/shardId-000000000001: 2000 records (start, …0000008888] caughtUp',
      'clicks/shardId-000000000000: 42 records (start, …0000000042] caughtUp',
    ];
    const text = renderText(view);
    const table = renderTable(view, { width: 300 });
    const html = renderHtml(view);
    for (const line of shardLines) {
      expect(text).to.include(`  ${line}\n`);
      expect(table).to.include(`shard   ${line}\n`);
      expect(html).to.include(line);
    }
    const json = JSON.parse(renderJson(view)) as { window: Record<string, unknown>[] };
    expect(json.window.map((w) => [w['stream'], w['shardId'], w['records']])).to.deep.equal([
      ['logs', 'shardId-000000000000', 3000],
      ['logs', 'shardId-000000000001', 2000],
      ['clicks', 'shardId-000000000000', 42],
    ]);
  });

  it('names every stream in the header of text, table and HTML', () => {
    expect(renderText(view)).to.include('(streams logs, clicks)');
    expect(renderTable(view, { width: 300 })).to.include('· streams logs, clicks');
    expect(renderHtml(view)).to.include('streams <bdi>logs</bdi>, <bdi>clicks</bdi> ·');
    const single = buildReportView(sampleStoredReport());
    expect(renderText(single)).to.include('(stream logs)');
    expect(renderHtml(single)).to.include('stream <bdi>logs</bdi> ·');
  });

  it('keeps a single stream’s shards as they were: no stream names', () => {
    const single = buildReportView(sampleStoredReport());
    expect(single.shards.map((s) => s.stream)).to.deep.equal(['logs', 'logs']);
    expect(renderText(single)).to.include(
      '  shardId-000000000000: 3000 records (…0000000001, …0000009999] caughtUp\n',
    );
    const json = JSON.parse(renderJson(single)) as { window: Record<string, unknown>[] };
    expect(json.window.every((w) => !('stream' in w))).to.equal(true);
  });
});
