export { KinesisTransport, type KinesisTransportOptions } from './kinesis-transport.js';
export { winstonEvent } from './winston-event.js';
export { faithfulFields, type FaithfulFieldsFormat } from './faithful-fields.js';
export { closeLogger } from '../shutdown/close-logger.js';
export { flushLogger } from '../shutdown/flush-logger.js';
export { type LoggerTarget } from '../shutdown/logger-target.js';
