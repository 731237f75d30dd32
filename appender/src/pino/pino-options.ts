import { ConfigError } from '@kinlog/core';
import type { KinesisSinkOptions } from '../sink/sink-options.js';
import { resolveSinkOptions, type ResolvedSinkOptions } from '../sink/sink-options.js';
import { TransportDefaults } from '../transport-defaults.js';

/** Limits of the pino transport, set by pino's worker machinery (thread-stream). */
export const PinoTransportDefaults = {
  /**
   * Default `shutdownTimeoutMs` in the worker. When the process exits, pino waits at most ~10 s
   * (thread-stream's `end()` bound) for the worker to close; delivery must finish before that.
   */
  SHUTDOWN_TIMEOUT_MS: 8_000,
  /** Upper bound of `shutdownTimeoutMs`, under thread-stream's 10 s. */
  MAX_SHUTDOWN_TIMEOUT_MS: 9_000,
} as const;

/**
 * Options of the pino transport. pino hands them to a worker thread by structured clone, so
 * they are plain data: no SDK client, no functions (`partitionKey` is `'random'` or
 * `{ field }`, and the worker builds its own client from `region`, `endpoint`, `credentials`).
 *
 * @example
 * ```ts
 * const options: PinoKinesisOptions = { streamName: 'app-logs', partitionKey: { field: 'reqId' } };
 * ```
 */
export interface PinoKinesisOptions extends Omit<
  KinesisSinkOptions,
  'client' | 'encode' | 'partitionKey'
> {
  partitionKey?: 'random' | { field: string };
  /**
   * Where the worker writes its final counters (`SinkStats` as JSON) when it closes: a way to
   * read them after the process or the worker is gone. They are also emitted on the transport
   * stream as a `kinlogStats` event when the worker closes while the main thread is running.
   */
  statsFile?: string;
}

/**
 * Checks pino transport options (plain data, shutdown bound) and resolves the sink's options;
 * throws one {@link ConfigError} listing every problem.
 *
 * @example
 * ```ts
 * resolvePinoOptions({ streamName: 'logs', shutdownTimeoutMs: 20_000 });
 * // ConfigError: shutdownTimeoutMs: must be at most 9000 for the pino transport ...
 * ```
 */
export function resolvePinoOptions(options: PinoKinesisOptions): ResolvedSinkOptions {
  const o = (options ?? {}) as PinoKinesisOptions & Record<string, unknown>;
  const problems: { path: string; message: string }[] = [];
  for (const key of ['client', 'encode'] as const) {
    if (o[key] !== undefined) {
      problems.push({
        path: key,
        message: `${key} cannot cross into pino's worker thread; pass plain options (region, endpoint, credentials)`,
      });
    }
  }
  if (typeof o.partitionKey === 'function') {
    problems.push({
      path: 'partitionKey',
      message: 'partitionKey must be "random" or { field: "name" } for the pino transport',
    });
  }
  const max = PinoTransportDefaults.MAX_SHUTDOWN_TIMEOUT_MS;
  if (typeof o.shutdownTimeoutMs === 'number' && o.shutdownTimeoutMs > max) {
    problems.push({
      path: 'shutdownTimeoutMs',
      message: `shutdownTimeoutMs must be at most ${max} for the pino transport (pino waits ~10 s for its worker at exit)`,
    });
  }
  if (problems.length > 0) throw new ConfigError(problems, 'invalid pino transport options');
  const sinkOptions: Record<string, unknown> = { ...o };
  // pino's own keys and ours, not the sink's.
  delete sinkOptions.statsFile;
  delete sinkOptions.pinoWillSendConfig;
  return resolveSinkOptions({
    ...(sinkOptions as unknown as KinesisSinkOptions),
    shutdownTimeoutMs: o.shutdownTimeoutMs ?? PinoTransportDefaults.SHUTDOWN_TIMEOUT_MS,
    // A blocked worker stops reading pino's buffer, and pino's exit then waits on it.
    whenFull: o.whenFull ?? TransportDefaults.WHEN_FULL,
    maxBufferBytes: o.maxBufferBytes ?? TransportDefaults.PINO_MAX_BUFFER_BYTES,
    maxInFlight: o.maxInFlight ?? TransportDefaults.PINO_MAX_IN_FLIGHT,
  });
}
