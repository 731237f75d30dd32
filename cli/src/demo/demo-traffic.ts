import { DemoSources, type DemoIncident, type DemoSource } from './demo-incidents.js';
import { javaStackTrace } from './java-stack-trace.js';
import { pick, type RandomSource } from '@kinlog/core';

/** One simulated HTTP request, as the service that served it would log it. */
export interface SimulatedRequest {
  readonly source: DemoSource;
  readonly time: Date;
  readonly region: string;
  readonly clientIp: string;
  readonly method: 'GET' | 'POST';
  /** The concrete path, with ids and query strings. */
  readonly path: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly bytes: number;
  readonly message: string;
  /** A Java-style trace relayed from an upstream service, now and then. */
  readonly stack?: string;
}

/**
 * The fields a demo app logs with a request's message, the same for both loggers.
 *
 * @example
 * ```ts
 * logger.info(request.message, requestFields(request));
 * ```
 */
export function requestFields(request: SimulatedRequest): Record<string, unknown> {
  return {
    region: request.region,
    method: request.method,
    path: request.path,
    status: request.status,
    latencyMs: request.latencyMs,
    clientIp: request.clientIp,
    ...(request.stack === undefined ? {} : { stack: request.stack }),
  };
}

/** Shape of the background traffic. */
export const TrafficMix = {
  /** Share of requests answered with a random 4xx / 5xx outside any incident. */
  CLIENT_ERROR_SHARE: 0.012,
  SERVER_ERROR_SHARE: 0.004,
  /** One incident request in this many carries a stack trace. */
  STACK_TRACE_EVERY: 5,
  MAX_ID: 99_999,
} as const;

type Weighted = readonly [value: string, weight: number];

const REGIONS: readonly Weighted[] = [
  ['NA', 0.4],
  ['EU', 0.3],
  ['APAC', 0.2],
  ['SA', 0.1],
];

/** Addresses the offline GeoIP database places in each region (for the access log). */
const CLIENT_NETWORKS: Readonly<Record<string, readonly [string, ...string[]]>> = {
  NA: ['8.8.8', '52.95.110'],
  EU: ['81.2.69', '185.60.216'],
  APAC: ['133.242.0', '13.54.0', '49.50.0'],
  SA: ['200.147.67', '177.71.128'],
};

const PAGES: Readonly<Record<DemoSource, readonly [string, ...string[]]>> = {
  [DemoSources.WINSTON]: [
    '/',
    '/products/:id',
    '/products/:id',
    '/cart',
    '/checkout',
    '/login',
    '/account',
  ],
  [DemoSources.PINO]: [
    '/api/search',
    '/api/cart',
    '/api/orders/:id',
    '/api/recommendations',
    '/api/products/:id',
  ],
  [DemoSources.NGINX]: [
    '/',
    '/static/app.js',
    '/static/logo.svg',
    '/products/:id',
    '/api/orders/:id',
    '/healthz',
  ],
};

const QUERIES = ['shoes', 'red+dress', 'usb-c+cable', 'tent', 'coffee'] as const;

/**
 * Makes the requests of the simulation: normal traffic across regions and pages, and the
 * failing requests of an incident. Pure apart from its random source and clock input.
 *
 * @example
 * ```ts
 * const traffic = new DemoTraffic(seededRandom(7));
 * const request = traffic.normal('pino', new Date());
 * ```
 */
export class DemoTraffic {
  private incidentRequests = 0;

  constructor(private readonly random: RandomSource) {}

  /** A request outside any incident: mostly 2xx/3xx, a few random 4xx and 5xx. */
  normal(source: DemoSource, time: Date): SimulatedRequest {
    const region = this.weighted(REGIONS);
    const page = pick(this.random, PAGES[source]);
    const roll = this.random();
    const status =
      roll < TrafficMix.SERVER_ERROR_SHARE
        ? 500
        : roll < TrafficMix.SERVER_ERROR_SHARE + TrafficMix.CLIENT_ERROR_SHARE
          ? 404
          : page.startsWith('/static') && roll > 0.7
            ? 304
            : 200;
    const path = this.concretePath(page);
    const message =
      status === 500
        ? `unhandled error in ${page.split('/')[1] || 'home'} handler`
        : status === 404
          ? 'not found'
          : 'request completed';
    return this.request(source, time, region, path, status, message);
  }

  /** A failing request of `incident`; every few carry a Java-style stack trace. */
  failing(incident: DemoIncident, time: Date): SimulatedRequest {
    this.incidentRequests += 1;
    const request = this.request(
      incident.source,
      time,
      incident.region,
      this.concretePath(incident.page),
      incident.status,
      incident.message,
    );
    if (incident.status >= 500 && this.incidentRequests % TrafficMix.STACK_TRACE_EVERY === 0) {
      return { ...request, stack: javaStackTrace(this.random) };
    }
    return request;
  }

  private request(
    source: DemoSource,
    time: Date,
    region: string,
    path: string,
    status: number,
    message: string,
  ): SimulatedRequest {
    const networks = CLIENT_NETWORKS[region] ?? CLIENT_NETWORKS.NA ?? ['8.8.8'];
    const clientIp = `${pick(this.random, networks)}.${1 + Math.floor(this.random() * 250)}`;
    const slow = status >= 500 ? 3_000 : 0;
    return {
      source,
      time,
      region,
      clientIp,
      method: path.startsWith('/checkout') || path.startsWith('/login') ? 'POST' : 'GET',
      path,
      status,
      latencyMs: slow + Math.round(5 + this.random() * 120),
      bytes:
        status >= 400
          ? 120 + Math.floor(this.random() * 200)
          : 500 + Math.floor(this.random() * 20_000),
      message,
    };
  }

  private concretePath(page: string): string {
    const withIds = page.replaceAll(':id', () =>
      String(1 + Math.floor(this.random() * TrafficMix.MAX_ID)),
    );
    return page === '/api/search'
      ? `${withIds}?q=${pick(this.random, [...QUERIES] as [string, ...string[]])}`
      : withIds;
  }

  private weighted(choices: readonly Weighted[]): string {
    let roll = this.random();
    for (const [value, weight] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return choices[0]?.[0] ?? 'NA';
  }
}
