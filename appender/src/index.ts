export {
  KinesisSink,
  type KinesisSinkEvents,
  type SettleCallback,
  type SettleResult,
  type LineRange,
  type FlushEvent,
  type DropEvent,
} from './sink/kinesis-sink.js';
export {
  resolveSinkOptions,
  SinkDefaults,
  WhenFull,
  OversizePolicy,
  type KinesisSinkOptions,
  type ResolvedSinkOptions,
} from './sink/sink-options.js';
export {
  isAwsEndpoint,
  resolveWireProtocol,
  WireProtocol,
  WireProtocolChoice,
  type ResolvedWireProtocol,
} from './sink/wire-protocol.js';
export { DropReasons, type DropReason } from './sink/drop-reasons.js';
export { type SinkStats } from './sink/sink-stats.js';
export { encodeEvent } from './sink/encode-event.js';
export {
  needsJsonSafe,
  toJsonSafe,
  MAX_EVENT_DEPTH,
  CIRCULAR_MARKER,
  DEPTH_MARKER,
} from './sink/json-safe.js';
export { pinoLogFormatter } from './pino/pino-log-formatter.js';
export { fitRecord, cutUtf8, TRUNCATION_MARKER, TRUNCATED_FIELD } from './sink/fit-record.js';
export {
  normalizePartitionKey,
  fieldPartitionKey,
  partitionKeyFunction,
  type PartitionKeyPolicy,
} from './sink/partition-key.js';
export { backoffDelayMs } from '@kinlog/core';
export {
  AppenderError,
  StreamNotFoundError,
  KinesisAccessError,
  KinesisUnreachableError,
  KinesisRequestError,
  CborDecodeError,
  type KinesisTarget,
} from './errors.js';
export { KinesisTransport, type KinesisTransportOptions } from './winston/kinesis-transport.js';
export { winstonEvent } from './winston/winston-event.js';
export { faithfulFields, type FaithfulFieldsFormat } from './winston/faithful-fields.js';
export { kinesisPinoTransport, type PinoTransportStream } from './pino/kinesis-pino-transport.js';
export {
  resolvePinoOptions,
  PinoTransportDefaults,
  type PinoKinesisOptions,
} from './pino/pino-options.js';
export {
  PinoTransportEvents,
  STATS_UPDATE_INTERVAL_MS,
  type PinoTransportError,
  type PinoStatsUpdate,
} from './pino/pino-transport-events.js';
export { closeLogger } from './shutdown/close-logger.js';
export { flushLogger } from './shutdown/flush-logger.js';
export { type LoggerTarget } from './shutdown/logger-target.js';
