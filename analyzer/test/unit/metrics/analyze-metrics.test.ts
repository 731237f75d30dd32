import { expect } from 'chai';
import { AnalyzeMetrics, AnalyzeMetricsLimits, serveMetrics } from '../../../src/metrics/index.js';
import { ConfigError } from '@kinlog/core';

describe('AnalyzeMetrics', () => {
  it('counts reads per shard, iterations by result, lease changes and errors by kind', async () => {
    const m = new AnalyzeMetrics();
    m.onPage('logs', 'shardId-000000000001', 10, 1_000, 5_000);
    m.onPage('logs', 'shardId-000000000001', 5, 400, 0);
    m.onIteration('committed', 2);
    m.onIteration('conflict', 0.1);
    m.onLeaseTick({ renewed: 0, taken: ['a', 'b'], stolen: ['c'], lost: [], held: 3, target: 3 });
    m.onLeaseTick({ renewed: 3, taken: [], stolen: [], lost: ['a'], held: 2, target: 2 });
    m.onError(new ConfigError([{ path: 'x', message: 'y' }]));
    m.onError(Object.assign(new Error('throttled'), { code: 'ProvisionedThroughputExceeded' }));
    m.onError('not an error');
    const text = await m.registry.metrics();
    const shard = '{stream="logs",shard="shardId-000000000001"}';
    expect(text).to.include(`kinlog_analyze_records_read_total${shard} 15`);
    expect(text).to.include(`kinlog_analyze_bytes_read_total${shard} 1400`);
    expect(text).to.include(`kinlog_analyze_millis_behind_latest${shard} 0`);
    expect(text).to.include('kinlog_analyze_iterations_total{result="committed"} 1');
    expect(text).to.include('kinlog_analyze_iterations_total{result="conflict"} 1');
    expect(text).to.include('kinlog_analyze_iteration_duration_seconds_sum{result="committed"} 2');
    expect(text).to.include('kinlog_analyze_leases_held 2');
    expect(text).to.include('kinlog_analyze_lease_changes_total{change="taken"} 2');
    expect(text).to.include('kinlog_analyze_lease_changes_total{change="stolen"} 1');
    expect(text).to.include('kinlog_analyze_lease_changes_total{change="lost"} 1');
    // Our errors by their code, others by their AWS code or name.
    expect(text).to.include(`kinlog_analyze_errors_total{kind="CONFIG"} 1`);
    expect(text).to.include('kinlog_analyze_errors_total{kind="ProvisionedThroughputExceeded"} 1');
    expect(text).to.include('kinlog_analyze_errors_total{kind="unknown"} 1');
  });

  it('bounds the error kinds it labels', async () => {
    const m = new AnalyzeMetrics();
    for (let i = 0; i < AnalyzeMetricsLimits.MAX_ERROR_KINDS + 5; i++) {
      m.onError(Object.assign(new Error('x'), { code: `Code${i}` }));
    }
    const text = await m.registry.metrics();
    expect(text).to.include('kinlog_analyze_errors_total{kind="other"} 5');
    expect(text.match(/kinlog_analyze_errors_total\{/g)).to.have.length(
      AnalyzeMetricsLimits.MAX_ERROR_KINDS + 1,
    );
  });

  it('serves /metrics (404 elsewhere) and closes idempotently', async () => {
    const m = new AnalyzeMetrics();
    m.onIteration('failed', 1);
    const server = await serveMetrics(m.registry, 0);
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(res.headers.get('content-type')).to.include('text/plain');
      expect(await res.text()).to.include('kinlog_analyze_iterations_total{result="failed"} 1');
      expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).to.equal(404);
    } finally {
      await Promise.all([server.close(), server.close()]);
    }
  });
});
