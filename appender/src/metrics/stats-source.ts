import { PinoTransportEvents, type PinoStatsUpdate } from '../pino/pino-transport-events.js';
import type { SinkStats } from '../sink/sink-stats.js';

/**
 * What {@link registerKinlogMetrics} reads counters from: a winston `KinesisTransport`, a
 * `KinesisSink`, or the pino transport stream (`kinesisPinoTransport()` or
 * `pino.transport({ target: '@kinlog/appender/pino' })`), whose worker posts its counters.
 */
export type MetricsSource =
  | { stats(): SinkStats; sink: { options: { streamName: string } } }
  | { stats(): SinkStats; options: { streamName: string } }
  | { on(event: string, listener: (...args: unknown[]) => void): unknown };

/** Reads the latest counters of a source; `undefined` before a pino worker has posted any. */
export interface StatsReader {
  read(): { stream: string; stats: SinkStats } | undefined;
}

/**
 * A reader over one source: counters are read live from a transport or sink in this thread,
 * and kept from the latest `kinlogStatsUpdate` (or the final `kinlogStats`) of a pino worker.
 *
 * @example
 * ```ts
 * const reader = statsReaderOf(new KinesisTransport({ streamName: 'app-logs' }));
 * reader.read()?.stats.recordsSent;
 * ```
 */
export function statsReaderOf(source: MetricsSource): StatsReader {
  if ('stats' in source && typeof source.stats === 'function') {
    const stream = 'sink' in source ? source.sink.options.streamName : source.options.streamName;
    return { read: () => ({ stream, stats: source.stats() }) };
  }
  if ('on' in source && typeof source.on === 'function') {
    let latest: { stream: string; stats: SinkStats } | undefined;
    source.on(PinoTransportEvents.STATS_UPDATE, (update: unknown) => {
      const { streamName, stats } = update as PinoStatsUpdate;
      latest = { stream: streamName, stats };
    });
    source.on(PinoTransportEvents.STATS, (stats: unknown) => {
      if (latest !== undefined) latest = { stream: latest.stream, stats: stats as SinkStats };
    });
    return { read: () => latest };
  }
  throw new TypeError(
    'registerKinlogMetrics: expected a KinesisTransport, a KinesisSink or the pino transport stream',
  );
}
