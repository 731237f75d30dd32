/*
 * The PutRecords request as the AWS SDK builds it, taken once without sending it:
 *
 *   KinesisClient.send(PutRecords, no records) ─▶ endpoint rules, headers, user agent, SigV4
 *        ─▶ [capture] stops before the HTTP handler ─▶ PutRecordsPrototype
 *
 * Everything the SDK resolves per client (endpoint: custom, AWS_ENDPOINT_URL_KINESIS, profile,
 * FIPS, dual-stack; signing region and name; user agent) is read off that one request, so a
 * request signed from the prototype is the one the SDK would send. A request the lean path
 * cannot reproduce (not awsJson 1.1, not SigV4, a query string) gives no prototype.
 */
import { createRequire } from 'node:module';
import type * as KinesisSdk from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { isJsonPutRecordsRequest } from './put-records-request.js';

// The SDK is CommonJS: required, not imported. An import makes Node parse its bundles (and those
// they re-export) to list their named exports, about 50 ms of CPU at every start of a command.
const { PutRecordsCommand } = createRequire(import.meta.url)(
  '@aws-sdk/client-kinesis',
) as typeof KinesisSdk;

/** What every PutRecords request of one client has in common. */
export interface PutRecordsPrototype {
  readonly protocol: 'http:' | 'https:';
  readonly hostname: string;
  readonly port: number | undefined;
  readonly method: string;
  readonly path: string;
  /** The SDK's headers that do not change per request (no length, date, token, hash, signature). */
  readonly headers: Readonly<Record<string, string>>;
  readonly signingRegion: string;
  readonly signingService: string;
}

/** Headers the SDK sets per request; the lean path sets them again (or the signer does). */
const PER_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'content-length',
  'amz-sdk-invocation-id',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
  'authorization',
]);

/** `AWS4-HMAC-SHA256 Credential=<key id>/<date>/<region>/<service>/aws4_request, …` */
const SIGV4_SCOPE = /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request,/;

/** The request, as signed, thrown out of the middleware stack before the HTTP handler. */
class CapturedRequest extends Error {
  constructor(readonly request: unknown) {
    super('PutRecords request captured');
  }
}

/** The parts of the SDK's HTTP request read here. */
interface SdkRequest {
  protocol?: unknown;
  hostname?: unknown;
  port?: unknown;
  method?: unknown;
  path?: unknown;
  query?: unknown;
  headers: Record<string, string>;
}

/**
 * Builds an empty PutRecords request through `client` (credentials resolved, request signed,
 * nothing sent) and keeps what a lean request needs of it; `undefined` when the request is not
 * one the lean path can reproduce. SDK failures (no region, no credentials) are thrown as they
 * came.
 *
 * @example
 * ```ts
 * const prototype = await putRecordsPrototype(kinesis, 'logs', signal);
 * // { protocol: 'https:', hostname: 'kinesis.eu-west-1.amazonaws.com', signingRegion: 'eu-west-1', … }
 * ```
 */
export async function putRecordsPrototype(
  client: KinesisClient,
  streamName: string,
  signal?: AbortSignal,
): Promise<PutRecordsPrototype | undefined> {
  const command = new PutRecordsCommand({ StreamName: streamName, Records: [] });
  command.middlewareStack.add(
    () => (args) => {
      throw new CapturedRequest(args.request);
    },
    { step: 'deserialize', priority: 'low', name: 'kinlogCapturePutRecords' },
  );
  try {
    await client.send(command, signal === undefined ? {} : { abortSignal: signal });
  } catch (err) {
    if (err instanceof CapturedRequest) return prototypeOf(err.request);
    throw err;
  }
  return undefined;
}

/**
 * What a lean request needs of a signed SDK request, or `undefined` if it cannot be reproduced.
 *
 * @example
 * ```ts
 * prototypeOf(signedRequest)?.signingRegion; // 'eu-west-1'
 * ```
 */
export function prototypeOf(request: unknown): PutRecordsPrototype | undefined {
  if (!isJsonPutRecordsRequest(request)) return undefined;
  const r = request as unknown as SdkRequest;
  if (r.protocol !== 'http:' && r.protocol !== 'https:') return undefined;
  if (typeof r.hostname !== 'string' || typeof r.path !== 'string') return undefined;
  if (typeof r.method !== 'string') return undefined;
  if (r.port !== undefined && typeof r.port !== 'number') return undefined;
  const query = r.query;
  if (typeof query === 'object' && query !== null && Object.keys(query).length > 0)
    return undefined;
  const headers: Record<string, string> = {};
  let authorization: string | undefined;
  for (const [name, value] of Object.entries(r.headers)) {
    const lower = name.toLowerCase();
    if (lower === 'authorization') authorization = value;
    if (lower.startsWith(':')) return undefined; // HTTP/2 pseudo-headers: not our transport
    if (!PER_REQUEST_HEADERS.has(lower)) headers[lower] = value;
  }
  const scope = authorization === undefined ? null : SIGV4_SCOPE.exec(authorization);
  if (scope === null) return undefined;
  return {
    protocol: r.protocol,
    hostname: r.hostname,
    port: r.port,
    method: r.method,
    path: r.path,
    headers,
    signingRegion: scope[1]!,
    signingService: scope[2]!,
  };
}
