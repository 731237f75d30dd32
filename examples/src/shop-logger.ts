import {
  faithfulFields,
  KinesisTransport,
  type KinesisTransportOptions,
} from '@kinlog/appender/winston';
import winston from 'winston';

/**
 * A winston logger for the shop: the console for people, Kinesis for kinlog. Kinesis problems
 * never throw into the app; they arrive as `warn` events on the transport.
 *
 * @example
 * ```ts
 * const logger = createShopLogger({ streamName: 'app-logs', region: 'eu-west-1' });
 * logger.error('payment failed', { path: '/checkout', status: 502 });
 * await closeLogger(logger); // before the process exits
 * ```
 */
export function createShopLogger(
  options: KinesisTransportOptions,
  extra: { console?: boolean } = {},
): winston.Logger {
  const kinesis = new KinesisTransport(options);
  kinesis.on('warn', (err: Error) => process.stderr.write(`kinlog: ${err.message}\n`));
  return winston.createLogger({
    level: 'info',
    // Errors, Buffers, Maps and very deep objects are written faithfully, for every transport.
    format: winston.format.combine(faithfulFields(), winston.format.json()),
    defaultMeta: { service: 'shop', host: process.env.HOSTNAME ?? 'local' },
    transports: [
      kinesis,
      ...(extra.console === true
        ? [new winston.transports.Console({ format: winston.format.simple() })]
        : []),
    ],
  });
}
