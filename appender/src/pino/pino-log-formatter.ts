import { needsJsonSafe, toJsonSafe } from '../sink/json-safe.js';

/**
 * A pino `formatters.log` that makes the fields of each call JSON-faithful in the application
 * thread, before pino serializes them: an Error under any key keeps name, message, stack, own
 * fields and its cause chain; Buffers, Maps, Sets, BigInts and deep or circular values are
 * written as the winston transport writes them. Pino on its own writes an Error outside the
 * `err` key, a Map or a Set as `{}`. Fields of plain data are returned as they are, after one
 * cheap walk.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * import { kinesisPinoTransport, pinoLogFormatter } from '@kinlog/appender';
 *
 * const logger = pino({ formatters: { log: pinoLogFormatter } }, kinesisPinoTransport(options));
 * logger.error({ cause: new Error('disk full') }, 'upload failed');
 * ```
 */
export function pinoLogFormatter(fields: Record<string, unknown>): Record<string, unknown> {
  if (!needsJsonSafe(fields)) return fields;
  const safe = toJsonSafe(fields);
  return safe !== null && typeof safe === 'object' && !Array.isArray(safe)
    ? (safe as Record<string, unknown>)
    : { fields: safe };
}
