/*
 * The error an AWS JSON (awsJson 1.0 / 1.1) answer with an error status stands for, read as the
 * AWS SDK v3 reads it, for requests kinlog sends without the SDK:
 *
 *   status ≥ 300 + body ─▶ JSON? ── no ──▶ SyntaxError + $metadata (as the SDK's deserializer)
 *                             │ yes
 *                             ▼
 *        name: `__type`, else `code`, else the x-amzn-ErrorType header (namespace and
 *        `:…` suffix cut), else "Unknown"; message: `message` / `Message`
 *
 * The result carries the fields classifyAwsError reads (name, message, $metadata, $fault), so
 * one classification serves both: what the SDK would have thrown and this read the same.
 */

/** Headers of an answer as Node gives them (names in lower case). */
export type AnswerHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** Longest part of a body that is not JSON quoted in the error message. */
const MAX_QUOTED_BODY_CHARS = 200;

/**
 * An error answer of an AWS service, shaped as the AWS SDK's service exceptions.
 *
 * @example
 * ```ts
 * const err = new AwsHttpError('ProvisionedThroughputExceededException', 'Rate exceeded', 400);
 * classifyAwsError(err).kind; // 'throttled'
 * ```
 */
export class AwsHttpError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode: number; readonly requestId?: string };

  constructor(name: string, message: string, status: number, requestId?: string) {
    super(message);
    this.name = name;
    this.$fault = status < 500 ? 'client' : 'server';
    this.$metadata =
      requestId === undefined ? { httpStatusCode: status } : { httpStatusCode: status, requestId };
  }
}

/**
 * The error an AWS JSON answer with status `status` (≥ 300) and `body` stands for, named and
 * worded as the AWS SDK v3 names it.
 *
 * @example
 * ```ts
 * awsJsonError(400, {}, Buffer.from('{"__type":"ResourceNotFoundException","message":"no stream"}'));
 * // AwsHttpError { name: 'ResourceNotFoundException', message: 'no stream', $metadata: { httpStatusCode: 400 } }
 * ```
 */
export function awsJsonError(status: number, headers: AnswerHeaders, body: Buffer): Error {
  const requestId = requestIdOf(headers);
  const text = body.toString('utf8');
  let parsed: unknown = {};
  if (text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      const quoted =
        text.length > MAX_QUOTED_BODY_CHARS ? `${text.slice(0, MAX_QUOTED_BODY_CHARS)}…` : text;
      const err = new AwsHttpError(
        'SyntaxError',
        `HTTP ${status} answer is not JSON: ${quoted}`,
        status,
        requestId,
      );
      return err;
    }
  }
  return awsErrorOf(status, headers, parsed);
}

/**
 * The error an AWS error answer stands for, from its body already decoded (JSON, or the CBOR of
 * `application/x-amz-cbor-1.1`, which carries the same members): named and worded as
 * {@link awsJsonError} names them, so every protocol is classified alike by classifyAwsError.
 *
 * @example
 * ```ts
 * awsErrorOf(400, {}, { __type: 'ProvisionedThroughputExceededException', message: 'Rate exceeded' });
 * // AwsHttpError { name: 'ProvisionedThroughputExceededException', message: 'Rate exceeded', … }
 * ```
 */
export function awsErrorOf(status: number, headers: AnswerHeaders, decoded: unknown): AwsHttpError {
  const requestId = requestIdOf(headers);
  const data = (typeof decoded === 'object' && decoded !== null ? decoded : {}) as Record<
    string,
    unknown
  >;
  const name =
    errorCode(data['__type']) ??
    errorCode(data[Object.keys(data).find((k) => k.toLowerCase() === 'code') ?? '']) ??
    errorCode(headerValue(headers, 'x-amzn-errortype')) ??
    'Unknown';
  const message = data['message'] ?? data['Message'];
  return new AwsHttpError(
    name,
    typeof message === 'string' && message !== '' ? message : 'UnknownError',
    status,
    requestId,
  );
}

/** An error code as the SDK cleans it: the part before `,` and `:`, after `#`. */
function errorCode(raw: unknown): string | undefined {
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  let code = String(raw);
  code = code.split(',')[0]!;
  code = code.split(':')[0]!;
  if (code.includes('#')) code = code.split('#')[1]!;
  return code;
}

function headerValue(headers: AnswerHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function requestIdOf(headers: AnswerHeaders): string | undefined {
  return headerValue(headers, 'x-amzn-requestid') ?? headerValue(headers, 'x-amz-request-id');
}
