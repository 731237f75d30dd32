import { expect } from 'chai';
import { AwsErrorKinds, classifyAwsError } from '../../../src/aws/classify-aws-error.js';

/** An error shaped like the SDK's service exceptions. */
function sdkError(name: string, status?: number, extra: Record<string, unknown> = {}): Error {
  const err = new Error(`${name} happened`);
  err.name = name;
  return Object.assign(
    err,
    status === undefined ? {} : { $metadata: { httpStatusCode: status } },
    extra,
  );
}

function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });
}

describe('classifyAwsError', () => {
  it('reads throttling of Kinesis and DynamoDB as throttled and retryable', () => {
    for (const name of [
      'ProvisionedThroughputExceededException',
      'LimitExceededException',
      'ThrottlingException',
      'RequestLimitExceeded',
      'KMSThrottlingException',
    ]) {
      const c = classifyAwsError(sdkError(name, 400));
      expect(c, name).to.include({
        kind: AwsErrorKinds.throttled,
        retryable: true,
        name,
        status: 400,
      });
    }
    expect(
      classifyAwsError(sdkError('SomethingNew', 400, { $retryable: { throttling: true } })).kind,
    ).to.equal(AwsErrorKinds.throttled);
    expect(classifyAwsError(sdkError('SomethingNew', 429)).kind).to.equal(AwsErrorKinds.throttled);
  });

  it('reads missing resources, refused access and bad requests as not retryable', () => {
    expect(classifyAwsError(sdkError('ResourceNotFoundException', 400))).to.include({
      kind: AwsErrorKinds.notFound,
      retryable: false,
    });
    for (const name of [
      'AccessDeniedException',
      'UnrecognizedClientException',
      'ExpiredTokenException',
    ]) {
      expect(classifyAwsError(sdkError(name, 400)), name).to.include({
        kind: AwsErrorKinds.accessDenied,
        retryable: false,
      });
    }
    expect(classifyAwsError(sdkError('SomeAuthThing', 403)).kind).to.equal(
      AwsErrorKinds.accessDenied,
    );
    for (const name of ['ValidationException', 'InvalidArgumentException']) {
      expect(classifyAwsError(sdkError(name, 400)), name).to.include({
        kind: AwsErrorKinds.validation,
        retryable: false,
      });
    }
    expect(classifyAwsError(sdkError('ConditionalCheckFailedException', 400))).to.include({
      kind: AwsErrorKinds.conditionFailed,
      retryable: false,
    });
    expect(classifyAwsError(sdkError('UnknownClientFault', 400)).retryable).to.equal(false);
  });

  it('reads an expired shard iterator as its own kind', () => {
    expect(classifyAwsError(sdkError('ExpiredIteratorException', 400))).to.include({
      kind: AwsErrorKinds.iteratorExpired,
      retryable: true,
    });
  });

  it('reads 5xx and internal failures as server errors, retryable', () => {
    expect(classifyAwsError(sdkError('InternalFailure', 500)).kind).to.equal(AwsErrorKinds.server);
    expect(classifyAwsError(sdkError('Whatever', 503))).to.include({
      kind: AwsErrorKinds.server,
      retryable: true,
    });
    expect(classifyAwsError(sdkError('ServiceUnavailable')).kind).to.equal(AwsErrorKinds.server);
  });

  it('reads socket failures, also nested in cause, as network errors, and timeouts apart', () => {
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']) {
      expect(classifyAwsError(socketError(code)), code).to.include({
        kind: AwsErrorKinds.network,
        retryable: true,
        name: code,
      });
    }
    const wrapped = Object.assign(new Error('socket hang up'), {
      cause: socketError('ECONNRESET'),
    });
    expect(classifyAwsError(wrapped).kind).to.equal(AwsErrorKinds.network);
    expect(classifyAwsError(socketError('ETIMEDOUT')).kind).to.equal(AwsErrorKinds.timeout);
    // What @smithy/node-http-handler throws past requestTimeout with throwOnRequestTimeout.
    const timeout = Object.assign(
      new Error('a request has exceeded the configured 30 ms requestTimeout'),
      {
        name: 'TimeoutError',
        code: 'ETIMEDOUT',
      },
    );
    expect(classifyAwsError(timeout)).to.include({ kind: AwsErrorKinds.timeout, retryable: true });
  });

  it('reads an abort as aborted, never retried', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(classifyAwsError(abort)).to.include({ kind: AwsErrorKinds.aborted, retryable: false });
    const sdkAbort = sdkError('AbortError');
    expect(classifyAwsError(sdkAbort).kind).to.equal(AwsErrorKinds.aborted);
  });

  it('reads an answer in another protocol as a bad answer, retryable', () => {
    const garbage = sdkError('SyntaxError', 200);
    expect(classifyAwsError(garbage)).to.include({
      kind: AwsErrorKinds.badAnswer,
      retryable: true,
    });
    expect(classifyAwsError(new SyntaxError('Unexpected token < in JSON')).kind).to.equal(
      AwsErrorKinds.badAnswer,
    );
  });

  it('retries what it does not know, and reads anything thrown', () => {
    expect(classifyAwsError(new Error('odd'))).to.include({
      kind: AwsErrorKinds.unknown,
      retryable: true,
      detail: 'Error: odd',
    });
    expect(classifyAwsError('a string')).to.include({
      kind: AwsErrorKinds.unknown,
      detail: 'Error: a string',
    });
    expect(classifyAwsError(undefined).retryable).to.equal(true);
    expect(
      classifyAwsError(sdkError('UnknownError', undefined, { $fault: 'client' })).retryable,
    ).to.equal(false);
  });

  it('keeps the detail on one line', () => {
    const err = sdkError('ValidationException', 400);
    err.message = 'first\n  second';
    expect(classifyAwsError(err).detail).to.equal('ValidationException: first second');
  });
});
