import { expect } from 'chai';
import { classifyAwsError } from '../../../src/aws/classify-aws-error.js';
import {
  RequestDeadlineError,
  withRequestDeadline,
} from '../../../src/aws/with-request-deadline.js';

/** A call that never settles on its own, like a request to a silent endpoint. */
function silentCall(seen: AbortSignal[]): (signal: AbortSignal) => Promise<never> {
  return (signal) => {
    seen.push(signal);
    return new Promise<never>(() => undefined);
  };
}

describe('withRequestDeadline', () => {
  it('returns what the call returns', async () => {
    expect(await withRequestDeadline(1_000, undefined, () => Promise.resolve(7))).to.equal(7);
  });

  it('passes on the call failure as it is', async () => {
    const err = await withRequestDeadline(1_000, undefined, () =>
      Promise.reject(new Error('boom')),
    ).catch((e: unknown) => e);
    expect((err as Error).message).to.equal('boom');
  });

  it('ends a call that never answers at the deadline with a retryable timeout, aborting it', async () => {
    const seen: AbortSignal[] = [];
    const err = await withRequestDeadline(20, undefined, silentCall(seen)).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(RequestDeadlineError);
    expect(classifyAwsError(err)).to.include({ kind: 'timeout', retryable: true });
    expect(seen[0]?.aborted).to.equal(true);
  });

  it('ends at once with the caller reason when the caller aborts', async () => {
    const controller = new AbortController();
    const seen: AbortSignal[] = [];
    const pending = withRequestDeadline(60_000, controller.signal, silentCall(seen));
    controller.abort(new Error('SIGTERM'));
    const err = await pending.catch((e: unknown) => e);
    expect((err as Error).message).to.equal('SIGTERM');
    expect(seen[0]?.aborted).to.equal(true);
    const before = await withRequestDeadline(60_000, controller.signal, silentCall(seen)).catch(
      (e: unknown) => e,
    );
    expect((before as Error).message).to.equal('SIGTERM');
  });
});
