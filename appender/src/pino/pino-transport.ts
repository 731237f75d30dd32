/**
 * The module pino loads in its transport worker (`@kinlog/appender/pino`).
 *
 *   main thread: logger ─► thread-stream (shared buffer) ─┐  (kinesisPinoTransport: joined
 *                          lines as bytes on the worker's port instead, line-channel.ts)
 *   worker:      LineWriter: split into lines ─► putEncoded(line, key?) ─► KinesisSink ─► Kinesis
 *                  key: 'random' → the line goes as pino wrote it (no parse);
 *                       { field } → that field read by a scan of the line (lineKey), no parse
 *                  BacklogGate: held bytes ≥ pauseAtBytes ─► the rest of the chunk and the
 *                  write callback wait (pino's buffer keeps the burst) until half are
 *                  acknowledged, at most maxPauseMs
 *   stream.flush()  ─► every line read so far is put, then sink.flush()      (pino logger.flush)
 *   end / exit      ─► close: sink.close() within shutdownTimeoutMs, counters posted back
 *                      (pino blocks the exiting main thread until the worker has closed)
 *
 * Sink errors are posted to the main thread as `kinlogError` events on the transport stream;
 * an `error` event there would crash a host app that does not listen for it.
 */
import { writeFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import type { AppenderError } from '../errors.js';
import { KinesisSink } from '../sink/kinesis-sink.js';
import type { LineRange } from '../sink/line-run.js';
import type { SinkStats } from '../sink/sink-stats.js';
import { TransportDefaults } from '../transport-defaults.js';
import { BacklogGate } from './backlog-gate.js';
import { isLineChannel, LINE_CHANNEL_OPTION, receiveLines } from './line-channel.js';
import { lineKey } from './line-field.js';
import { LineWriter } from './line-writer.js';
import { resolvePinoOptions, type PinoKinesisOptions } from './pino-options.js';
import {
  PinoTransportEvents,
  STATS_UPDATE_INTERVAL_MS,
  type PinoStatsUpdate,
  type PinoTransportError,
} from './pino-transport-events.js';

/**
 * Builds the worker side of the pino transport. pino calls it; applications use
 * `pino.transport({ target: '@kinlog/appender/pino', options })` or
 * {@link kinesisPinoTransport}.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const transport = pino.transport({
 *   target: '@kinlog/appender/pino',
 *   options: { streamName: 'app-logs', region: 'eu-west-1' },
 * });
 * const logger = pino(transport);
 * ```
 */
export default function pinoKinesisTransport(options: PinoKinesisOptions): Promise<Writable> {
  try {
    return Promise.resolve(createWorkerStream(options));
  } catch (error) {
    // Invalid options: pino reports it as an `error` on the transport stream.
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function createWorkerStream(given: PinoKinesisOptions): LineWriter {
  // kinesisPinoTransport's channel for the lines (line-channel.ts): not an option of the sink.
  const { [LINE_CHANNEL_OPTION]: channel, ...options } = given as PinoKinesisOptions &
    Record<typeof LINE_CHANNEL_OPTION, unknown>;
  const resolved = resolvePinoOptions(options);
  const sink = new KinesisSink(resolved);
  const field = typeof options.partitionKey === 'object' ? options.partitionKey.field : undefined;
  sink.on('error', (err) => post(PinoTransportEvents.ERROR, toPlainError(err)));
  const gate = new BacklogGate(sink, {
    pauseAtBytes: Math.min(TransportDefaults.PINO_PAUSE_AT_BYTES, resolved.maxBufferBytes / 2),
    maxPauseMs: TransportDefaults.PINO_MAX_PAUSE_MS,
  });
  sink.on('flush', (e) => gate.acknowledged(e.records));
  sink.on('drop', () => gate.released());
  const postStats = (): void => {
    const update: PinoStatsUpdate = { streamName: resolved.streamName, stats: sink.stats() };
    post(PinoTransportEvents.STATS_UPDATE, update);
  };
  const statsTimer = setInterval(postStats, STATS_UPDATE_INTERVAL_MS).unref();

  const stream = new LineWriter({
    put: (line) => {
      const key = field === undefined ? undefined : lineKey(line, field);
      return (sink.putEncoded(line, key) || sink.closed) && !gate.shouldPause();
    },
    // Lines under the sink's own keys go in runs: one copy each, no record object per line.
    ...(field === undefined && {
      putLines: (lines: LineRange) => (sink.putLines(lines) || sink.closed) && !gate.shouldPause(),
    }),
    ready: async () => {
      await sink.ready();
      await gate.pause();
    },
    close: async () => {
      clearInterval(statsTimer);
      const closed = sink.close();
      gate.released();
      await closed;
      const stats = sink.stats();
      post(PinoTransportEvents.STATS, stats);
      await writeStats(options.statsFile, stats);
    },
  });
  // thread-stream calls this on pino's logger.flush(cb): every line so far delivered or dropped.
  Object.assign(stream, {
    flush: async (): Promise<void> => {
      await stream.idle();
      await sink.flush();
      postStats();
    },
  });
  if (isLineChannel(channel)) {
    // The application side waits for every message to be put before it ends the stream.
    const stop = receiveLines(channel, (bytes, done) => {
      if (stream.writableEnded) done();
      else stream.write(bytes, done);
    });
    stream.once('close', stop);
  }
  return stream;
}

function toPlainError(err: AppenderError): PinoTransportError {
  return { name: err.name, code: err.code, message: err.message, retryable: err.retryable };
}

/** Posts an event that thread-stream re-emits on the transport stream in the main thread. */
function post(name: string, payload: unknown): void {
  try {
    parentPort?.postMessage({ code: 'EVENT', name, args: [payload] });
  } catch {
    // The main thread is gone; nothing to tell.
  }
}

async function writeStats(path: string | undefined, stats: SinkStats): Promise<void> {
  if (path === undefined) return;
  try {
    await writeFile(path, JSON.stringify(stats));
  } catch {
    // Counters are a convenience; failing to write them must not fail the close.
  }
}
