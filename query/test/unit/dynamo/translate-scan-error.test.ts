import { expect } from 'chai';
import { translateScanError } from '../../../src/dynamo/scan-dynamo-table.js';
import { DynamoScanError } from '../../../src/errors.js';

const awsError = (name: string, status?: number): Error =>
  Object.assign(new Error(`${name} happened`), {
    name,
    ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }),
  });

describe('translateScanError', () => {
  it('reads throttling, 5xx and timeouts as retryable, through the shared classifier', () => {
    for (const err of [
      awsError('ProvisionedThroughputExceededException', 400),
      awsError('ThrottlingException', 400),
      awsError('InternalServerError', 500),
      Object.assign(new Error('no answer'), { name: 'TimeoutError', code: 'ETIMEDOUT' }),
    ]) {
      const out = translateScanError(err, 'ads');
      expect(out, err.name).to.be.instanceOf(DynamoScanError);
      expect((out as DynamoScanError).retryable, err.name).to.equal(true);
    }
  });

  it('says a missing table does not exist, and does not retry it or a denied access', () => {
    const missing = translateScanError(awsError('ResourceNotFoundException', 400), 'ads');
    expect(missing.message).to.equal(
      'scan of DynamoDB table ads failed: table does not exist (ResourceNotFoundException: ResourceNotFoundException happened)',
    );
    expect((missing as DynamoScanError).retryable).to.equal(false);
    const denied = translateScanError(awsError('AccessDeniedException', 400), 'ads');
    expect((denied as DynamoScanError).retryable).to.equal(false);
  });

  it('passes a stop on as it came', () => {
    const abort = new DOMException('This operation was aborted', 'AbortError');
    expect(translateScanError(abort, 'ads')).to.equal(abort);
  });
});
