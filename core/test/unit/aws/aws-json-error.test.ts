import { expect } from 'chai';
import { AwsHttpError, awsJsonError } from '../../../src/aws/aws-json-error.js';
import { AwsErrorKinds, classifyAwsError } from '../../../src/aws/classify-aws-error.js';

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('awsJsonError', () => {
  it('names the error by __type, then code, then the x-amzn-ErrorType header, cleaned as the SDK does', () => {
    const header = { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/' };
    expect(awsJsonError(400, header, json({ __type: 'a.b#LimitExceededException' })).name).to.equal(
      'LimitExceededException',
    );
    expect(awsJsonError(400, header, json({ Code: 'AccessDeniedException' })).name).to.equal(
      'AccessDeniedException',
    );
    expect(awsJsonError(400, header, Buffer.alloc(0)).name).to.equal('ThrottlingException');
    expect(awsJsonError(400, {}, json({})).name).to.equal('Unknown');
  });

  it('carries message, status, fault and request id where the classifier reads them', () => {
    const err = awsJsonError(
      400,
      { 'x-amzn-requestid': 'r-1' },
      json({ __type: 'ProvisionedThroughputExceededException', Message: 'Rate exceeded' }),
    ) as AwsHttpError;
    expect(err).to.be.instanceOf(AwsHttpError);
    expect(err.message).to.equal('Rate exceeded');
    expect(err.$metadata).to.deep.equal({ httpStatusCode: 400, requestId: 'r-1' });
    expect(err.$fault).to.equal('client');
    expect(classifyAwsError(err)).to.include({ kind: AwsErrorKinds.throttled, retryable: true });
    const server = awsJsonError(503, {}, json({ message: 'down' })) as AwsHttpError;
    expect(server.$fault).to.equal('server');
    expect(classifyAwsError(server)).to.include({ kind: AwsErrorKinds.server, retryable: true });
  });

  it('reads a body that is not JSON as a SyntaxError with the status, quoting the start of it', () => {
    const err = awsJsonError(502, {}, Buffer.from(`<html>${'x'.repeat(500)}</html>`));
    expect(err.name).to.equal('SyntaxError');
    expect(err.message).to.match(/^HTTP 502 answer is not JSON: <html>x+…$/);
    expect(err.message.length).to.be.below(260);
    expect(classifyAwsError(err)).to.include({ kind: AwsErrorKinds.server, status: 502 });
    expect(classifyAwsError(awsJsonError(413, {}, Buffer.from('too big')))).to.include({
      kind: AwsErrorKinds.validation,
      retryable: false,
    });
  });
});
