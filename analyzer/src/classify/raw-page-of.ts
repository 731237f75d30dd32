import type { AnalyzerEvent } from './analyzer-event.js';

/**
 * The fields a page is read from, first present non-empty string wins. `request` is an HTTP
 * request line (`GET /cart?x=1 HTTP/1.1`, as in access logs) whose target is taken; `req.url`
 * is where pino-http puts it.
 */
export const PAGE_FIELDS = ['page', 'path', 'url', 'uri', 'request', 'req.url'] as const;

/** `METHOD SP target [SP HTTP/x.y]`: the target is the second token. */
const REQUEST_LINE = /^[A-Z]{3,10} +(\S+)(?: +HTTP\/\d(?:\.\d)?)?\s*$/;

/**
 * The unfolded page of a record: the first of {@link PAGE_FIELDS} that holds a non-empty
 * string (a `request` field counts only as an HTTP request line, or as a path starting with
 * `/`), else the value of `page` or `path` as it is (non-strings fold to `(none)`).
 *
 * @example
 * ```ts
 * rawPageOf({ request: 'GET /cart?x=1 HTTP/1.1' }); // '/cart?x=1'
 * rawPageOf({ req: { method: 'GET', url: '/users/42' } }); // '/users/42'
 * ```
 */
export function rawPageOf(event: AnalyzerEvent): unknown {
  if (nonEmpty(event.page)) return event.page;
  if (nonEmpty(event.path)) return event.path;
  if (nonEmpty(event.url)) return event.url;
  if (nonEmpty(event.uri)) return event.uri;
  const request = event.request;
  if (nonEmpty(request)) {
    if (request.startsWith('/')) return request;
    const target = REQUEST_LINE.exec(request)?.[1];
    if (target !== undefined) return target;
  }
  const req = event.req;
  if (req !== null && typeof req === 'object' && !Array.isArray(req)) {
    const url = (req as Record<string, unknown>).url;
    if (nonEmpty(url)) return url;
  }
  return event.page ?? event.path;
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
