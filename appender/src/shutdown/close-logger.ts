/**
 * Closing a logger so that what it logged reaches Kinesis before the process ends.
 *
 *   winston logger ─► logger.end() ─► each KinesisTransport: _final ─► sink.close() ─► 'finish'
 *   pino transport ─► stream.end() (pino blocks until the worker closed: sink.close() there)
 *                     ─► 'close'   (also before the worker is ready, and after it failed)
 */
import { PinoTransportDefaults } from '../pino/pino-options.js';
import type { KinesisTransport } from '../winston/kinesis-transport.js';
import { holdWhile } from './hold-while.js';
import { classifyTarget, type LoggerTarget, type ThreadStreamLike } from './logger-target.js';

/** Slack over the worker's shutdown bound before giving up on pino's `close` event. */
const PINO_CLOSE_SLACK_MS = 3_000;

/**
 * Ends a logger (winston logger, `KinesisTransport`, pino logger or pino transport stream) and
 * resolves once what it logged is delivered, or dropped and counted after `shutdownTimeoutMs`.
 * Idempotent; never rejects. Call it from the application's own shutdown (its signal handler
 * stops the server, closes the logger, then lets the process end).
 *
 * @example
 * ```ts
 * process.once('SIGTERM', () => {
 *   server.close();
 *   void closeLogger(logger).finally(() => (process.exitCode = 143));
 * });
 * ```
 */
export async function closeLogger(target: LoggerTarget): Promise<void> {
  return holdWhile(target, async () => {
    const t = classifyTarget(target);
    try {
      switch (t.kind) {
        case 'transport':
          return await t.transport.close();
        case 'winston': {
          const finished = t.transports.map(finishedWithin);
          if (!t.logger.writableEnded) t.logger.end();
          await Promise.all(finished);
          await Promise.all(t.transports.map((tr) => tr.close()));
          return;
        }
        case 'threadStream':
          return await endThreadStream(t.stream);
        case 'pino':
          return await new Promise<void>((resolve) => t.logger.flush(() => resolve()));
        default:
          return;
      }
    } catch {
      // Closing must not throw into the application; what was lost is counted by the sink.
    }
  });
}

/** Resolves when the transport has finished (its `_final` closed the sink), or at the bound. */
function finishedWithin(transport: KinesisTransport): Promise<void> {
  if (transport.writableFinished) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      transport.off('finish', done);
      resolve();
    };
    // Past the bound, close() below stops intake and drops (and counts) what is left.
    const timer = setTimeout(done, transport.sink.options.shutdownTimeoutMs);
    transport.once('finish', done);
  });
}

function endThreadStream(stream: ThreadStreamLike): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve) => {
    // thread-stream reports a worker that took too long as an 'error'; it must not crash the app.
    const swallow = (): void => {};
    // pino unrefs the worker when it reports ready; a close begun before that (right after
    // kinesisPinoTransport(), the worker still loading) must keep the process alive until the
    // worker has delivered and closed, or an awaiting top level would never resume.
    const keepReferenced = (): void => stream.ref();
    const done = (): void => {
      clearTimeout(timer);
      stream.off('error', swallow);
      stream.off('ready', keepReferenced);
      resolve();
    };
    const timer = setTimeout(
      done,
      PinoTransportDefaults.MAX_SHUTDOWN_TIMEOUT_MS + PINO_CLOSE_SLACK_MS,
    ).unref();
    stream.on('error', swallow);
    stream.once('close', done);
    if (!stream.ready) stream.once('ready', keepReferenced);
    try {
      stream.ref();
      stream.end();
    } catch {
      done();
    }
  });
}
