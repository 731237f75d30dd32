import {
  closeLogger,
  flushLogger,
  kinesisPinoTransport,
  PinoTransportEvents,
  type PinoTransportError,
  type PinoTransportStream,
} from '@kinlog/appender';
import pino from 'pino';
import type { DemoApp, DemoTarget } from './demo-target.js';
import { requestFields, type SimulatedRequest } from './demo-traffic.js';
import { levelOfStatus } from './level-of-status.js';
import { DEMO_FLUSH_INTERVAL_MS } from './winston-shop-app.js';

/**
 * The JSON API: logs each request through pino, whose transport runs kinlog's sink in a worker
 * thread (`@kinlog/appender/pino`).
 *
 * @example
 * ```ts
 * const app = new PinoApiApp(target, (m) => console.warn(m));
 * app.log(traffic.normal('pino', new Date()));
 * await app.close();
 * ```
 */
export class PinoApiApp implements DemoApp {
  logged = 0;
  private readonly transport: PinoTransportStream;
  private readonly logger: pino.Logger;
  private closing: Promise<void> | undefined;

  constructor(target: DemoTarget, warn: (message: string) => void) {
    const { credentials, ...connection } = target.kinesis;
    this.transport = kinesisPinoTransport({
      streamName: target.streamName,
      ...connection,
      ...(credentials === undefined ? {} : { credentials }),
      flushIntervalMs: DEMO_FLUSH_INTERVAL_MS,
    });
    this.transport.on(PinoTransportEvents.ERROR, (err: PinoTransportError) =>
      warn(`pino transport: ${err.message}`),
    );
    this.logger = pino({ base: { service: 'shop-api', host: 'api-1' } }, this.transport);
  }

  log(request: SimulatedRequest): void {
    this.logged += 1;
    this.logger[levelOfStatus(request.status)](requestFields(request), request.message);
  }

  flush(): Promise<void> {
    return flushLogger(this.transport);
  }

  close(): Promise<void> {
    this.closing ??= closeLogger(this.transport);
    return this.closing;
  }
}
