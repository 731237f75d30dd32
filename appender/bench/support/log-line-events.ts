/**
 * Request log events whose JSON is exactly {@link LogLineDefaults.LINE_BYTES} bytes, as a busy
 * multi-tenant service writes them: distinct request ids and timestamps, mostly `info`, a few
 * warnings and errors, and a `tenant` field with {@link LogLineDefaults.TENANT_COUNT} values
 * (skewed: a few tenants are much busier), to partition by. Built once from a fixed seed, so
 * every variant of every run sends the same bytes and producing an event costs nothing.
 */
import { seededRandom } from '@kinlog/core';

/** Sizes of the generated events. */
export const LogLineDefaults = {
  /** Bytes of `JSON.stringify(event)`. */
  LINE_BYTES: 200,
  /** Distinct values of the `tenant` field. */
  TENANT_COUNT: 100,
  /** Distinct events, reused round-robin: many more than fit in one 50 KiB aggregate. */
  POOL_SIZE: 16_384,
  SEED: 0x6b696e6c,
  /** Field to partition by for per-tenant keys. */
  TENANT_FIELD: 'tenant',
} as const;

const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'] as const;
const PATHS = ['/orders/', '/cart/', '/search?q=', '/users/', '/pay/'] as const;
const MESSAGES = {
  info: ['request completed', 'cache hit', 'order accepted'],
  warn: ['slow upstream', 'payment retry'],
  error: ['upstream timeout', 'db connection reset'],
} as const;
const START_MS = Date.UTC(2024, 4, 1, 10, 0, 0);

/** One generated event. */
export type LogLineEvent = Record<string, string | number>;

function pick<T>(items: readonly T[], r: number): T {
  return items[Math.floor(r * items.length)]!;
}

function makeEvent(i: number, random: () => number): LogLineEvent {
  const roll = random();
  const level = roll < 0.02 ? 'error' : roll < 0.08 ? 'warn' : 'info';
  // Squaring skews the draw toward low tenant numbers: a few tenants dominate, as in practice.
  const tenant = Math.floor(random() ** 2 * LogLineDefaults.TENANT_COUNT);
  const event: LogLineEvent = {
    time: new Date(START_MS + i * 3 + Math.floor(random() * 3)).toISOString(),
    level,
    tenant: `tenant-${String(tenant).padStart(3, '0')}`,
    // Two draws: one has only 32 random bits.
    reqId: (Math.floor(random() * 2 ** 24) * 2 ** 24 + Math.floor(random() * 2 ** 24))
      .toString(16)
      .padStart(12, '0'),
    method: pick(METHODS, random()),
    path: pick(PATHS, random()) + String(Math.floor(random() * 100_000)),
    status: level === 'error' ? 503 : level === 'warn' && random() < 0.5 ? 429 : 200,
    durationMs: Math.floor(random() ** 3 * 3_000),
    msg: pick(MESSAGES[level], random()),
  };
  const missing = LogLineDefaults.LINE_BYTES - JSON.stringify(event).length;
  if (missing < 0) throw new Error(`event ${i} is longer than ${LogLineDefaults.LINE_BYTES} bytes`);
  // Fill with a user agent cut to length, so every line has the same size.
  const filler = ',"ua":""'.length;
  if (missing >= filler) {
    event.ua = 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0 '
      .repeat(4)
      .slice(0, missing - filler);
  } else event.msg = `${event.msg as string}${'.'.repeat(missing)}`;
  return event;
}

const random = seededRandom(LogLineDefaults.SEED);
const POOL: readonly LogLineEvent[] = Array.from({ length: LogLineDefaults.POOL_SIZE }, (_, i) =>
  makeEvent(i, random),
);

/**
 * Event number `i` (the pool repeats every {@link LogLineDefaults.POOL_SIZE} events).
 *
 * @example
 * ```ts
 * JSON.stringify(logLineAt(7)).length === LogLineDefaults.LINE_BYTES;
 * ```
 */
export function logLineAt(i: number): LogLineEvent {
  return POOL[i % LogLineDefaults.POOL_SIZE]!;
}
