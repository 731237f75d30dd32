import { expect } from 'chai';
import { DynamoConnection, RetryOn } from '../../../src/checkpoint/dynamo-connection.js';
import { CorruptItemError } from '../../../src/errors.js';

/** An error shaped like the SDK's service exceptions. */
function sdkError(name: string, status: number): Error {
  const err = new Error(`${name} happened`);
  err.name = name;
  return Object.assign(err, { $metadata: { httpStatusCode: status } });
}

const throttled = (): Error => sdkError('ProvisionedThroughputExceededException', 400);
const serverError = (): Error => sdkError('InternalServerError', 500);
const lostConnection = (): Error =>
  Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

/** A call that fails with `failures` in turn, then answers `'ok'`; counts its attempts. */
function flaky(failures: readonly (() => Error)[]): {
  send: () => Promise<string>;
  calls(): number;
} {
  let calls = 0;
  return {
    send: () => {
      const fail = failures[calls++];
      return fail === undefined ? Promise.resolve('ok') : Promise.reject(fail());
    },
    calls: () => calls,
  };
}

describe('DynamoConnection.retrying', () => {
  // No client call is made: only the retry policy runs.
  const dynamo = new DynamoConnection({ region: 'eu-west-1', requestTimeoutMs: 1_000 });
  after(() => dynamo.close());

  it('retries any transient failure of an idempotent call', async () => {
    const call = flaky([throttled, serverError, lostConnection]);
    expect(await dynamo.retrying(call.send)).to.equal('ok');
    expect(call.calls()).to.equal(4);
  });

  it('retries a conditional write only when it was refused by throttling', async () => {
    const refused = flaky([throttled]);
    expect(await dynamo.retrying(refused.send, RetryOn.throttled)).to.equal('ok');
    expect(refused.calls()).to.equal(2);
    // A lost answer: the write may have happened; a retry would read its own claim as another's.
    const lost = flaky([lostConnection]);
    const err = await dynamo.retrying(lost.send, RetryOn.throttled).catch((e: unknown) => e);
    expect(err).to.have.property('code', 'ECONNRESET');
    expect(lost.calls()).to.equal(1);
  });

  it('never retries our own errors', async () => {
    const call = flaky([() => new CorruptItemError('web#ITER / 1', 'unknown status')]);
    const err = await dynamo.retrying(call.send).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CorruptItemError);
    expect(call.calls()).to.equal(1);
  });

  it('gives up after its attempts, with the last failure', async () => {
    const call = flaky(Array.from({ length: 10 }, () => serverError));
    const err = await dynamo.retrying(call.send).catch((e: unknown) => e);
    expect(err).to.have.property('name', 'InternalServerError');
    expect(call.calls()).to.equal(4);
  });
});
