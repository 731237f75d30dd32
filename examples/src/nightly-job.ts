/*
 * A batch job logging through pino. kinlog's pino transport runs in a worker thread
 * (`@kinlog/appender/pino`), so the job's own thread only serializes lines.
 *
 *   job ─▶ pino ─▶ thread-stream ─▶ worker: KinesisSink ─▶ PutRecords
 *   end ─▶ closeLogger(transport): waits until the worker delivered everything
 */
import {
  kinesisPinoTransport,
  pinoLogFormatter,
  type PinoKinesisOptions,
  type PinoTransportStream,
} from '@kinlog/appender';
import pino from 'pino';

/** A pino logger and the transport stream to close before the process exits. */
export interface JobLogger {
  readonly logger: pino.Logger;
  readonly transport: PinoTransportStream;
}

/**
 * A pino logger whose lines go to Kinesis (options are plain data: they cross into the worker).
 *
 * @example
 * ```ts
 * const { logger, transport } = createJobLogger({ streamName: 'app-logs' });
 * logger.info({ job: 'nightly' }, 'started');
 * await closeLogger(transport);
 * ```
 */
export function createJobLogger(options: PinoKinesisOptions): JobLogger {
  const transport = kinesisPinoTransport(options);
  // pinoLogFormatter writes Errors under any key (and Buffers, Maps, Sets) faithfully.
  const logger = pino(
    { base: { service: 'nightly-job' }, formatters: { log: pinoLogFormatter } },
    transport,
  );
  return { logger, transport };
}

/**
 * The job: processes `orders` and logs one line per order and a summary; a failed order is
 * logged at error level with its page and a stack trace.
 *
 * @example
 * ```ts
 * await runNightlyJob(logger, [{ id: 1, ok: true }, { id: 2, ok: false }]);
 * ```
 */
export function runNightlyJob(
  logger: pino.Logger,
  orders: readonly { id: number; ok: boolean }[],
): { processed: number; failed: number } {
  let failed = 0;
  for (const order of orders) {
    if (order.ok) {
      logger.info({ orderId: order.id, page: '/jobs/invoices' }, 'invoice sent');
    } else {
      failed += 1;
      const err = new Error(`invoice ${order.id} rejected by the mail provider`);
      logger.error({ orderId: order.id, page: '/jobs/invoices', err }, err.message);
    }
  }
  logger.info({ processed: orders.length, failed }, 'nightly job done');
  return { processed: orders.length, failed };
}
