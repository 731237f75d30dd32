import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'chai';
import { RunnerModes, type RunnerMode } from '../../../src/checkpoint/stored-items.js';
import { NameInUseError } from '../../../src/errors.js';
import { RunnerGuard } from '../../../src/window/runner-guard.js';

/** The runner item in memory: the other mode can take it over between renewals. */
function fakeStore() {
  const calls: string[] = [];
  let heldBy: RunnerMode | undefined;
  return {
    calls,
    takeOver: (mode: RunnerMode) => (heldBy = mode),
    holdRunner(name: string, mode: RunnerMode, owner: string): Promise<void> {
      calls.push(`hold ${owner}`);
      if (heldBy !== undefined && heldBy !== mode)
        return Promise.reject(new NameInUseError(name, heldBy, 'test'));
      heldBy = mode;
      return Promise.resolve();
    },
    releaseRunner(_name: string, _mode: RunnerMode, owner: string): Promise<void> {
      calls.push(`release ${owner}`);
      heldBy = undefined;
      return Promise.resolve();
    },
  };
}

describe('RunnerGuard', () => {
  it('renews in the background; a renewal lost to the other mode fails the next hold', async () => {
    const store = fakeStore();
    const guard = new RunnerGuard({
      store,
      name: 'web',
      mode: RunnerModes.single,
      owner: 'a',
      holdMs: 30,
    });
    await guard.hold();
    await delay(50);
    expect(store.calls.filter((c) => c === 'hold a').length).to.be.at.least(2);
    store.takeOver(RunnerModes.workers);
    await delay(30);
    try {
      await guard.hold();
      expect.fail('held a name the workers took over');
    } catch (err) {
      expect(err).to.be.instanceOf(NameInUseError);
      expect((err as Error).message).to.match(/^name web is being analyzed by workers/);
    }
    await guard.close();
    await guard.close();
    expect(store.calls.filter((c) => c === 'release a')).to.have.length(1);
  });

  it('refuses a hold time too short to renew', () => {
    expect(
      () =>
        new RunnerGuard({
          store: fakeStore(),
          name: 'web',
          mode: RunnerModes.workers,
          owner: 'a',
          holdMs: 2,
        }),
    ).to.throw(/holdMs: must be an integer of at least 3/);
  });
});
