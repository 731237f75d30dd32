/**
 * How PutRecords requests are encoded on the wire. Kinesis reads both on the same operation
 * (`X-Amz-Target: Kinesis_20131202.PutRecords`), with the same member names:
 *
 * - `cbor` (`application/x-amz-cbor-1.1`, as the AWS SDK for Java and the KPL send it): record
 *   bytes travel raw, a third fewer bytes to hash, encrypt and send than base64 text;
 * - `json` (`application/x-amz-json-1.1`, as the AWS SDK for JavaScript sends it): for a proxy
 *   or endpoint that knows only JSON.
 *
 * @example
 * ```ts
 * new KinesisSink({ streamName: 'logs', wireProtocol: WireProtocol.JSON });
 * ```
 */
export const WireProtocol = { CBOR: 'cbor', JSON: 'json' } as const;
export type WireProtocol = (typeof WireProtocol)[keyof typeof WireProtocol];

/**
 * The `wireProtocol` option: a {@link WireProtocol}, or `auto` (the default): CBOR when the
 * client talks to AWS's own endpoints, JSON with any other endpoint override. Emulators are the
 * reason: stock kinesalite (3.x) cuts CBOR answers at 16 KiB and stores CBOR record data as
 * nothing, so CBOR to an endpoint not known to be Kinesis itself could lose records silently.
 *
 * @example
 * ```ts
 * new KinesisSink({ streamName: 'logs', endpoint: 'http://127.0.0.1:4567' }); // auto: JSON
 * new KinesisSink({ streamName: 'logs' }); // auto: CBOR (AWS's own endpoint)
 * ```
 */
export const WireProtocolChoice = { AUTO: 'auto', ...WireProtocol } as const;
export type WireProtocolChoice = (typeof WireProtocolChoice)[keyof typeof WireProtocolChoice];

/** Domains of AWS's own endpoints (commercial, FIPS and GovCloud, China, dual-stack). */
const AWS_ENDPOINT_DOMAINS = [
  'amazonaws.com',
  'amazonaws.com.cn',
  'api.aws',
  'api.amazonwebservices.com.cn',
] as const;

/** A wire protocol with the reason it was taken, for logs and benchmark headers. */
export interface ResolvedWireProtocol {
  readonly protocol: WireProtocol;
  readonly reason: string;
}

/**
 * The wire protocol a client uses: `cbor` and `json` as asked; `auto` (or nothing) gives CBOR
 * for AWS's own endpoints (no endpoint override, or a host under amazonaws.com, amazonaws.com.cn,
 * api.aws or api.amazonwebservices.com.cn) and JSON for any other endpoint, which every Kinesis
 * emulator reads correctly.
 *
 * @param endpoint - the endpoint override in effect (the `endpoint` option, else
 *   AWS_ENDPOINT_URL_KINESIS or AWS_ENDPOINT_URL); `undefined` when the SDK picks AWS's own
 * @example
 * ```ts
 * resolveWireProtocol('auto', 'http://127.0.0.1:4567').protocol; // 'json'
 * resolveWireProtocol('auto', 'https://kinesis-fips.us-east-1.amazonaws.com').protocol; // 'cbor'
 * ```
 */
export function resolveWireProtocol(
  choice: WireProtocolChoice | undefined,
  endpoint: string | undefined,
): ResolvedWireProtocol {
  if (choice === WireProtocol.CBOR || choice === WireProtocol.JSON) {
    return { protocol: choice, reason: 'as configured' };
  }
  if (endpoint === undefined || endpoint === '') {
    return { protocol: WireProtocol.CBOR, reason: "auto: AWS's own endpoint" };
  }
  if (isAwsEndpoint(endpoint)) {
    return { protocol: WireProtocol.CBOR, reason: `auto: ${endpoint} is an AWS endpoint` };
  }
  return {
    protocol: WireProtocol.JSON,
    reason: `auto: ${endpoint} is not an AWS endpoint (emulators may mishandle CBOR)`,
  };
}

/**
 * Whether a URL names one of AWS's own endpoints (its host under an AWS domain); anything
 * unreadable is not.
 *
 * @example
 * ```ts
 * isAwsEndpoint('https://kinesis.cn-north-1.amazonaws.com.cn'); // true
 * isAwsEndpoint('https://amazonaws.com.example.net'); // false
 * ```
 */
export function isAwsEndpoint(endpoint: string): boolean {
  let host: string;
  try {
    host = new URL(endpoint).hostname.toLowerCase();
  } catch {
    return false;
  }
  // A fully qualified name may end with a dot.
  if (host.endsWith('.')) host = host.slice(0, -1);
  return AWS_ENDPOINT_DOMAINS.some((domain) => host.endsWith(`.${domain}`));
}

/**
 * The `Content-Type` of each wire protocol, as Kinesis names it.
 *
 * @example
 * ```ts
 * headers['content-type'] = WireContentTypes[WireProtocol.CBOR]; // 'application/x-amz-cbor-1.1'
 * ```
 */
export const WireContentTypes = {
  cbor: 'application/x-amz-cbor-1.1',
  json: 'application/x-amz-json-1.1',
} as const satisfies Record<WireProtocol, string>;

/**
 * The wire protocol a `Content-Type` header names, or `undefined` for neither (parameters and
 * case ignored).
 *
 * @example
 * ```ts
 * wireProtocolOf('application/x-amz-cbor-1.1'); // 'cbor'
 * ```
 */
export function wireProtocolOf(contentType: unknown): WireProtocol | undefined {
  if (typeof contentType !== 'string') return undefined;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === WireContentTypes.cbor) return WireProtocol.CBOR;
  if (type === WireContentTypes.json) return WireProtocol.JSON;
  return undefined;
}
