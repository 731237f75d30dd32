import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LeaseTick } from '../lease/lease-coordinator.js';
import type { ShardReadObserver } from './metered-shard-source.js';

/** Outcomes of an iteration, as the `result` label says them. */
export const IterationResults = {
  /** This worker (or, with `--workers`, another) committed it. */
  committed: 'committed',
  /** Another run held the iteration; tried again at the next tick. */
  conflict: 'conflict',
  failed: 'failed',
} as const;
export type IterationResult = (typeof IterationResults)[keyof typeof IterationResults];

/** Bounds of {@link AnalyzeMetrics}. */
export const AnalyzeMetricsLimits = {
  /** Distinct `kind` labels of the error counter; later kinds count as `other`. */
  MAX_ERROR_KINDS: 50,
  /** Buckets of the iteration duration histogram, in seconds. */
  DURATION_BUCKETS_S: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
} as const;

/**
 * `kinlog analyze`'s Prometheus metrics, in a registry of their own (nothing global).
 *
 * @example
 * ```ts
 * const metrics = new AnalyzeMetrics();
 * const source = new MeteredShardSource(new KinesisShardSource(), metrics);
 * metrics.onIteration('committed', 1.8);
 * await metrics.registry.metrics(); // kinlog_analyze_records_read_total{stream="logs",shard="shardId-000000000000"} 120 …
 * ```
 */
export class AnalyzeMetrics implements ShardReadObserver {
  readonly registry = new Registry();
  private readonly records = new Counter({
    name: 'kinlog_analyze_records_read_total',
    help: 'Kinesis records read, per shard',
    labelNames: ['stream', 'shard'],
    registers: [this.registry],
  });
  private readonly bytes = new Counter({
    name: 'kinlog_analyze_bytes_read_total',
    help: 'Bytes of Kinesis record data read, per shard',
    labelNames: ['stream', 'shard'],
    registers: [this.registry],
  });
  private readonly behind = new Gauge({
    name: 'kinlog_analyze_millis_behind_latest',
    help: 'MillisBehindLatest of the last page read, per shard',
    labelNames: ['stream', 'shard'],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'kinlog_analyze_iteration_duration_seconds',
    help: 'Time this process spent on an iteration, by result',
    labelNames: ['result'],
    buckets: [...AnalyzeMetricsLimits.DURATION_BUCKETS_S],
    registers: [this.registry],
  });
  private readonly iterations = new Counter({
    name: 'kinlog_analyze_iterations_total',
    help: 'Iterations this process took part in, by result',
    labelNames: ['result'],
    registers: [this.registry],
  });
  private readonly held = new Gauge({
    name: 'kinlog_analyze_leases_held',
    help: 'Shard leases this worker holds (--workers)',
    registers: [this.registry],
  });
  private readonly leaseChanges = new Counter({
    name: 'kinlog_analyze_lease_changes_total',
    help: 'Shard leases this worker took (expired or free), stole, or lost (--workers)',
    labelNames: ['change'],
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'kinlog_analyze_errors_total',
    help: 'Errors met, by kind (error name or code)',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  private readonly errorKinds = new Set<string>();

  onPage(
    stream: string,
    shardId: string,
    records: number,
    bytes: number,
    millisBehindLatest: number | undefined,
  ): void {
    const labels = { stream, shard: shardId };
    this.records.inc(labels, records);
    this.bytes.inc(labels, bytes);
    if (millisBehindLatest !== undefined) this.behind.set(labels, millisBehindLatest);
  }

  onIteration(result: IterationResult, seconds: number): void {
    this.iterations.inc({ result });
    this.duration.observe({ result }, seconds);
  }

  onLeaseTick(tick: LeaseTick): void {
    this.held.set(tick.held);
    this.leaseChanges.inc({ change: 'taken' }, tick.taken.length);
    this.leaseChanges.inc({ change: 'stolen' }, tick.stolen.length);
    this.leaseChanges.inc({ change: 'lost' }, tick.lost.length);
  }

  onError(err: unknown): void {
    let kind = errorKindOf(err);
    if (!this.errorKinds.has(kind)) {
      if (this.errorKinds.size >= AnalyzeMetricsLimits.MAX_ERROR_KINDS) kind = 'other';
      else this.errorKinds.add(kind);
    }
    this.errors.inc({ kind });
  }
}

/** A running `/metrics` endpoint. */
export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves a registry on `http://host:port/metrics` (port 0: any free port, see `port`).
 *
 * @example
 * ```ts
 * const server = await serveMetrics(metrics.registry, 9465);
 * await server.close();
 * ```
 */
export async function serveMetrics(
  registry: Registry,
  port: number,
  host = '127.0.0.1',
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end('not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  let closed: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

function errorKindOf(err: unknown): string {
  if (!(err instanceof Error)) return 'unknown';
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code) ? code : err.name;
}
