/*
 * One reading of every error an AWS SDK call can end with, for all of kinlog's boundary files:
 *
 *   SDK / socket error ─▶ classifyAwsError ─▶ { kind, retryable, name, status, detail }
 *                                                 │
 *        each package's boundary file ◀───────────┘ picks its own error class by `kind`
 *
 * Only the name, `$metadata.httpStatusCode`, `$retryable` and the socket `code` (also nested
 * in `cause`) are read: no SDK class is imported, so the same function serves Kinesis and
 * DynamoDB and works on errors of any SDK version.
 */

/** What went wrong with an AWS call, as far as retrying and reporting are concerned. */
export const AwsErrorKinds = {
  /** The service asked to slow down (throughput, rate or request limits). Retryable. */
  throttled: 'throttled',
  /** No answer: the connection was refused, reset or dropped, or DNS failed. Retryable. */
  network: 'network',
  /** The request or the connection took longer than its timeout. Retryable. */
  timeout: 'timeout',
  /** The service failed on its side (5xx, internal failure). Retryable. */
  server: 'server',
  /** The stream, table or shard does not exist (or is not visible). Not retryable. */
  notFound: 'notFound',
  /** Credentials are missing, invalid, expired or lack a permission. Not retryable. */
  accessDenied: 'accessDenied',
  /** The request itself is wrong (bad argument, bad sequence number). Not retryable. */
  validation: 'validation',
  /** A conditional write found the item not as required. Not retryable. */
  conditionFailed: 'conditionFailed',
  /** A shard iterator is older than five minutes: get a new one, then retry. */
  iteratorExpired: 'iteratorExpired',
  /** The caller aborted the request. Not retryable. */
  aborted: 'aborted',
  /** The answer could not be read (not the service's protocol). Retryable. */
  badAnswer: 'badAnswer',
  /** Anything else: retried, as an answer without a status is most often a transport failure. */
  unknown: 'unknown',
} as const;

/** One of {@link AwsErrorKinds}. */
export type AwsErrorKind = (typeof AwsErrorKinds)[keyof typeof AwsErrorKinds];

/** The reading of one AWS error. */
export interface AwsErrorClass {
  readonly kind: AwsErrorKind;
  /** Whether the same call may succeed later. */
  readonly retryable: boolean;
  /** The AWS error name (`ProvisionedThroughputExceededException`) or the socket code. */
  readonly name: string;
  /** The HTTP status of the answer, when there was one. */
  readonly status?: number;
  /** The error's own message, one line. */
  readonly message: string;
  /** `name: message`, one line, for error messages. */
  readonly detail: string;
}

const THROTTLED = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'KMSThrottlingException',
  'TransactionInProgressException',
]);
const NOT_FOUND = new Set(['ResourceNotFoundException', 'TableNotFoundException']);
const ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'ExpiredToken',
  'MissingAuthenticationTokenException',
  'IncompleteSignature',
  'InvalidClientTokenId',
  'CredentialsProviderError',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSNotFoundException',
  'KMSInvalidStateException',
  'KMSOptInRequired',
]);
const VALIDATION = new Set([
  'ValidationException',
  'InvalidArgumentException',
  'SerializationException',
  'ResourceInUseException',
  'ItemCollectionSizeLimitExceededException',
]);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const SERVER_NAMES = new Set([
  'InternalFailure',
  'InternalServerError',
  'InternalServerErrorException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ECONNABORTED',
  'EPROTO',
  'HPE_INVALID_CONSTANT',
  'HPE_INVALID_VERSION',
  'HPE_INVALID_STATUS',
  'HPE_INVALID_HEADER_TOKEN',
  'HPE_UNEXPECTED_CONTENT_LENGTH',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
const HTTP_TOO_MANY_REQUESTS = 429;
const HTTP_SERVER_ERROR = 500;
const HTTP_CLIENT_ERROR = 400;
const HTTP_FORBIDDEN = 403;
const HTTP_UNAUTHORIZED = 401;
const MAX_CAUSE_DEPTH = 4;

/**
 * Reads an AWS SDK (v3) or socket error: what kind of failure it is and whether retrying can
 * help. Pure: looks only at the error's fields.
 *
 * @example
 * ```ts
 * try { await client.send(command); } catch (err) {
 *   const c = classifyAwsError(err);
 *   if (c.kind === AwsErrorKinds.notFound) throw new StreamNotFoundError({ streamName }, err);
 * }
 * ```
 */
export function classifyAwsError(err: unknown): AwsErrorClass {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    name?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: unknown };
    $retryable?: { throttling?: unknown } | undefined;
    $fault?: unknown;
  };
  const rawName = typeof e.name === 'string' && e.name !== '' ? e.name : 'Error';
  const message = typeof e.message === 'string' ? e.message : String(err);
  const status =
    typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const code = nestedCode(err);
  const name = rawName === 'Error' && code !== undefined ? code : rawName;
  const text = oneLine(message);
  const detail = text === '' || text === name ? name : `${name}: ${text}`;
  const of = (kind: AwsErrorKind, retryable: boolean): AwsErrorClass =>
    status === undefined
      ? { kind, retryable, name, message: text, detail }
      : { kind, retryable, name, status, message: text, detail };

  if (rawName === 'AbortError' || code === 'ABORT_ERR') return of(AwsErrorKinds.aborted, false);
  if (
    THROTTLED.has(rawName) ||
    e.$retryable?.throttling === true ||
    status === HTTP_TOO_MANY_REQUESTS
  )
    return of(AwsErrorKinds.throttled, true);
  if (rawName === 'ExpiredIteratorException') return of(AwsErrorKinds.iteratorExpired, true);
  if (rawName === 'ConditionalCheckFailedException')
    return of(AwsErrorKinds.conditionFailed, false);
  if (NOT_FOUND.has(rawName)) return of(AwsErrorKinds.notFound, false);
  if (ACCESS_DENIED.has(rawName)) return of(AwsErrorKinds.accessDenied, false);
  if (VALIDATION.has(rawName)) return of(AwsErrorKinds.validation, false);
  if (TIMEOUT_NAMES.has(rawName) || (code !== undefined && TIMEOUT_CODES.has(code)))
    return of(AwsErrorKinds.timeout, true);
  if (code !== undefined && NETWORK_CODES.has(code)) return of(AwsErrorKinds.network, true);
  if (SERVER_NAMES.has(rawName)) return of(AwsErrorKinds.server, true);
  if (status !== undefined) {
    if (status >= HTTP_SERVER_ERROR) return of(AwsErrorKinds.server, true);
    if (status === HTTP_FORBIDDEN || status === HTTP_UNAUTHORIZED)
      return of(AwsErrorKinds.accessDenied, false);
    if (status >= HTTP_CLIENT_ERROR)
      return of(AwsErrorKinds.validation, e.$retryable !== undefined);
    // A 2xx the SDK could not read: a proxy or a server speaking something else.
    return of(AwsErrorKinds.badAnswer, true);
  }
  if (e.$retryable !== undefined) return of(AwsErrorKinds.unknown, true);
  if (e.$fault === 'client') return of(AwsErrorKinds.validation, false);
  if (rawName === 'SyntaxError' || /Deserialization error/i.test(message))
    return of(AwsErrorKinds.badAnswer, true);
  return of(AwsErrorKinds.unknown, true);
}

/** The first string `code` on the error or its `cause` chain (socket errors nest in the SDK's). */
function nestedCode(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && typeof cur === 'object' && cur !== null; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
