import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { TransportDefaults } from '../transport-defaults.js';
import { resolvePinoOptions, type PinoKinesisOptions } from './pino-options.js';
import { PinoTransportEvents, type PinoTransportError } from './pino-transport-events.js';
import { LINE_CHANNEL_OPTION, LinePoster } from './line-channel.js';
import { coalesceWrites } from './write-coalescer.js';

/** The worker module, by absolute path: no resolution from the caller's location needed. */
const WORKER_MODULE = fileURLToPath(new URL('./pino-transport.js', import.meta.url));

/** The transport stream pino returns (a thread-stream), as seen by callers. */
export type PinoTransportStream = ReturnType<typeof pino.transport>;

/**
 * Starts the pino transport in a worker thread, after checking the options here, at once (a
 * bad option throws a `ConfigError` now instead of failing inside the worker later). The
 * stream gets an `error` listener, so a worker that dies cannot crash the application: the
 * problem is re-emitted as a `kinlogError` event. The worker gets a young generation of
 * `TransportDefaults.PINO_WORKER_YOUNG_GENERATION_MB` (less memory than pino's plain
 * `pino.transport({ target: '@kinlog/appender/pino' })`, which leaves V8's default), and the
 * lines pino writes in one tick go to the worker joined (write-coalescer.ts), as bytes on the
 * worker's port (line-channel.ts) instead of a Buffer each through thread-stream's buffer.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * import { kinesisPinoTransport, closeLogger } from '@kinlog/appender';
 *
 * const transport = kinesisPinoTransport({ streamName: 'app-logs', region: 'eu-west-1' });
 * const logger = pino(transport);
 * logger.error({ page: '/checkout' }, 'payment failed');
 * await closeLogger(transport);
 * ```
 */
export function kinesisPinoTransport(options: PinoKinesisOptions): PinoTransportStream {
  resolvePinoOptions(options);
  const channel = new LinePoster();
  const stream = pino.transport<PinoKinesisOptions>({
    target: WORKER_MODULE,
    options: { ...options, [LINE_CHANNEL_OPTION]: channel.shared } as PinoKinesisOptions,
    worker: {
      resourceLimits: {
        maxYoungGenerationSizeMb: TransportDefaults.PINO_WORKER_YOUNG_GENERATION_MB,
      },
    },
  });
  channel.attach(stream);
  coalesceWrites(stream, channel);
  stream.on('error', (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    const plain: PinoTransportError = {
      name: 'Error',
      code: 'TRANSPORT_WORKER',
      message: `kinlog pino transport: ${message}`,
      retryable: false,
    };
    stream.emit(PinoTransportEvents.ERROR, plain);
  });
  return stream;
}
