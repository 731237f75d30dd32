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
  // Quotes sit in the template's constant parts: every piece added is one more node of the
  // rope the text is built as, and one more step when it is made flat.
  const e = a.plainJson ? asIs : escapedInQuotes;
  let json = `{"level":"${accessLevel(a.status)}","msg":"${e(a.request)}","clientIp":"${e(a.clientIp)}","status":${a.status},"bytes":${number(a.bytes)}`;
  // ISO text: nothing to escape.
  if (a.time !== undefined) json += `,"time":"${a.time}"`;
  if (a.ident !== undefined) json += `,"ident":"${e(a.ident)}"`;
  if (a.user !== undefined) json += `,"user":"${e(a.user)}"`;
  if (a.method !== undefined) {
    json +=
      a.protocol === undefined
        ? `,"method":"${e(a.method)}","path":"${e(a.path ?? '')}"`
        : `,"method":"${e(a.method)}","path":"${e(a.path ?? '')}","protocol":"${e(a.protocol)}"`;
  }
  if (a.referrer !== undefined) json += `,"referrer":"${e(a.referrer)}"`;
  if (a.agent !== undefined) json += `,"agent":"${e(a.agent)}"`;
  if (a.extra !== undefined) json += `,"extra":"${e(a.extra)}"`;
  return `${json}${more}}`;
}

/** Text known to hold nothing JSON escapes. */
function asIs(text: string): string {
  return text;
}

/** What `JSON.stringify` writes between the quotes of a string. */
function escapedInQuotes(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text).slice(1, -1) : text;
}

/** A JSON number: a byte count too long for a double is `null`, as `JSON.stringify` has it. */
function number(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}
