import type { AwsConnectionOptions } from '@kinlog/core';
import type { AnalyzeMetrics } from '../metrics/analyze-metrics.js';
import { MeteredShardSource } from '../metrics/metered-shard-source.js';
import { KinesisShardSource, type ShardSource } from '../stream/kinesis-shard-source.js';

/** The metrics of one `kinlog analyze --metrics-port` run. */
export interface AnalyzeMetricsRun {
  readonly metrics: AnalyzeMetrics;
  /** Reads Kinesis and counts what it read; give it to the analyzer and the lease worker. */
  readonly source: ShardSource;
  readonly port: number;
  /** Stops serving and closes the source. */
  close(): Promise<void>;
}

/**
 * Starts `/metrics` for `kinlog analyze`. prom-client is loaded here, on demand: a run
 * without `--metrics-port` never loads it.
 *
 * @example
 * ```ts
 * const run = await startAnalyzeMetricsRun({ port: 9465, kinesis: {} });
 * new Analyzer({ name: 'web', stream: 'logs', source: run.source });
 * await run.close();
 * ```
 */
export async function startAnalyzeMetricsRun(options: {
  readonly port: number;
  readonly host?: string;
  readonly kinesis: AwsConnectionOptions;
}): Promise<AnalyzeMetricsRun> {
  const { AnalyzeMetrics, serveMetrics } = await import('../metrics/analyze-metrics.js');
  const metrics = new AnalyzeMetrics();
  const server = await serveMetrics(metrics.registry, options.port, options.host);
  const source = new MeteredShardSource(new KinesisShardSource(options.kinesis), metrics);
  let closed: Promise<void> | undefined;
  return {
    metrics,
    source,
    port: server.port,
    close: () => (closed ??= server.close().finally(() => source.close())),
  };
}
