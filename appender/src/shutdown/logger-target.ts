import pino from 'pino';
import type { Logger as PinoLogger } from 'pino';
import type { Logger as WinstonLogger } from 'winston';
import type { PinoTransportStream } from '../pino/kinesis-pino-transport.js';
import { KinesisTransport } from '../winston/kinesis-transport.js';

/** What {@link closeLogger} and {@link flushLogger} accept. */
export type LoggerTarget = WinstonLogger | KinesisTransport | PinoLogger | PinoTransportStream;

/** The parts of pino's transport stream (thread-stream) the helpers use. */
export interface ThreadStreamLike {
  readonly closed: boolean;
  readonly destroyed: boolean;
  readonly ready: boolean;
  end(): void;
  ref(): void;
  flush(cb: (err?: Error | null) => void): void;
  once(event: 'close' | 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
  on(event: 'error', listener: (err: unknown) => void): unknown;
  off(event: 'error', listener: (err: unknown) => void): unknown;
}

/** A target sorted by kind, so each helper handles winston and pino in one place. */
export type ClassifiedTarget =
  | { kind: 'winston'; logger: WinstonLogger; transports: KinesisTransport[] }
  | { kind: 'transport'; transport: KinesisTransport }
  | { kind: 'threadStream'; stream: ThreadStreamLike }
  | { kind: 'pino'; logger: PinoLogger }
  | { kind: 'unknown' };

/** Sorts what an application passes to the flush/close helpers by kind. */
export function classifyTarget(target: unknown): ClassifiedTarget {
  if (target instanceof KinesisTransport) return { kind: 'transport', transport: target };
  if (target === null || typeof target !== 'object') return { kind: 'unknown' };
  if (isThreadStream(target)) return { kind: 'threadStream', stream: target };
  const pinoStream = (target as Record<symbol, unknown>)[pino.symbols.streamSym];
  if (pinoStream !== undefined) {
    if (isThreadStream(pinoStream)) return { kind: 'threadStream', stream: pinoStream };
    return { kind: 'pino', logger: target as PinoLogger };
  }
  const maybeWinston = target as Partial<WinstonLogger>;
  if (Array.isArray(maybeWinston.transports) && typeof maybeWinston.end === 'function') {
    const transports = maybeWinston.transports.filter(
      (t): t is KinesisTransport => t instanceof KinesisTransport,
    );
    return { kind: 'winston', logger: target as WinstonLogger, transports };
  }
  return { kind: 'unknown' };
}

function isThreadStream(value: unknown): value is ThreadStreamLike {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.flushSync === 'function' &&
    typeof v.flush === 'function' &&
    typeof v.end === 'function' &&
    typeof v.worker === 'object'
  );
}
