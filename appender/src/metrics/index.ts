export { registerKinlogMetrics, KinlogMetricsDefaults } from './register-kinlog-metrics.js';
export { statsReaderOf, type MetricsSource, type StatsReader } from './stats-source.js';
