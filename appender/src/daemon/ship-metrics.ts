import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { ShipStats } from './ship-stats.js';

/** A running `/metrics` endpoint. */
export interface ShipMetricsServer {
  readonly port: number;
  readonly registry: Registry;
  close(): Promise<void>;
}

/**
 * Serves the daemon's counters as Prometheus metrics on `http://host:port/metrics`, read from
 * `snapshot()` at each scrape (own registry: nothing global is touched).
 *
 * @example
 * ```ts
 * const metrics = await startShipMetrics(9464, () => daemon.stats());
 * // curl localhost:9464/metrics → kinlog_ship_records_acked_total 10230 ...
 * ```
 */
export async function startShipMetrics(
  port: number,
  snapshot: () => ShipStats,
  host = '127.0.0.1',
): Promise<ShipMetricsServer> {
  // Loaded here, not at start-up: most daemons run without a metrics endpoint.
  const { Counter, Gauge, Registry } = await import('prom-client');
  const registry = new Registry();
  let current: ShipStats | undefined;
  const read = (): ShipStats => (current ??= snapshot());
  const counter = (name: string, help: string, value: (s: ShipStats) => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(value(read()));
      },
    });
  };
  counter('kinlog_ship_lines_read_total', 'Lines read from files', (s) => s.counters.linesRead);
  counter('kinlog_ship_bytes_read_total', 'Bytes read from files', (s) => s.counters.bytesRead);
  counter(
    'kinlog_ship_records_acked_total',
    'Records acknowledged by Kinesis',
    (s) => s.counters.recordsAcked,
  );
  counter(
    'kinlog_ship_put_records_calls_total',
    'PutRecords requests',
    (s) => s.sink.putRecordsCalls,
  );
  counter(
    'kinlog_ship_retries_total',
    'Entries and requests retried',
    (s) => s.sink.entriesRetried + s.sink.requestRetries,
  );
  counter(
    'kinlog_ship_truncations_total',
    'Truncated or refilled files detected',
    (s) => s.counters.truncations,
  );
  counter(
    'kinlog_ship_long_lines_total',
    'Lines over maxLineBytes (split or truncated)',
    (s) => s.counters.linesSplit + s.counters.linesTruncated,
  );
  counter(
    'kinlog_ship_invalid_utf8_lines_total',
    'Lines that were not valid UTF-8',
    (s) => s.counters.invalidUtf8Lines,
  );
  counter(
    'kinlog_ship_parse_errors_total',
    'Lines shipped raw because the parser could not read them',
    (s) => s.counters.parseErrors,
  );
  counter(
    'kinlog_ship_open_file_waits_total',
    'Times a file waited a scan for a handle (more files match than maxOpenFiles or the limit)',
    (s) => s.counters.openFileWaits,
  );
  new Counter({
    name: 'kinlog_ship_records_dropped_total',
    help: 'Records not delivered, by reason',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(read().counters.recordsDropped))
        this.inc({ reason }, n);
    },
  });
  new Counter({
    name: 'kinlog_ship_bytes_sent_total',
    help: 'Data plus partition key bytes acknowledged by Kinesis, per stream and shard',
    labelNames: ['stream', 'shard'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { stream, bytesSentByShard } of read().streams) {
        for (const [shard, n] of Object.entries(bytesSentByShard)) this.inc({ stream, shard }, n);
      }
    },
  });
  new Counter({
    name: 'kinlog_ship_entries_failed_total',
    help: 'PutRecords entries Kinesis answered as failed, per stream, shard and error code',
    labelNames: ['stream', 'shard', 'code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { stream, entriesFailedByShard } of read().streams) {
        for (const [shard, byCode] of Object.entries(entriesFailedByShard)) {
          for (const [code, n] of Object.entries(byCode)) this.inc({ stream, shard, code }, n);
        }
      }
    },
  });
  new Gauge({
    name: 'kinlog_ship_files',
    help: 'Files followed',
    registers: [registry],
    collect() {
      this.set(read().files.length);
    },
  });
  new Gauge({
    name: 'kinlog_ship_behind_bytes',
    help: 'Bytes not yet acknowledged, per file',
    labelNames: ['flow', 'path'],
    registers: [registry],
    collect() {
      this.reset();
      for (const f of read().files) this.set({ flow: f.flow, path: f.path }, f.behindBytes);
    },
  });
  new Gauge({
    name: 'kinlog_ship_buffered_records',
    help: 'Records held by the sinks',
    registers: [registry],
    collect() {
      this.set(read().sink.bufferedRecords);
    },
  });

  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end('try /metrics\n');
      return;
    }
    current = undefined;
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  server.unref();
  return {
    port: (server.address() as AddressInfo).port,
    registry,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
