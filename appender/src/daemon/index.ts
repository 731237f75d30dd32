export { StateDirError } from '../errors.js';
export { ShipDaemon, type ShipDaemonOptions, type ShipDaemonEvents } from './ship-daemon.js';
export { shipCommand, SHIP_USAGE_EXIT_CODE } from './ship-command.js';
export {
  resolveShipConfig,
  defaultStateDir,
  ShipDefaults,
  StartAt,
  LongLines,
  type ShipConfig,
  type ShipConfigInput,
  type ShipFlow,
  type ShipFlowInput,
} from './ship-config.js';
export { loadShipConfig } from './load-ship-config.js';
export { formatStatsLine, type ShipStats, type ShipFileStats } from './ship-stats.js';
export { type ShipCounters } from './ship-counters.js';
export { startShipMetrics, type ShipMetricsServer } from './ship-metrics.js';
export { StateStore, STATE_FILE_NAME, type FileState, type ShipState } from './state-store.js';
