import { expect } from 'chai';
import { translateDynamoError } from '../../../src/checkpoint/translate-dynamo-error.js';
import {
  CheckpointStoreError,
  IterationNotFoundError,
  TableMissingError,
} from '../../../src/errors.js';

function sdkError(name: string, status: number): Error {
  const err = new Error(`${name} (test)`);
  err.name = name;
  return Object.assign(err, { $metadata: { httpStatusCode: status } });
}

describe('translateDynamoError', () => {
  it('reads DynamoDB throttling as retryable (the email claims too)', () => {
    for (const name of [
      'ProvisionedThroughputExceededException',
      'ThrottlingException',
      'RequestLimitExceeded',
    ]) {
      const err = translateDynamoError(sdkError(name, 400), 'claim email on t', 't');
      expect(err, name).to.be.instanceOf(CheckpointStoreError);
      expect((err as CheckpointStoreError).retryable, name).to.equal(true);
      expect(err.message).to.equal(`claim email on t failed: ${name}: ${name} (test)`);
    }
  });

  it('reads a missing table as TableMissingError, bad requests as final', () => {
    expect(
      translateDynamoError(sdkError('ResourceNotFoundException', 400), 'x', 't'),
    ).to.be.instanceOf(TableMissingError);
    expect(
      (translateDynamoError(sdkError('ValidationException', 400), 'x', 't') as CheckpointStoreError)
        .retryable,
    ).to.equal(false);
    expect(
      (translateDynamoError(sdkError('InternalServerError', 500), 'x', 't') as CheckpointStoreError)
        .retryable,
    ).to.equal(true);
    const timeout = Object.assign(new Error('timed out'), {
      name: 'TimeoutError',
      code: 'ETIMEDOUT',
    });
    expect((translateDynamoError(timeout, 'x', 't') as CheckpointStoreError).retryable).to.equal(
      true,
    );
  });

  it('passes the analyzer own errors and a stop through', () => {
    const own = new IterationNotFoundError('web', 3);
    expect(translateDynamoError(own, 'x', 't')).to.equal(own);
    const stop = new DOMException('This operation was aborted', 'AbortError');
    expect(translateDynamoError(stop, 'x', 't')).to.equal(stop);
  });
});
