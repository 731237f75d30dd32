export {
  AnalyzeMetrics,
  AnalyzeMetricsLimits,
  IterationResults,
  serveMetrics,
  type IterationResult,
  type MetricsServer,
} from './analyze-metrics.js';
export {
  MeteredShardSource,
  MeteredShardSourceLimits,
  type ShardReadObserver,
} from './metered-shard-source.js';
