import { closeLogger, flushLogger, KinesisTransport } from '@kinlog/appender';
import winston from 'winston';
import type { DemoApp, DemoTarget } from './demo-target.js';
import { requestFields, type SimulatedRequest } from './demo-traffic.js';
import { levelOfStatus } from './level-of-status.js';

/** How often the demo's transports send partial batches: short, so phases end promptly. */
export const DEMO_FLUSH_INTERVAL_MS = 200;

/**
 * The storefront: an Express-style app that logs each request through winston with the
 * {@link KinesisTransport}, the way an application would.
 *
 * @example
 * ```ts
 * const app = new WinstonShopApp(target, (m) => console.warn(m));
 * app.log(traffic.normal('winston', new Date()));
 * await app.close();
 * ```
 */
export class WinstonShopApp implements DemoApp {
  logged = 0;
  private readonly logger: winston.Logger;
  private closing: Promise<void> | undefined;

  constructor(target: DemoTarget, warn: (message: string) => void) {
    const transport = new KinesisTransport({
      streamName: target.streamName,
      ...target.kinesis,
      flushIntervalMs: DEMO_FLUSH_INTERVAL_MS,
    });
    transport.on('warn', (err: Error) => warn(`winston transport: ${err.message}`));
    this.logger = winston.createLogger({
      level: 'info',
      defaultMeta: { service: 'shop-web', host: 'web-1' },
      transports: [transport],
    });
  }

  log(request: SimulatedRequest): void {
    this.logged += 1;
    this.logger.log(levelOfStatus(request.status), request.message, requestFields(request));
  }

  flush(): Promise<void> {
    return flushLogger(this.logger);
  }

  close(): Promise<void> {
    this.closing ??= closeLogger(this.logger);
    return this.closing;
  }
}
