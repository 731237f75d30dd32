/*
 * AWS Signature Version 4 for one kind of request: a POST to a fixed path, no query, the same
 * headers every time but for a few set per request. What the SDK's SignatureV4 recomputes for
 * every request is computed here once:
 *
 *   constructor ─▶ canonical path, "name:value" of every fixed header, signed-header lists
 *   sign(body)  ─▶ sha256(body) ─▶ canonical request = fixed lines + the per-request lines,
 *                  in name order ─▶ sha256 ─▶ one HMAC with the signing key
 *   signing key ─▶ derived (four HMACs) only when the day, the secret, the region or the
 *                  service changes; the last one is kept
 *
 * The result is the SDK's, header for header (test/unit/sink/put-records-signer.test.ts signs
 * the same requests with both). Nothing here checks a signature: only AWS does, so that
 * differential test is the guard.
 */
import { createHash, createHmac } from 'node:crypto';
import type { AwsCredentials } from '@kinlog/core';

/** Options of {@link PutRecordsSigner}. */
export interface PutRecordsSignerOptions {
  readonly method: string;
  readonly path: string;
  /** Headers that are the same on every request (any case; `host` included). */
  readonly headers: Readonly<Record<string, string>>;
  readonly region: string;
  readonly service: string;
}

/** The headers a signed request adds to the fixed ones. */
export interface PerRequestHeaders {
  readonly 'content-length': string;
  readonly 'amz-sdk-invocation-id': string;
}

/** Headers SigV4 (as the SDK applies it) never signs. */
const UNSIGNABLE_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'cache-control',
  'connection',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
]);
const UNSIGNABLE_PREFIX = /^(?:proxy-|sec-)/;

/** Headers the signer sets itself (or the SDK drops before signing): never taken as fixed. */
const SIGNER_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'date',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
  'content-length',
  'amz-sdk-invocation-id',
]);

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MS_PER_SECOND = 1000;
const KEY_TYPE = 'aws4_request';
/** Index of each per-request value in a canonical-request template. */
const Slot = {
  CONTENT_LENGTH: 0,
  INVOCATION_ID: 1,
  DATE: 2,
  TOKEN: 3,
  PAYLOAD_HASH: 4,
} as const;
type Slot = (typeof Slot)[keyof typeof Slot];

const SLOT_HEADERS: readonly (readonly [string, Slot])[] = [
  ['content-length', Slot.CONTENT_LENGTH],
  ['amz-sdk-invocation-id', Slot.INVOCATION_ID],
  ['x-amz-date', Slot.DATE],
  ['x-amz-security-token', Slot.TOKEN],
  ['x-amz-content-sha256', Slot.PAYLOAD_HASH],
];

/** The canonical request's header lines: fixed text between the per-request values. */
interface Template {
  /** `parts[i]` comes before `slots[i]`'s value; the last part ends the request. */
  readonly parts: readonly string[];
  readonly slots: readonly Slot[];
  readonly signedHeaders: string;
}

/**
 * Signs requests that differ only in body, length, invocation id, date and credentials.
 *
 * @example
 * ```ts
 * const signer = new PutRecordsSigner({ method: 'POST', path: '/', headers, region: 'eu-west-1', service: 'kinesis' });
 * const sent = signer.sign(body, { 'content-length': String(body.length), 'amz-sdk-invocation-id': id }, credentials, Date.now());
 * sent.authorization; // 'AWS4-HMAC-SHA256 Credential=AKID…/20260501/eu-west-1/kinesis/aws4_request, …'
 * ```
 */
export class PutRecordsSigner {
  private readonly fixed: Readonly<Record<string, string>>;
  private readonly region: string;
  private readonly service: string;
  private readonly withToken: Template;
  private readonly withoutToken: Template;
  private keyDay = '';
  private keySecret = '';
  private key: Buffer = Buffer.alloc(0);
  /** The last second signed at, and its `x-amz-date`: requests come many to the second. */
  private dateSecond = NaN;
  private dateText = '';

  constructor(options: PutRecordsSignerOptions) {
    this.region = options.region;
    this.service = options.service;
    const fixed: Record<string, string> = {};
    for (const name of Object.keys(options.headers)) {
      const lower = name.toLowerCase();
      const value = options.headers[name];
      if (value === undefined || SIGNER_HEADERS.has(lower)) continue;
      fixed[lower] = value;
    }
    this.fixed = fixed;
    const head = `${options.method}\n${canonicalPath(options.path)}\n\n`;
    this.withToken = template(head, fixed, true);
    this.withoutToken = template(head, fixed, false);
  }

  /**
   * The request's headers, signed at `nowMs`: the fixed ones, `perRequest`, `x-amz-date`,
   * `x-amz-security-token` (temporary credentials), `x-amz-content-sha256`, `authorization`.
   * Throws as the SDK does for credentials without a key id or secret.
   */
  sign(
    body: Uint8Array,
    perRequest: PerRequestHeaders,
    credentials: AwsCredentials,
    nowMs: number,
  ): Record<string, string> {
    if (
      typeof credentials !== 'object' ||
      typeof credentials.accessKeyId !== 'string' ||
      typeof credentials.secretAccessKey !== 'string'
    ) {
      throw new Error('Resolved credential object is not valid');
    }
    const second = Math.floor(nowMs / MS_PER_SECOND);
    if (second !== this.dateSecond) {
      this.dateText = amzDate(nowMs);
      this.dateSecond = second;
    }
    const longDate = this.dateText;
    const day = longDate.slice(0, 8);
    const token = credentials.sessionToken;
    const hasToken = token !== undefined && token !== '';
    const payloadHash = createHash('sha256').update(body).digest('hex');
    const values = [
      canonicalValue(perRequest['content-length']),
      canonicalValue(perRequest['amz-sdk-invocation-id']),
      longDate,
      hasToken ? canonicalValue(token) : '',
      payloadHash,
    ];
    const t = hasToken ? this.withToken : this.withoutToken;
    let canonical = '';
    for (let i = 0; i < t.slots.length; i++) canonical += t.parts[i]! + values[t.slots[i]!]!;
    canonical += t.parts[t.slots.length]!;
    const scope = `${day}/${this.region}/${this.service}/${KEY_TYPE}`;
    const stringToSign = `${ALGORITHM}\n${longDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
    const signature = createHmac('sha256', this.signingKey(day, credentials.secretAccessKey))
      .update(stringToSign)
      .digest('hex');
    const headers: Record<string, string> = { ...this.fixed };
    headers['content-length'] = perRequest['content-length'];
    headers['amz-sdk-invocation-id'] = perRequest['amz-sdk-invocation-id'];
    headers['x-amz-date'] = longDate;
    if (hasToken) headers['x-amz-security-token'] = token;
    headers['x-amz-content-sha256'] = payloadHash;
    headers['authorization'] =
      `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, ` +
      `SignedHeaders=${t.signedHeaders}, Signature=${signature}`;
    return headers;
  }

  /** The day's key; derived again only when the day or the secret changed. */
  private signingKey(day: string, secret: string): Buffer {
    if (day !== this.keyDay || secret !== this.keySecret) {
      let key = createHmac('sha256', `AWS4${secret}`).update(day).digest();
      for (const part of [this.region, this.service, KEY_TYPE]) {
        key = createHmac('sha256', key).update(part).digest();
      }
      this.key = key;
      this.keyDay = day;
      this.keySecret = secret;
    }
    return this.key;
  }
}

/** The fixed header lines, in name order, with a slot wherever a per-request header falls. */
function template(head: string, fixed: Readonly<Record<string, string>>, token: boolean): Template {
  const lines = new Map<string, string | Slot>();
  for (const [name, value] of Object.entries(fixed)) {
    if (UNSIGNABLE_HEADERS.has(name) || UNSIGNABLE_PREFIX.test(name)) continue;
    lines.set(name, `${name}:${canonicalValue(value)}`);
  }
  for (const [name, slot] of SLOT_HEADERS) {
    if (slot !== Slot.TOKEN || token) lines.set(name, slot);
  }
  const names = [...lines.keys()].sort();
  const parts: string[] = [];
  const slots: Slot[] = [];
  let text = head;
  names.forEach((name, i) => {
    const line = lines.get(name)!;
    const sep = i === 0 ? '' : '\n';
    if (typeof line === 'string') {
      text += sep + line;
    } else {
      parts.push(`${text}${sep}${name}:`);
      slots.push(line);
      text = '';
    }
  });
  const signedHeaders = names.join(';');
  // The header block ends with a blank line (each header line ends in a line break).
  parts.push(`${text}\n\n${signedHeaders}\n`);
  // The payload hash is the canonical request's last line, after the signed-header list.
  slots.push(Slot.PAYLOAD_HASH);
  parts.push('');
  return { parts, slots, signedHeaders };
}

/** A header value as SigV4 signs it: line breaks as spaces, runs of blanks as one, trimmed. */
function canonicalValue(value: string): string {
  return value
    .replace(/[\r\n]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '');
}

/** The path as the SDK signs it (`uriEscapePath`): dot segments resolved, each byte escaped. */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment.length === 0 || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${
    segments.length > 0 && path.endsWith('/') ? '/' : ''
  }`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

/** RFC 3986 escaping, as the SDK's `escapeUri`. */
function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** `YYYYMMDDTHHMMSSZ` of `ms` (whole seconds, as the SDK writes it). */
function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}
