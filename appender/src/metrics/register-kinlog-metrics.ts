/**
 * Counters of kinlog transports as Prometheus metrics in an application's own prom-client
 * registry, read from each transport's `stats()` at every scrape:
 *
 *   registry.metrics() ─► metric.get() ─► reader.read() per source ─► one sample per label set
 *                                         (winston/sink: stats() now; pino: the worker's latest post)
 *
 * The metrics are plain objects that follow prom-client's metric contract (`name`, `help`,
 * `type`, `get()`, `reset()`), so nothing here loads prom-client: an application that does not
 * export metrics does not need it, and one that does uses its own copy and version.
 */
import type { Registry } from 'prom-client';
import type { SinkStats } from '../sink/sink-stats.js';
import { statsReaderOf, type MetricsSource, type StatsReader } from './stats-source.js';

/** Name prefix and the label of a source registered without a name. */
export const KinlogMetricsDefaults = {
  PREFIX: 'kinlog_appender_',
  DEFAULT_LOGGER_LABEL: 'default',
} as const;

type Labels = Record<string, string>;
type Sample = { labels: Labels; value: number };
type Family = {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples(stats: SinkStats): Sample[];
};

const one =
  (pick: (s: SinkStats) => number) =>
  (s: SinkStats): Sample[] => [{ labels: {}, value: pick(s) }];

const FAMILIES: readonly Family[] = [
  {
    name: 'records_put_total',
    help: 'Records accepted by the transport',
    type: 'counter',
    samples: one((s) => s.recordsPut),
  },
  {
    name: 'records_sent_total',
    help: 'Records acknowledged by Kinesis',
    type: 'counter',
    samples: one((s) => s.recordsSent),
  },
  {
    name: 'bytes_sent_total',
    help: 'Data plus partition key bytes acknowledged by Kinesis, per shard',
    type: 'counter',
    samples: (s) =>
      Object.entries(s.bytesSentByShard).map(([shard, value]) => ({ labels: { shard }, value })),
  },
  {
    name: 'put_records_calls_total',
    help: 'PutRecords requests, retries included',
    type: 'counter',
    samples: one((s) => s.putRecordsCalls),
  },
  {
    name: 'entries_failed_total',
    help: 'PutRecords entries Kinesis answered as failed, per shard and error code',
    type: 'counter',
    samples: (s) =>
      Object.entries(s.entriesFailedByShard).flatMap(([shard, byCode]) =>
        Object.entries(byCode).map(([code, value]) => ({ labels: { shard, code }, value })),
      ),
  },
  {
    name: 'retries_total',
    help: 'Entries and whole requests sent again',
    type: 'counter',
    samples: one((s) => s.entriesRetried + s.requestRetries),
  },
  {
    name: 'records_truncated_total',
    help: 'Records truncated to fit the record size limit',
    type: 'counter',
    samples: one((s) => s.truncated),
  },
  {
    name: 'records_dropped_total',
    help: 'Records not delivered, by reason',
    type: 'counter',
    samples: (s) =>
      Object.entries(s.dropped).map(([reason, value]) => ({ labels: { reason }, value })),
  },
  {
    name: 'buffered_bytes',
    help: 'Bytes held: queued, in flight or waiting to retry',
    type: 'gauge',
    samples: one((s) => s.bufferedBytes),
  },
  {
    name: 'buffered_records',
    help: 'Records held: queued, in flight or waiting to retry',
    type: 'gauge',
    samples: one((s) => s.bufferedRecords),
  },
  {
    name: 'in_flight_requests',
    help: 'PutRecords requests in flight',
    type: 'gauge',
    samples: one((s) => s.inFlightRequests),
  },
];

/**
 * Registers the counters of one or several kinlog transports with a prom-client registry, in
 * one call. Each metric (`kinlog_appender_records_sent_total`, `…_bytes_sent_total{shard}`,
 * `…_entries_failed_total{shard,code}`, `…_records_dropped_total{reason}`, buffered bytes and
 * records, …) carries a `logger` label (the key under which a source was passed, or
 * `"default"`) and a `stream` label. A pino transport's counters come from its worker thread
 * about once a second and after each `flushLogger()`.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * import { registerKinlogMetrics } from '@kinlog/appender/metrics';
 *
 * const registry = new Registry();
 * registerKinlogMetrics(registry, { api: winstonKinesisTransport, audit: pinoKinesisTransport });
 * // GET /metrics → res.end(await registry.metrics())
 * // kinlog_appender_records_sent_total{logger="api",stream="app-logs"} 10230
 * ```
 */
export function registerKinlogMetrics(
  registry: Pick<Registry, 'registerMetric'>,
  sources: MetricsSource | Record<string, MetricsSource>,
): void {
  const readers = readersOf(sources);
  for (const family of FAMILIES) {
    const name = `${KinlogMetricsDefaults.PREFIX}${family.name}`;
    const metric = {
      name,
      help: family.help,
      type: family.type,
      aggregator: 'sum',
      get: () =>
        Promise.resolve({
          name,
          help: family.help,
          type: family.type,
          aggregator: 'sum',
          values: samplesOf(family, readers),
        }),
      // The values are read from the transports at each scrape; nothing is kept here to reset.
      reset: () => undefined,
    };
    registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  }
}

function readersOf(
  sources: MetricsSource | Record<string, MetricsSource>,
): { logger: string; reader: StatsReader }[] {
  if (isSource(sources)) {
    return [{ logger: KinlogMetricsDefaults.DEFAULT_LOGGER_LABEL, reader: statsReaderOf(sources) }];
  }
  return Object.entries(sources).map(([logger, source]) => ({
    logger,
    reader: statsReaderOf(source),
  }));
}

function isSource(value: object): value is MetricsSource {
  const v = value as Record<string, unknown>;
  return typeof v.stats === 'function' || typeof v.on === 'function';
}

function samplesOf(
  family: Family,
  readers: readonly { logger: string; reader: StatsReader }[],
): Sample[] {
  const out: Sample[] = [];
  for (const { logger, reader } of readers) {
    const current = reader.read();
    if (current === undefined) continue;
    for (const s of family.samples(current.stats)) {
      out.push({ labels: { logger, stream: current.stream, ...s.labels }, value: s.value });
    }
  }
  return out;
}
