import { expect } from 'chai';
import { CredentialCache, type AwsCredentials } from '../../../src/aws/credential-cache.js';

const MINUTE_MS = 60_000;

/** A provider handing out numbered credentials that expire `lifetimeMs` after they are made. */
function fakeProvider(
  now: () => number,
  lifetimeMs: number | undefined,
): { provider: () => Promise<AwsCredentials>; asked: () => number } {
  let asked = 0;
  return {
    provider: () => {
      asked++;
      return Promise.resolve({
        accessKeyId: `AKID${asked}`,
        secretAccessKey: 'secret',
        sessionToken: `token${asked}`,
        expiration: lifetimeMs === undefined ? undefined : new Date(now() + lifetimeMs),
      });
    },
    asked: () => asked,
  };
}

describe('CredentialCache', () => {
  it('keeps credentials until they come within the refresh margin of expiring, then asks again', async () => {
    let nowMs = 1_000_000;
    const fake = fakeProvider(() => nowMs, 60 * MINUTE_MS);
    const cache = new CredentialCache({ provider: fake.provider, now: () => nowMs });
    expect((await cache.get()).accessKeyId).to.equal('AKID1');
    nowMs += 54 * MINUTE_MS; // 6 minutes left
    expect((await cache.get()).accessKeyId).to.equal('AKID1');
    nowMs += 1 * MINUTE_MS; // 5 minutes left: the margin
    expect((await cache.get()).accessKeyId).to.equal('AKID2');
    expect((await cache.get()).sessionToken).to.equal('token2');
    expect(fake.asked()).to.equal(2);
  });

  it('asks again for expired credentials too, and never for keys without an expiration', async () => {
    let nowMs = 0;
    const expiring = fakeProvider(() => nowMs, MINUTE_MS);
    const cache = new CredentialCache({ provider: expiring.provider, now: () => nowMs });
    await cache.get();
    await cache.get(); // already within the margin: asked each time
    expect(expiring.asked()).to.equal(2);
    const lasting = fakeProvider(() => nowMs, undefined);
    const longTerm = new CredentialCache({ provider: lasting.provider, now: () => nowMs });
    await longTerm.get();
    nowMs += 24 * 60 * MINUTE_MS;
    expect((await longTerm.get()).accessKeyId).to.equal('AKID1');
    expect(lasting.asked()).to.equal(1);
  });

  it('shares one provider call among concurrent callers, and does not keep a failure', async () => {
    let calls = 0;
    let fail = true;
    const cache = new CredentialCache({
      provider: async () => {
        calls++;
        await new Promise((resolve) => setImmediate(resolve));
        if (fail) throw new Error('no credentials yet');
        return { accessKeyId: 'AKID', secretAccessKey: 's' };
      },
    });
    const failed = await Promise.allSettled([cache.get(), cache.get(), cache.get()]);
    expect(failed.map((r) => r.status)).to.deep.equal(['rejected', 'rejected', 'rejected']);
    expect(calls).to.equal(1);
    fail = false;
    const got = await Promise.all([cache.get(), cache.get()]);
    expect(got.map((c) => c.accessKeyId)).to.deep.equal(['AKID', 'AKID']);
    expect(calls).to.equal(2);
  });
});
