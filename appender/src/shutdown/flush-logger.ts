import { holdWhile } from './hold-while.js';
import { classifyTarget, type LoggerTarget } from './logger-target.js';

/**
 * Delivers everything a logger has logged so far and keeps it open: resolves when each event is
 * acknowledged by Kinesis or dropped (and counted). Works for a winston logger, a
 * `KinesisTransport`, a pino logger and a pino transport stream. Never rejects.
 *
 * @example
 * ```ts
 * logger.info({ job: 'nightly' }, 'done');
 * await flushLogger(logger);
 * ```
 */
export async function flushLogger(target: LoggerTarget): Promise<void> {
  return holdWhile(target, async () => {
    const t = classifyTarget(target);
    try {
      switch (t.kind) {
        case 'transport':
          return await t.transport.flush();
        case 'winston':
          await Promise.all(t.transports.map((tr) => tr.flush()));
          return;
        case 'threadStream': {
          const { stream } = t;
          if (stream.closed || stream.destroyed) return;
          // thread-stream hands this to the worker, whose flush() waits for the sink.
          return await new Promise<void>((resolve) => stream.flush(() => resolve()));
        }
        case 'pino':
          return await new Promise<void>((resolve) => t.logger.flush(() => resolve()));
        default:
          return;
      }
    } catch {
      // A flush must not throw into the application.
    }
  });
}
