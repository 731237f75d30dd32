import type { AccessLine } from './access-line-reader.js';
import { accessLevel } from './access-log-parser.js';

/** What `JSON.stringify` writes escaped: `"`, `\`, control characters and lone surrogates. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `JSON.stringify(accessEvent(a))`, with the members `more` (each opening with a comma) added
 * before the closing brace, written straight from the fields: an event object and the generic
 * serializer's walk over it cost more than reading the line. A field is copied between quotes
 * as it is unless it holds something JSON escapes; then `JSON.stringify` writes it, so the text
 * is always the same as the serializer's.
 *
 * @example
 * ```ts
 * const a = readAccessLine('10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 503 12')!;
 * accessEventJson(a) === JSON.stringify(accessEvent(a)); // true
 * accessEventJson(a, ',"host":"web-1"'); // '{"level":"error",…,"host":"web-1"}'
 * ```
 */
export function accessEventJson(a: AccessLine, more = ''): string {
  const quote = a.plainJson ? quotePlain : quoteAny;
  let json = `{"level":"${accessLevel(a.status)}","msg":${quote(a.request)},"clientIp":${quote(a.clientIp)},"status":${a.status},"bytes":${number(a.bytes)}`;
  // ISO text: nothing to escape.
  if (a.time !== undefined) json += `,"time":"${a.time}"`;
  if (a.ident !== undefined) json += `,"ident":${quote(a.ident)}`;
  if (a.user !== undefined) json += `,"user":${quote(a.user)}`;
  if (a.method !== undefined) {
    json += `,"method":${quote(a.method)},"path":${quote(a.path ?? '')}`;
    if (a.protocol !== undefined) json += `,"protocol":${quote(a.protocol)}`;
  }
  if (a.referrer !== undefined) json += `,"referrer":${quote(a.referrer)}`;
  if (a.agent !== undefined) json += `,"agent":${quote(a.agent)}`;
  if (a.extra !== undefined) json += `,"extra":${quote(a.extra)}`;
  return `${json}${more}}`;
}

/** A JSON string of text known to hold nothing to escape. */
function quotePlain(text: string): string {
  return `"${text}"`;
}

/** A JSON string, as `JSON.stringify` writes it. */
function quoteAny(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** A JSON number: a byte count too long for a double is `null`, as `JSON.stringify` has it. */
function number(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}
