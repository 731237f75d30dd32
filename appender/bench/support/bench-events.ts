/** Events of a busy web service, as a logger sees them: about 250 bytes of JSON each. */
const POOL_SIZE = 1_024;
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'] as const;
const PAGES = ['/checkout', '/cart', '/products/42', '/search', '/login', '/api/orders'] as const;
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-2', 'sa-east-1'] as const;

/** Fields of one request log line (the message is separate: {@link EVENT_MESSAGE}). */
export interface BenchFields {
  reqId: string;
  method: string;
  page: string;
  status: number;
  durationMs: number;
  userId: string;
  region: string;
  userAgent: string;
}

export const EVENT_MESSAGE = 'request completed';

/** A pool of distinct events, reused round-robin so generating them costs nothing per call. */
export const BENCH_FIELDS: readonly BenchFields[] = Array.from({ length: POOL_SIZE }, (_, i) => ({
  reqId: `req-${(1_000_000 + i * 7919).toString(36)}-${i}`,
  method: METHODS[i % METHODS.length]!,
  page: PAGES[i % PAGES.length]!,
  status: i % 23 === 0 ? 503 : i % 11 === 0 ? 404 : 200,
  durationMs: (i * 37) % 1_500,
  userId: `user-${i % 300}`,
  region: REGIONS[i % REGIONS.length]!,
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0',
}));

/** The fields of call `i`. */
export function fieldsAt(i: number): BenchFields {
  return BENCH_FIELDS[i % POOL_SIZE]!;
}

const BENCH_EVENTS: readonly Record<string, unknown>[] = BENCH_FIELDS.map((fields, i) => ({
  time: new Date(Date.UTC(2024, 4, 1, 10, 0, 0, i)).toISOString(),
  level: 'info',
  msg: EVENT_MESSAGE,
  ...fields,
}));

/** A whole event as a sink receives it (time, level, msg, fields), from a pool like the fields. */
export function eventAt(i: number): Record<string, unknown> {
  return BENCH_EVENTS[i % POOL_SIZE]!;
}
