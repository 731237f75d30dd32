import { truncateString } from './truncate-string.js';

/**
 * Version of the masking rules below. Signatures made under different versions are not
 * comparable, so reports carry it and a comparison across versions can be refused.
 */
export const SIGNATURE_RULES_VERSION = 1;

/** Bounds of a signature. */
export const SignatureLimits = {
  /** Only this much of a message is masked; the rest cannot change the (truncated) result much. */
  MAX_INPUT_CHARS: 512,
  /** A signature is cut to this many characters after masking. */
  MAX_SIGNATURE_CHARS: 120,
} as const;

/** The signature of a record with an empty or missing message. */
export const EMPTY_SIGNATURE = '(empty)';

/** The placeholders that replace the variable parts of a message. */
export const SignatureMasks = {
  number: '<n>',
  uuid: '<uuid>',
  hex: '<hex>',
  ip: '<ip>',
  email: '<email>',
  string: '"<str>"',
} as const;

/*
 * One pass, one regex: at each position the alternatives are tried in this order, so an email
 * wins over the numbers inside it, a UUID over its hex groups, an address over its numbers.
 *
 *   1 email     local@domain.tld           (only at a token start: linear on long words)
 *   2 uuid      8-4-4-4-12 hex
 *   3 ipv6      candidate with 2–7 colons, optional [..], %zone, :port, embedded IPv4;
 *               checked in code: needs "::" or exactly 7 colons, so "10:20:30" is not one
 *   4 ipv4      a.b.c.d with optional :port
 *   5 hex       0x… or 8+ hex digits (kept when it has no decimal digit: "deadbeef" is a word
 *               as often as an id; all digits is a number)
 *   6 number    digits with . or , groups (1,234.5 and 1.2.3 are one number)
 *   7 string    "double-quoted" (user data, usually); 'single quotes' are kept: in Node's own
 *               messages they hold identifiers and paths (reading 'foo'), and they are
 *               apostrophes in prose
 *   8 space     a run of 2+ whitespace or any tab/newline: collapsed to one space
 */
const MASK_RULES = new RegExp(
  [
    String.raw`((?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)`,
    String.raw`(\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)`,
    String.raw`((?<![\w:.\]])\[?(?:[0-9a-fA-F]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9a-fA-F]{0,4})(?:%[\w.]+)?(?:\](?::\d{1,5})?)?)`,
    String.raw`((?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?(?!\d))`,
    String.raw`(\b0[xX][0-9a-fA-F]+\b|\b[0-9a-fA-F]{8,}\b)`,
    String.raw`(\d+(?:[.,]\d+)*)`,
    String.raw`("(?:[^"\\\r\n]|\\.){0,256}")`,
    String.raw`(\s{2,}|[^\S ])`,
  ].join('|'),
  'g',
);

const HAS_DECIMAL_DIGIT = /\d/;
const HEX_LETTER = /[a-fA-F]/;
const HEX_DIGIT = /[0-9a-fA-F]/;
const NUMBERS = /\d+(?:[.,]\d+)*/g;

/**
 * The signature of a log message: the message with its variable parts masked, so that
 * `timeout after 3012ms on 10.0.0.7:5432` and `timeout after 87ms on 10.0.0.9:5432` count as one
 * problem, `timeout after <n>ms on <ip>`. Rules (version {@link SIGNATURE_RULES_VERSION}):
 * emails → `<email>`, UUIDs → `<uuid>`, IPv4/IPv6 addresses with an optional port → `<ip>`,
 * `0x…` and 8+ digit hex with a decimal digit → `<hex>`, numbers → `<n>`, double-quoted strings
 * → `"<str>"`; whitespace runs collapse to one space, ends are trimmed, and the result is cut to
 * {@link SignatureLimits.MAX_SIGNATURE_CHARS}. A missing, non-string or blank message is
 * {@link EMPTY_SIGNATURE}. The text is never interpreted: `<script>` stays `<script>`.
 *
 * @example
 * ```ts
 * messageSignature('user 42 failed from 10.0.0.7:5432 id=550e8400-e29b-41d4-a716-446655440000');
 * // 'user <n> failed from <ip> id=<uuid>'
 * ```
 */
export function messageSignature(message: unknown): string {
  if (typeof message !== 'string') return EMPTY_SIGNATURE;
  const input =
    message.length > SignatureLimits.MAX_INPUT_CHARS
      ? message.slice(0, SignatureLimits.MAX_INPUT_CHARS)
      : message;
  const masked = input.replace(MASK_RULES, maskMatch).trim();
  if (masked === '') return EMPTY_SIGNATURE;
  return truncateString(masked, SignatureLimits.MAX_SIGNATURE_CHARS);
}

function maskMatch(
  match: string,
  email: string | undefined,
  uuid: string | undefined,
  ipv6: string | undefined,
  ipv4: string | undefined,
  hex: string | undefined,
  num: string | undefined,
  quoted: string | undefined,
): string {
  if (num !== undefined) return SignatureMasks.number;
  if (hex !== undefined) {
    if (match.charCodeAt(1) === 0x78 || match.charCodeAt(1) === 0x58) return SignatureMasks.hex;
    if (!HEX_LETTER.test(match)) return SignatureMasks.number;
    return HAS_DECIMAL_DIGIT.test(match) ? SignatureMasks.hex : match;
  }
  if (ipv4 !== undefined) return SignatureMasks.ip;
  if (ipv6 !== undefined) return isIpv6(match) ? SignatureMasks.ip : match.replace(NUMBERS, '<n>');
  if (uuid !== undefined) return SignatureMasks.uuid;
  if (email !== undefined) return SignatureMasks.email;
  if (quoted !== undefined) return SignatureMasks.string;
  return ' ';
}

function isIpv6(candidate: string): boolean {
  if (!HEX_DIGIT.test(candidate)) return false;
  const close = candidate.indexOf(']');
  const address = close >= 0 ? candidate.slice(0, close) : candidate;
  if (address.includes('::')) return true;
  let colons = 0;
  for (let i = 0; i < address.length; i++) if (address.charCodeAt(i) === 0x3a) colons++;
  return colons === 7;
}
