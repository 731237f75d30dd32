/**
 * One face for both transports, so the conformance and fault suites run unchanged against
 * winston and pino: open a logger on a stream, log, close, read the sink's counters and the
 * Kinesis problems it reported.
 */
import pino from 'pino';
import winston from 'winston';
import {
  KinesisTransport,
  PinoTransportEvents,
  closeLogger,
  faithfulFields,
  flushLogger,
  kinesisPinoTransport,
  pinoLogFormatter,
  type PinoKinesisOptions,
  type PinoTransportError,
  type SinkStats,
} from '../../src/index.js';

/** Levels both loggers know. */
export type TestLevel = 'debug' | 'info' | 'warn' | 'error';

/** Plain options shared by both transports (the pino one cannot take functions or clients). */
export type DriverOptions = PinoKinesisOptions;

export interface OpenedLogger {
  log(level: TestLevel, msg: string, fields?: Record<string, unknown>): void;
  /** Resolves when the transport asks for no more slowing down (winston backpressure). */
  flush(): Promise<void>;
  close(): Promise<void>;
  /** The sink's counters; for pino, the final ones posted by the worker at close. */
  stats(): SinkStats | undefined;
  /** Kinesis problems the transport reported (never thrown). */
  problems(): { message: string }[];
}

export interface TransportDriver {
  readonly name: 'winston' | 'pino';
  open(options: DriverOptions): OpenedLogger;
}

export const winstonDriver: TransportDriver = {
  name: 'winston',
  open(options) {
    const transport = new KinesisTransport(options);
    const problems: { message: string }[] = [];
    transport.on('warn', (err: Error) => problems.push({ message: err.message }));
    // As the README recommends: fields made faithful before winston's own json format runs.
    const logger = winston.createLogger({
      level: 'debug',
      format: winston.format.combine(faithfulFields(), winston.format.json()),
      transports: [transport],
    });
    return {
      log: (level, msg, fields) => void logger.log(level, msg, fields),
      flush: () => flushLogger(logger),
      close: () => closeLogger(logger),
      stats: () => transport.stats(),
      problems: () => problems,
    };
  },
};

export const pinoDriver: TransportDriver = {
  name: 'pino',
  open(options) {
    const transport = kinesisPinoTransport(options);
    const problems: { message: string }[] = [];
    let finalStats: SinkStats | undefined;
    transport.on(PinoTransportEvents.ERROR, (err: PinoTransportError) => problems.push(err));
    transport.on(PinoTransportEvents.STATS, (stats: SinkStats) => {
      finalStats = stats;
    });
    // The shape of ARCHITECTURE §3 (level names, ISO times) and faithful fields, as the README
    // recommends.
    const logger = pino(
      {
        level: 'debug',
        formatters: { level: (label) => ({ level: label }), log: pinoLogFormatter },
        timestamp: pino.stdTimeFunctions.isoTime,
      },
      transport,
    );
    return {
      log: (level, msg, fields) => logger[level](fields ?? {}, msg),
      flush: () => flushLogger(logger),
      // closeLogger blocks this thread while the worker delivers (pino's end()); a fault proxy
      // in this same thread could not answer meanwhile, so deliver first, without blocking.
      close: async () => {
        await flushLogger(logger);
        await closeLogger(transport);
      },
      stats: () => finalStats,
      problems: () => problems,
    };
  },
};

export const transportDrivers: readonly TransportDriver[] = [winstonDriver, pinoDriver];
