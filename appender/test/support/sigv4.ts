import { createHash, createHmac } from 'node:crypto';

/** A request as it leaves the SDK, signed. */
export interface SignedRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body: unknown;
}

const sha256Hex = (data: string | Uint8Array): string =>
  createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer =>
  createHmac('sha256', key).update(data).digest();

function bodyBytes(body: unknown): Uint8Array | string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  const bytes = body as Uint8Array;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Recomputes the AWS Signature Version 4 of `request` from its method, path, signed headers and
 * the body it actually carries (written here from the published algorithm, independent of the
 * SDK), and answers whether it equals the signature in its Authorization header: a body changed
 * after signing would not.
 *
 * @example
 * ```ts
 * expect(signatureMatches(captured, process.env.AWS_SECRET_ACCESS_KEY!)).to.equal(true);
 * ```
 */
export function signatureMatches(request: SignedRequest, secretAccessKey: string): boolean {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  const match =
    /^AWS4-HMAC-SHA256 Credential=[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      headers['authorization'] ?? '',
    );
  if (match === null) return false;
  const [, date, region, service, signedHeaders, signature] = match as unknown as string[];
  const names = signedHeaders!.split(';');
  const canonicalHeaders = names
    .map((name) => `${name}:${(headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const query = Object.entries(request.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v ?? '']]))
    .map(([k, v]) => `${encodeURIComponent(k!)}=${encodeURIComponent(v!)}`)
    .sort()
    .join('&');
  const canonicalRequest = [
    request.method,
    request.path,
    query,
    canonicalHeaders,
    signedHeaders,
    sha256Hex(bodyBytes(request.body)),
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    headers['x-amz-date'] ?? '',
    scope,
    sha256Hex(canonicalRequest),
  ].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${secretAccessKey}`, date!), region!), service!),
    'aws4_request',
  );
  return hmac(key, stringToSign).toString('hex') === signature;
}
