import { setTimeout as delay } from 'node:timers/promises';
import { resolveShipConfig, ShipDaemon } from '@kinlog/appender/daemon';
import type { DemoTarget } from './demo-target.js';

/** Timing of the demo's ship daemon: quicker than the defaults, so phases end promptly. */
export const DemoShipperSettings = {
  POLL_INTERVAL_MS: 100,
  RELEASE_IDLE_MS: 500,
  FLUSH_INTERVAL_MS: 200,
  CATCH_UP_POLL_MS: 50,
} as const;

/**
 * `kinlog ship`'s engine ({@link ShipDaemon}) run in-process over the simulated access log,
 * exactly as `kinlog ship --parser nginx '<dir>/access.log*'` would run it.
 *
 * @example
 * ```ts
 * const shipper = await DemoShipper.start(target, '/tmp/nginx/access.log*', '/tmp/state', warn);
 * await shipper.caughtUp(1_000, 10_000);
 * await shipper.stop();
 * ```
 */
export class DemoShipper {
  private constructor(private readonly daemon: ShipDaemon) {}

  static async start(
    target: DemoTarget,
    glob: string,
    stateDir: string,
    warn: (message: string) => void,
  ): Promise<DemoShipper> {
    const config = resolveShipConfig({
      stateDir,
      ...(target.kinesis.endpoint === undefined ? {} : { endpoint: target.kinesis.endpoint }),
      ...(target.kinesis.region === undefined ? {} : { region: target.kinesis.region }),
      pollIntervalMs: DemoShipperSettings.POLL_INTERVAL_MS,
      releaseIdleMs: DemoShipperSettings.RELEASE_IDLE_MS,
      statsIntervalMs: 0,
      sink: { flushIntervalMs: DemoShipperSettings.FLUSH_INTERVAL_MS },
      flows: [
        {
          name: 'nginx',
          paths: [glob],
          stream: target.streamName,
          parser: 'nginx',
          fields: { service: 'edge-nginx', host: 'edge-1' },
          startAt: 'head',
        },
      ],
    });
    const daemon = await ShipDaemon.start({
      config,
      ...(target.kinesis.credentials === undefined
        ? {}
        : { credentials: target.kinesis.credentials }),
    });
    daemon.on('warning', (message) => warn(`ship: ${message}`));
    return new DemoShipper(daemon);
  }

  /** Lines Kinesis has acknowledged. */
  get acked(): number {
    return this.daemon.stats().counters.recordsAcked;
  }

  /** Waits until `lines` lines are acknowledged; false if `timeoutMs` passed first. */
  async caughtUp(lines: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.acked < lines) {
      if (Date.now() >= deadline) return false;
      await delay(DemoShipperSettings.CATCH_UP_POLL_MS);
    }
    return true;
  }

  stop(): Promise<void> {
    return this.daemon.stop();
  }
}
